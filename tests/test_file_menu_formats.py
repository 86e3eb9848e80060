"""File menu paths of issue 11: Import of an ONNX model, Export to Synaptic.js and brain.js JSON."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nnstudio.io.export import export_project
from nnstudio.io.importers import import_file
from nnstudio.paths import sample_path


def _errors(window) -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []
    window.show_error = lambda title, text: shown.append((title, text))
    return shown


def test_file_import_opens_an_onnx_model_that_predicts_what_was_exported(window, tmp_path):
    pytest.importorskip("onnx")
    assert window.open_sample(sample_path("iris"))
    project = window.document.project()
    model = tmp_path / "iris.onnx"
    export_project(project, model)
    raw = project.dataset.raw_inputs(project.dataset.X[:5])
    expected = window.document.network.predict(project.dataset.X[:5])
    assert window.import_path(str(model))
    doc = window.document
    assert doc.network is not None and doc.modified and doc.path is None
    # the export took raw inputs (the scaling is built in), so the imported network does too
    assert np.allclose(doc.network.predict(raw), expected, atol=1e-5)


def test_a_bad_onnx_file_is_one_message_and_the_project_stays(window, tmp_path):
    pytest.importorskip("onnx")
    shown = _errors(window)
    before, graph = window.document.dataset, window.document.graph.to_dict()
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"\x08\x07 this is not a model" * 10)
    assert not window.import_path(str(junk))
    assert len(shown) == 1 and shown[0][0] == "Could not import" and "junk.onnx" in shown[0][1]
    assert window.document.dataset is before and window.document.graph.to_dict() == graph


@pytest.mark.parametrize("fmt, action", [("synaptic", "exportSynaptic"), ("brain", "exportBrain")])
def test_export_to_a_javascript_library_from_the_file_menu(window, tmp_path, fmt, action):
    assert action in [a.objectName()[6].lower() + a.objectName()[7:] for a in
                      window.findChild(object, "menuFile").actions() if a.objectName()]
    out = tmp_path / f"net-{fmt}.json"
    window.choose_save_path = lambda caption, filters, suggestion: str(out)
    window.actions[action].trigger()
    doc = json.loads(out.read_text())
    assert ("neurons" in doc and "connections" in doc) if fmt == "synaptic" else ("sizes" in doc and "layers" in doc)
    back = import_file(out)  # nnstudio's own importer reads the library's format back
    X = window.document.dataset.X
    assert np.allclose(back.build_network().predict(X), window.document.network.predict(X), atol=1e-6)


def test_a_network_brain_js_cannot_express_is_refused_with_the_reason(window, tmp_path):
    shown = _errors(window)
    assert window.open_sample(sample_path("iris"))  # a softmax output: brain.js 1.x has none
    out = tmp_path / "iris-brain.json"
    window.choose_save_path = lambda caption, filters, suggestion: str(out)
    window.actions["exportBrain"].trigger()
    assert len(shown) == 1 and shown[0][0] == "Could not export" and not out.exists()
