"""The headless commands: train and predict, clear one-line errors."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nnstudio.cli import main
from nnstudio.io.project import load_project

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def test_train_json_and_out(tmp_path, capsys) -> None:
    out = tmp_path / "trained.nnstudio"
    assert main(["train", str(SAMPLES / "xor.nnstudio"), "--epochs", "2700", "--out", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["epochs"] == 2700 and report["reason"] == "max_epochs"  # just before its target error
    assert [round(o[0]) for o in report["outputs"]] == [0, 1, 1, 0]
    saved = load_project(out)
    assert saved.weights is not None and saved.history.last_epoch == 2700


def test_train_text_table(capsys) -> None:
    assert main(["train", str(SAMPLES / "xor.nnstudio"), "--epochs", "50", "--rate", "0.5", "--seed", "3"]) == 0
    text = capsys.readouterr().out
    assert "maximum number of epochs reached after 50 epochs" in text
    assert "target xor" in text and "output xor" in text


def test_predict(capsys) -> None:
    assert main(["predict", str(SAMPLES / "xor.nnstudio"), "1", "0", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["outputs"]) == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["train", "missing.nnstudio"], "No such file"),
        (["predict", str(SAMPLES / "xor.nnstudio"), "1"], "2 inputs, 1 values"),
        (["train", str(SAMPLES / "xor.nnstudio"), "--epochs", "0"], "max epochs"),
        (["train", str(SAMPLES / "xor.nnstudio"), "--rate", "abc"], "invalid float value"),
    ],
)
def test_errors_are_one_line_without_traceback(args, message) -> None:
    result = subprocess.run([sys.executable, "-m", "nnstudio", *args], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_training_a_trained_project_trains_on(tmp_path, capsys) -> None:
    first, second = tmp_path / "a.nnstudio", tmp_path / "b.nnstudio"
    assert main(["train", str(SAMPLES / "xor.nnstudio"), "--epochs", "200", "--out", str(first), "--json"]) == 0
    capsys.readouterr()
    assert main(["train", str(first), "--epochs", "100", "--out", str(second), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["reason"] == "max_epochs" and report["epochs"] == 100 and report["total_epochs"] == 300
    assert report["error"] is not None
    history = load_project(second).history
    assert history.last_epoch == 300 and np.all(np.diff(history.epochs) > 0)


def test_unknown_command_and_version() -> None:
    typo = subprocess.run([sys.executable, "-m", "nnstudio", "trian", "x.nnstudio"], capture_output=True, text=True)
    assert typo.returncode == 2 and "unknown command 'trian'" in typo.stderr
    version = subprocess.run([sys.executable, "-m", "nnstudio", "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("nnstudio ")


def test_a_closed_pipe_is_not_an_error() -> None:
    cmd = f"{sys.executable} -m nnstudio train {SAMPLES / 'spiral.nnstudio'} --epochs 5 | head -c 10"
    result = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True, text=True, timeout=60)
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr


def test_train_in_float32(tmp_path, capsys) -> None:
    out = tmp_path / "trained32.nnstudio"
    args = ["train", str(SAMPLES / "xor.nnstudio"), "--epochs", "2000", "--dtype", "float32", "--out", str(out)]
    assert main([*args, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [round(o[0]) for o in report["outputs"]] == [0, 1, 1, 0]
    assert load_project(out).settings.dtype == "float32"


def test_predict_on_an_untrained_project_says_so_and_how_to_train(tmp_path, capsys) -> None:
    assert main(["predict", str(SAMPLES / "xor.nnstudio"), "1", "0"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("xor: ") and "untrained" in captured.err and "nnstudio train" in captured.err
    trained = tmp_path / "trained.nnstudio"
    assert main(["train", str(SAMPLES / "xor.nnstudio"), "--epochs", "20", "--out", str(trained), "--json"]) == 0
    capsys.readouterr()
    assert main(["predict", str(trained), "1", "0", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["outputs"] and captured.err == ""  # a trained project: no note
