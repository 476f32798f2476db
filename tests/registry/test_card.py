"""Model cards keep quality metrics and training facts (hyperparameters) apart (issue 19.8)."""

import json
import os
import shutil

from keras_slm.cli import main
from keras_slm.registry import LocalRegistry
from keras_slm.registry.card import make_card, render_markdown


def test_card_splits_metrics_from_hyperparameters():
    metrics = {"validation": {"accuracy": 0.8, "macro_f1": 0.79, "loss": 0.4, "learning_rate": 0.001,
                              "augmented_rows": 1200, "epochs_run": 4, "best_epoch": 3, "teacher_accuracy": 0.9}}
    card = make_card({"task": "text_classification"}, metrics, name="m", extra_metrics={"test_accuracy": 0.81})
    assert card["metrics"] == {"accuracy": 0.8, "macro_f1": 0.79, "loss": 0.4, "test_accuracy": 0.81}
    assert card["training"] == {"learning_rate": 0.001, "augmented_rows": 1200.0, "epochs_run": 4.0,
                                "best_epoch": 3.0, "teacher_accuracy": 0.9}
    text = render_markdown(card)
    metrics_part, training_part = text.split("## Training\n")[0], text.split("## Training\n")[1]
    assert "learning_rate" not in metrics_part and "- learning_rate: 0.001" in training_part


def test_compare_list_show_star_only_metrics(model_dir, tmp_path, capsys):
    reg = LocalRegistry(str(tmp_path / "reg"))
    for lr, loss in ((0.001, 0.5), (0.01, 0.3)):
        copy = str(tmp_path / f"m{lr}")
        shutil.copytree(model_dir, copy)
        path = os.path.join(copy, "metrics.json")
        metrics = json.load(open(path))
        metrics["validation"].update({"learning_rate": lr, "augmented_rows": 10, "loss": loss})
        json.dump(metrics, open(path, "w"))
        reg.push(copy, name="m", bump="minor")
    table = reg.compare("m")
    assert "learning_rate" not in table["metrics"] and "augmented_rows" not in table["metrics"]
    assert table["best"]["loss"] == "1.1.0"  # the lower loss wins
    assert main(["registry", "compare", "m", "--registry", str(tmp_path / "reg")]) == 0
    assert main(["registry", "list", "--registry", str(tmp_path / "reg")]) == 0
    assert main(["registry", "show", "m", "--registry", str(tmp_path / "reg")]) == 0
    out = capsys.readouterr().out
    header = out.splitlines()[1]
    assert "learning_rate" not in header and "loss" in header
    assert "learning_rate=" not in out.split("training")[0]  # list rows and show's metrics line
    assert "learning_rate=0.01" in out.split("  training")[1]  # show's training line
