"""LoRA and bottleneck adapters on a tiny transformer classifier, with merged TFLite export parity."""

import warnings

import keras
import numpy as np
import pytest

from keras_slm.export import convert
from keras_slm.layers.bottleneck_adapter import BottleneckAdapter
from keras_slm.models.transformer_classifier import build_transformer_classifier, transformer_classifier
from keras_slm.models.transformer_encoder import build_encoder
from keras_slm.training.peft import (add_adapters, enable_lora, format_trainable, freeze_for_peft, merge_lora,
                                     trainable_parameters)

SEQ = 16


def _data(n=48):
    rng = np.random.default_rng(0)
    ids = rng.integers(4, 200, size=(n, SEQ)).astype("int32")
    ids[: n // 2, 10:] = 0
    x = [ids, (ids > 0).astype("int32"), np.zeros_like(ids)]
    return x, (ids[:, 0] > 100).astype("int32")


def _model():
    keras.utils.set_random_seed(0)
    return build_transformer_classifier("tiny_2x128", 200, 2, max_length=SEQ, dropout=0.0)


def test_lora_trains_few_parameters_and_merged_export_matches(tmp_path):
    x, y = _data()
    base_ops = convert(_model(), str(tmp_path / "base.tflite"), seq_len=SEQ, latency_threads=()).ops
    model = _model()
    frozen = [keras.ops.convert_to_numpy(w) for w in model.get_layer("encoder").get_layer("token_and_position_embedding").weights]
    counts = enable_lora(model, rank=4, targets=("query", "value"))
    assert counts["fraction"] < 0.05 and "parameters (" in format_trainable(model)
    model.compile(keras.optimizers.Adam(1e-2), "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    after = model.get_layer("encoder").get_layer("token_and_position_embedding").weights
    assert all(np.array_equal(a, keras.ops.convert_to_numpy(b)) for a, b in zip(frozen, after))  # base frozen
    lora_b = [keras.ops.convert_to_numpy(l.lora_kernel_b) for l in model._flatten_layers() if getattr(l, "lora_enabled", 0)]
    assert len(lora_b) == 4 and all(np.abs(b).max() > 0 for b in lora_b)  # LoRA learnt something
    unmerged = model.predict(x, verbose=0)

    assert merge_lora(model) == 4
    assert trainable_parameters(model)["trainable"] == trainable_parameters(_model())["trainable"]
    report = convert(model, str(tmp_path / "merged.tflite"), seq_len=SEQ, sample_inputs=x, latency_threads=())
    from keras_slm.export import TFLiteModel

    lite = TFLiteModel(report.path).predict(*x)
    assert np.abs(lite - unmerged).max() <= 1e-4
    assert report.ops == base_ops  # no LoRA branches left
    model.save(tmp_path / "merged.keras")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Skipping variable loading")  # no LoRA-sized optimizer slots
        reloaded = keras.saving.load_model(tmp_path / "merged.keras")
    np.testing.assert_allclose(reloaded.predict(x, verbose=0), unmerged, atol=1e-5)


def test_lora_rejects_unknown_targets():
    with pytest.raises(ValueError, match="No layer named"):
        enable_lora(_model(), targets=("nope",))


def test_adapters_start_as_identity_and_train(tmp_path):
    x, y = _data()
    keras.utils.set_random_seed(0)
    encoder = build_encoder("tiny_2x128", 200, max_length=SEQ, dropout=0.0)
    base = transformer_classifier(encoder, 2, dropout=0.0)
    adapted = transformer_classifier(add_adapters(encoder, bottleneck_dim=8), 2, dropout=0.0)
    adapted.get_layer("scores").set_weights(base.get_layer("scores").get_weights())
    np.testing.assert_allclose(adapted.predict(x, verbose=0), base.predict(x, verbose=0), atol=1e-6)
    counts = freeze_for_peft(adapted)
    assert counts["fraction"] < 0.02
    adapted.compile(keras.optimizers.Adam(1e-2), "sparse_categorical_crossentropy")
    history = adapted.fit(x, y, epochs=3, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    adapted.save(tmp_path / "a.keras")
    loaded = keras.saving.load_model(tmp_path / "a.keras")
    assert sum(isinstance(l, BottleneckAdapter) for l in loaded._flatten_layers()) == 2
    np.testing.assert_allclose(loaded.predict(x, verbose=0), adapted.predict(x, verbose=0), atol=1e-5)
