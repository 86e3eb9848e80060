"""File → Import… with nnstudio weights files: they go into the open network as one undoable step."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

from nnstudio.core.network import Network
from nnstudio.io.weights_json import write_weights_json, write_weights_npz
from nnstudio.ui import MainWindow
from nnstudio.ui.model.import_weights import is_weights_file

JS = Path(__file__).resolve().parent / "fixtures" / "js"


@pytest.fixture
def window(qtbot):
    w = MainWindow()
    w.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    qtbot.addWidget(w)
    errors: list[str] = []
    w.show_error = lambda title, text: errors.append(f"{title}: {text}")
    w.errors = errors
    yield w
    w.training.controller.shutdown(2000)
    w.document.undo_stack.clear()
    w.scene.clearSelection()


def _other_weights(window) -> Network:
    """The open network's twin with different (reseeded) weights."""
    twin = Network.from_graph(window.document.graph.copy(), seed=1234)
    assert not np.allclose(twin.params, window.document.network.params)
    return twin


@pytest.mark.parametrize("suffix, write", [(".json", write_weights_json), (".npz", write_weights_npz)])
def test_weights_file_loads_into_the_open_network_and_undoes(window, tmp_path, suffix, write) -> None:
    doc = window.document
    before = doc.network.get_params()
    twin = _other_weights(window)
    path = tmp_path / f"w{suffix}"
    write(twin, path)
    graph_before = doc.graph.to_dict()
    assert is_weights_file(path)
    assert window.import_path(str(path)), window.errors
    assert np.allclose(doc.network.params, twin.params)
    assert doc.graph.to_dict() == graph_before  # same project, not a new one
    assert doc.modified
    assert "Loaded weights" in window.statusBar().currentMessage()
    doc.undo_stack.undo()
    assert np.allclose(doc.network.params, before)
    doc.undo_stack.redo()
    assert np.allclose(doc.network.params, twin.params)


def test_mismatched_weights_name_the_layer_and_both_shapes(window, tmp_path) -> None:
    doc = window.document
    bigger = doc.graph.copy()
    hidden = next(layer for layer in bigger.layers.values() if layer.role == "hidden")
    size = hidden.size
    bigger.set_layer(hidden.id, size=size + 2)
    path = tmp_path / "bigger.json"
    write_weights_json(Network.from_graph(bigger, seed=0), path)
    before = doc.network.get_params()
    assert not window.import_path(str(path))
    assert len(window.errors) == 1
    message = window.errors[0]
    assert hidden.name in message
    assert f"shaped {size + 2} in the file, {size} in the network" in message
    assert np.array_equal(doc.network.params, before)
    assert doc.undo_stack.count() == 0


def test_foreign_networks_still_become_new_projects(window) -> None:
    path = JS / "brain_xor-2-3-1.json"
    assert not is_weights_file(path)
    assert window.import_path(str(path)), window.errors
    assert window.document.name == "brain_xor-2-3-1"


def test_a_broken_npz_is_reported_as_a_weights_problem(window, tmp_path) -> None:
    path = tmp_path / "broken.npz"
    path.write_bytes(b"not a zip")
    assert not window.import_path(str(path))
    assert "not a readable .npz" in window.errors[0]
