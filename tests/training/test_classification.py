import numpy as np

from keras_slm.data import read_classification, sample_path
from keras_slm.training import holdout_split, train_classifier


def test_holdout_split_is_seeded_and_disjoint():
    data = read_classification(sample_path("sentiment_en.tsv"))
    a_train, a_val = holdout_split(data, 0.1, seed=3)
    b_train, b_val = holdout_split(data, 0.1, seed=3)
    assert a_val.lines == b_val.lines and len(a_val) == 40
    assert not set(a_train.lines) & set(a_val.lines)
    assert len(a_train) + len(a_val) == len(data)


def test_training_learns_and_is_reproducible():
    data = read_classification(sample_path("sentiment_en.tsv"))
    train, test = holdout_split(data, 0.2, seed=0)
    runs = [
        train_classifier(train, model="awe", seq_len=32, epochs=20, patience=5, batch_size=16, verbose=0, seed=1)
        for _ in range(2)
    ]
    (clf, history, metrics), (clf2, _, metrics2) = runs
    np.testing.assert_allclose(clf.predict_scores(test.texts), clf2.predict_scores(test.texts), atol=1e-6)
    assert metrics["best_epoch"] == int(np.argmax(history["val_accuracy"])) + 1
    assert abs(metrics["accuracy"] - max(history["val_accuracy"])) < 1e-6  # best epoch kept
    assert clf.evaluate(test)["accuracy"] > 0.7  # far above the 0.5 of a constant guess


def test_glove_word_vectors_start_the_embedding():
    import pytest

    from keras_slm.text.word_vectors import load_word_vectors

    data = read_classification(sample_path("sentiment_en.tsv"))
    clf, _, _ = train_classifier(data, model="awe", seq_len=16, epochs=1, verbose=0, word_vectors="glove",
                                 learning_rate=1e-9)
    table = clf.model.get_layer("embedding").embeddings.numpy()
    assert table.shape[1] == 50
    index, vectors = load_word_vectors("glove")
    row = clf.tokenizer.token_to_id("good")
    np.testing.assert_allclose(table[row], vectors[index["good"]], atol=1e-4)  # one epoch at lr 1e-9: unmoved
    with pytest.raises(ValueError, match="needs tokenizer='word'"):
        train_classifier(data, model="awe", tokenizer="char", epochs=1, verbose=0, word_vectors="glove")


def test_leak_free_holdout_keeps_phrases_of_validation_sentences_out_of_training(tmp_path):
    """SST-2 rows are sentences and their own sub-phrases: validation holds out whole sentences."""
    from tests.conftest import shared_data

    with open(shared_data("sst2", "train.tsv"), encoding="utf-8") as f:
        header, *lines = f.readlines()
    texts = [line.split("\t")[0] for line in lines]
    sentences = [t for t in texts if len(t.split()) >= 15][:60]
    spans = {" ".join(s.split()[i:j]) for s in sentences for i in range(len(s.split()))
             for j in range(i + 1, len(s.split()) + 1)}
    path = tmp_path / "phrases.tsv"
    path.write_text(header + "".join(line for t, line in zip(texts, lines) if t in spans), encoding="utf-8")
    data = read_classification(str(path))
    assert len(data) > 10 * len(sentences)  # the sentences with many of their phrases

    train, val = holdout_split(data, 0.1, seed=0, leak_free=True)
    assert holdout_split(data, 0.1, seed=0, leak_free=True)[1].lines == val.lines
    inside_val = {" ".join(t.split()[i:j]) for t in val.texts for i in range(len(t.split()))
                  for j in range(i + 1, len(t.split()) + 1)}
    assert len(val) >= 3 and set(val.texts) <= set(sentences)  # whole sentences only
    assert not inside_val & set(train.texts)  # no validation phrase is trained on
    assert set(train.texts) >= set(sentences) - set(val.texts)  # the other sentences stay
    # A plain random split of the same rows scores phrases of trained sentences.
    plain_train, plain_val = holdout_split(data, 0.1, seed=0)
    assert len(plain_train) + len(plain_val) == len(data) > len(train) + len(val)


def test_leak_free_holdout_splits_sentence_level_data_as_a_random_split():
    data = read_classification(sample_path("sentiment_en.tsv"))
    a_train, a_val = holdout_split(data, 0.1, seed=3, leak_free=True)
    b_train, b_val = holdout_split(data, 0.1, seed=3)
    assert a_val.lines == b_val.lines and a_train.lines == b_train.lines


def test_noisy_alternatives_hold_each_rows_copies_and_noise_keeps_the_epoch_length():
    from keras_slm.text import WordTokenizer
    from keras_slm.training.classification import noisy_alternatives

    data = read_classification(sample_path("sentiment_en.tsv"))
    tok = WordTokenizer.fit(data.texts)
    x = tok.encode(data.texts, 32)
    alternatives = noisy_alternatives(tok, data.texts, x, 32, 2, seed=0)
    assert alternatives.shape == (2,) + x.shape
    changed = (alternatives != x[None]).any(axis=2)
    assert changed.mean() > 0.5  # most copies differ from their row (typos -> <UNKNOWN>, dropped words)
    from keras_slm.evaluation.perturbations import noisy_copies

    copies, source = noisy_copies(data.texts, 2, seed=0)
    np.testing.assert_array_equal(alternatives[0, source[0]], tok.encode(copies[:1], 32)[0])  # copy 0 of its row
    unchanged = sorted(set(range(len(x))) - set(source))  # rows no perturbation changed keep their own ids
    assert unchanged and (alternatives[:, unchanged] == x[None, unchanged]).all()
    assert (changed.sum(axis=0) <= np.bincount(source, minlength=len(x))).all()
    # Training with noise runs as many steps per epoch as without: the copies replace rows, not add to them.
    import keras

    steps = []
    count = keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: steps.append(batch))
    for copies_n in (0, 1):
        train_classifier(data, model="awe", seq_len=32, epochs=1, batch_size=40, verbose=0,
                         noise_copies=copies_n, callbacks=[count])
    assert len(steps) == 2 * 9  # 360 training rows / 40, with or without noise
