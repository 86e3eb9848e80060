"""The GUI side of issue 12's file items: a missing onnx package says so, the auto-loss problem is listed."""

import sys

from nnstudio.core import Dataset
from nnstudio.io import export_onnx


def test_onnx_export_without_the_package_shows_a_dialog(window, tmp_path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx now raises ImportError, as when it is missing
    errors = []
    window.show_error = lambda title, text: errors.append(f"{title}: {text}")
    path = tmp_path / "net.onnx"
    path.write_bytes(b"previous")
    assert window.export_to(str(path)) is False
    assert len(errors) == 1 and export_onnx.MISSING_ONNX in errors[0]
    assert path.read_bytes() == b"previous"


def test_auto_loss_problem_with_softmax_and_targets_that_are_not_one_hot(window) -> None:
    doc = window.document
    output = next(layer for layer in doc.graph.layers.values() if layer.role == "output")
    doc.graph.set_layer(output.id, size=2, activation="softmax")
    doc.set_dataset(Dataset([[0, 0], [1, 1]], [[1, 0], [0, 1]]))
    assert doc.network_problems() == []
    doc.set_dataset(Dataset([[0, 0], [1, 1]], [[0.3, 0.3], [2, -1]]))
    problems = doc.network_problems()
    assert len(problems) == 1 and "one-hot" in problems[0] and "mse" in problems[0]
