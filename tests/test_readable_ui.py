"""What a person reads names layers and connection kinds as people do, and stays current: undo texts, the
Properties panel, the math inspector's rows, percentages."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QMessageBox

from nnstudio.ui import MainWindow


@pytest.fixture
def window(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    w.ask_save_changes = lambda: QMessageBox.StandardButton.Discard  # closing at teardown drops the edits
    return w


def test_undo_texts_name_layers_and_kinds_not_ids(window):
    doc, editor = window.document, window.editor
    assert editor.set_layer("L2", size=2) is None
    assert editor.set_connection_kind("L1->L2", "one_to_one") is None
    assert doc.undo_stack.undoText() == "Make Input → Hidden one to one"
    assert editor.remove(conn_ids=["L2->L3"]) is None
    assert doc.undo_stack.undoText() == "Disconnect Hidden → Output"
    texts = [doc.undo_stack.text(k) for k in range(doc.undo_stack.count())]
    assert not any("->" in text or "_" in text for text in texts), texts


def test_the_kind_box_shows_labels_and_sets_the_kind_files_keep(window):
    panel, scene = window.properties_panel, window.scene
    window.editor.set_layer("L2", size=2)
    scene.select(conn_ids=["L1->L2"])
    combo = panel.kind_combo
    assert [combo.itemText(k) for k in range(combo.count())] == ["All to all", "One to one", "All to others"]
    assert combo.currentText() == "All to all"
    combo.setCurrentIndex(combo.findText("All to others"))
    assert window.document.graph.connections["L1->L2"].kind == "all_to_else"
    assert window.document.project().graph.to_dict()["connections"][0]["kind"] == "all_to_else"
    window.actions["undo"].trigger()
    assert combo.currentText() == "All to all"


def test_the_properties_weight_range_follows_weight_edits(window, qtbot):
    panel, doc = window.properties_panel, window.document
    window.scene.select(conn_ids=["L2->L3"])
    assert "weights from" in panel.conn_info.text()
    window.training.set_weight("L2->L3", 0, 0, 7.25)  # a typed weight (one undo step)
    qtbot.waitUntil(lambda: "to 7.25" in panel.conn_info.text())
    params = doc.network.get_params()
    params[doc.network.specs["W:L2->L3"].slice] = [-4.5, 0.5, 1.0]  # as a training frame would bring
    doc.set_params(params)
    qtbot.waitUntil(lambda: "weights from -4.5 to 1" in panel.conn_info.text())
    window.actions["undo"].trigger()
    qtbot.waitUntil(lambda: "to 7.25" not in panel.conn_info.text() and "-4.5" not in panel.conn_info.text())
    w = doc.network.weights["L2->L3"]
    assert f"weights from {w.min():.3g} to {w.max():.3g}" in panel.conn_info.text()
    assert np.isfinite(w).all()


def test_a_refused_table_edit_names_the_cell_and_what_it_keeps(window):
    doc, model = window.document, window.training.data_table.model
    messages = []
    model.editFailed.connect(messages.append)
    before, steps = doc.dataset.X.copy(), doc.undo_stack.count()
    for typed in ("nan", "inf", "x"):
        assert not model.setData(model.index(2, 1), typed)
    assert np.array_equal(doc.dataset.X, before) and doc.undo_stack.count() == steps
    assert messages[0] == "b of row 3 stays 0: 'nan' is not a finite number"
    assert all("stays" in m and "NaN or infinite" not in m for m in messages)
    assert model.setData(model.index(2, 1), "0.5")
    assert doc.undo_stack.undoText() == "Edit b of row 3"


def test_the_training_banner_keeps_off_the_layers(window, qtbot):
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    view, scene = window.view, window.scene
    scene.set_locked(True)

    def layers_under(box) -> list[str]:
        return [item.layer.name for item in scene.layer_items()
                if box.intersects(QRectF(view.mapFromScene(item.sceneBoundingRect()).boundingRect()))]

    view.fit()
    assert view.banner_box().top() < 20 and layers_under(view.banner_box()) == []  # room at the top: there
    hidden = scene.layer_item("L2").sceneBoundingRect()
    bar = view.verticalScrollBar()
    bar.setValue(bar.value() + view.mapFromScene(hidden.topLeft()).y() - 16)  # the layers at the very top
    box = view.banner_box()
    assert layers_under(QRectF(box.left(), 10, box.width(), 28))  # the top place would cover a title
    assert layers_under(box) == [] and box.top() > view.viewport().height() / 2
    view.viewport().grab()  # it paints there without complaint
