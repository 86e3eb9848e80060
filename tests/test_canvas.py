"""The canvas: palette drops, the connect gesture, refusals, undo/redo, deletion, item hygiene, weights."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from nnstudio.core import Layer
from nnstudio.ui import MainWindow
from nnstudio.ui.canvas import PALETTE_MIME, ConnectionItem, LayerItem
from nnstudio.ui.canvas.layer_item import MAX_SHOWN


@pytest.fixture
def window(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    w.ask_save_changes = lambda: QMessageBox.StandardButton.Discard  # closing at teardown drops the edits
    w.show()
    w.view.resetTransform()
    w.view.centerOn(260 + 75, 60)
    QApplication.processEvents()
    return w


def viewport_point(window, scene_pos: QPointF) -> QPoint:
    return window.view.mapFromScene(scene_pos)


def drag(window, start: QPointF, end: QPointF, steps: int = 5) -> None:
    """A left-button mouse drag on the canvas viewport between two scene positions."""
    viewport = window.view.viewport()
    a, b = viewport_point(window, start), viewport_point(window, end)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    for k in range(1, steps + 1):
        QTest.mouseMove(viewport, a + (b - a) * k / steps)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)


def drop_palette_entry(window, entry: dict, scene_pos: QPointF) -> None:
    mime = QMimeData()
    mime.setData(PALETTE_MIME, json.dumps(entry).encode())
    pos = QPointF(viewport_point(window, scene_pos))
    viewport = window.view.viewport()
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(pos.toPoint(), Qt.DropAction.CopyAction, mime, buttons, mods)
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(viewport, QDropEvent(pos, Qt.DropAction.CopyAction, mime, buttons, mods))


def unconnected_pair(window) -> tuple[str, str]:
    """Remove Input → Hidden so the drag tests have something to connect."""
    window.editor.remove(conn_ids=["L1->L2"])
    return "L1", "L2"


def test_dropping_a_palette_entry_creates_a_layer_where_it_was_dropped(window):
    before = set(window.document.graph.layers)
    drop_palette_entry(window, {"role": "hidden"}, QPointF(300, 400))
    new = set(window.document.graph.layers) - before
    assert len(new) == 1
    layer = window.document.graph.layers[new.pop()]
    assert layer.role == "hidden" and layer.name == "Hidden 2"
    item = window.scene.layer_item(layer.id)
    assert item.sceneBoundingRect().contains(QPointF(300, 400))
    assert window.document.undo_stack.count() == 1


def test_dropping_a_preset_adds_the_whole_network_as_one_undo_step(window):
    drop_palette_entry(window, {"preset": "Deep 6-4-3-1"}, QPointF(0, 600))
    graph = window.document.graph
    assert len(graph.layers) == 3 + 4 and len(graph.connections) == 2 + 3
    assert sorted(layer.size for layer in graph.layers.values())[-1] == 6
    window.document.undo_stack.undo()
    assert len(graph.layers) == 3 and len(window.scene.layer_items()) == 3


def test_enter_in_the_palette_adds_at_the_view_centre(window, qtbot):
    palette = window.palette_list
    palette.setFocus()
    palette.setCurrentRow(2)  # Output layer
    qtbot.keyClick(palette, Qt.Key.Key_Return)
    outputs = window.document.graph.layers_with_role("output")
    assert len(outputs) == 2
    item = window.scene.layer_item(outputs[1].id)
    assert item.sceneBoundingRect().contains(window.view.center_scene_pos())


def test_port_to_port_drag_connects(window):
    source, target = unconnected_pair(window)
    scene = window.scene
    start = scene.layer_item(source).output_port()
    end = scene.layer_item(target).input_port()
    count = window.document.undo_stack.count()
    drag(window, start, end)
    conn = window.document.graph.find_connection(source, target)
    assert conn is not None
    assert isinstance(scene.connection_item(conn.id), ConnectionItem)
    assert window.document.undo_stack.count() == count + 1
    assert scene.interaction is None and not any(i.highlight for i in scene.layer_items())


def test_the_live_curve_highlights_targets_and_escape_cancels(window):
    unconnected_pair(window)
    scene, viewport = window.scene, window.view.viewport()
    start = viewport_point(window, scene.layer_item("L1").output_port())
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(viewport, start + QPoint(60, 40))
    assert scene.interaction is not None
    assert scene.layer_item("L2").highlight == "valid"
    assert scene.layer_item("L3").highlight == "valid"
    pipe = scene.interaction.pipe
    assert pipe.scene() is scene and pipe.path().length() > 30
    QTest.keyClick(window.view, Qt.Key.Key_Escape)
    assert scene.interaction is None and pipe.scene() is None
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start + QPoint(60, 40))
    assert window.document.graph.find_connection("L1", "L2") is None


@pytest.mark.parametrize(
    ("source", "target", "reason"),
    [
        ("L2", "L2", "cannot connect to itself"),
        ("L2", "L1", "is an input layer"),
        ("L1", "L2", "already connected"),
        ("L2", "L4", "cycle"),
    ],
)
def test_invalid_drags_are_refused_with_their_reason(window, source, target, reason):
    graph = window.document.graph
    # L4 feeds Hidden (L2), so Hidden → L4 would close a cycle
    window.editor.add_layer("hidden", (260, 300))
    window.editor.connect("L4", "L2")
    before = graph.to_dict()
    drag(window, window.scene.layer_item(source).output_port(), window.scene.layer_item(target).input_port())
    assert graph.to_dict() == before
    assert reason in window.statusBar().currentMessage()
    assert window.statusBar().currentMessage().startswith("Cannot connect")


def test_keyboard_connect_refuses_from_an_output_and_unequal_one_to_one(window):
    graph = window.document.graph
    window.scene.select(layer_ids=["L3", "L1"])
    window.editor.remove(conn_ids=["L1->L2"])
    window.scene.select(layer_ids=["L1", "L2"])
    window.actions["connect"].trigger()
    assert graph.find_connection("L1", "L2") is not None  # the keyboard path works
    assert "output layer" in window.editor.connect("L3", "L2")
    assert "equal sizes" in window.editor.connect("L1", "L3", "one_to_one")
    assert "equal sizes" in window.editor.set_connection_kind("L2->L3", "one_to_one")
    assert graph.connections["L2->L3"].kind == "all_to_all"


def test_ten_step_session_undone_and_redone_restores_the_graph_each_way(window, qtbot):
    doc, editor, graph = window.document, window.editor, window.document.graph
    states = [graph.to_dict()]

    def step():
        states.append(graph.to_dict())

    hidden2 = editor.add_layer("hidden", (260, 250))
    step()
    editor.connect("L1", hidden2)
    step()
    editor.connect(hidden2, "L3")
    step()
    editor.set_layer(hidden2, size=5)
    step()
    window.scene.select(layer_ids=["L2"])
    panel = window.properties_panel
    panel.name_edit.setFocus()
    panel.name_edit.selectAll()
    qtbot.keyClicks(panel.name_edit, "Middle")  # six keystrokes, one undo step
    assert graph.layers["L2"].name == "Middle"
    step()
    drag(window, window.scene.layer_item("L3").mapToScene(QPointF(75, 10)),
         window.scene.layer_item("L3").mapToScene(QPointF(75, 90)))
    step()
    editor.set_layer("L2", activation="tanh")
    step()
    editor.duplicate([hidden2])
    step()
    editor.remove(["L1"])
    step()
    editor.add_preset("Perceptron 2-1", (0, 600))
    step()
    assert doc.undo_stack.count() == 10
    assert len({json.dumps(s, sort_keys=True) for s in states}) == 11
    for k in range(10, 0, -1):
        doc.undo_stack.undo()
        assert graph.to_dict() == states[k - 1]
    for k in range(1, 11):
        doc.undo_stack.redo()
        assert graph.to_dict() == states[k]
    assert {i.layer_id for i in window.scene.layer_items()} == set(graph.layers)
    assert {i.conn_id for i in window.scene.connection_items()} == set(graph.connections)


def test_moving_several_layers_is_one_undo_step(window):
    scene, graph = window.scene, window.document.graph
    scene.select(layer_ids=["L1", "L2"])
    before = {lid: graph.layers[lid].position for lid in ("L1", "L2", "L3")}
    grab = scene.layer_item("L1").mapToScene(QPointF(75, 10))
    drag(window, grab, grab + QPointF(40, 60))
    assert graph.layers["L1"].position != before["L1"]
    assert graph.layers["L2"].position != before["L2"]
    assert graph.layers["L3"].position == before["L3"]
    assert window.document.undo_stack.count() == 1
    window.document.undo_stack.undo()
    assert {lid: graph.layers[lid].position for lid in before} == before
    assert scene.layer_item("L1").pos() == QPointF(*before["L1"])


def test_arrow_keys_move_the_selected_layers(window, qtbot):
    window.scene.select(layer_ids=["L1", "L3"])
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Right)
    qtbot.keyClick(window.view, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    graph = window.document.graph
    assert graph.layers["L1"].position == (20.0, 100.0)
    assert graph.layers["L3"].position == (540.0, 100.0)
    assert graph.layers["L2"].position == (260.0, 0.0)
    assert window.scene.layer_item("L1").pos() == QPointF(20, 100)
    window.document.undo_stack.undo()
    assert graph.layers["L1"].position == (20.0, 0.0)


def test_rubber_band_and_ctrl_click_select(window):
    scene, viewport = window.scene, window.view.viewport()
    left_of_input = viewport_point(window, scene.layer_item("L1").mapToScene(QPointF(-30, -15)))
    below_hidden = viewport_point(window, scene.layer_item("L2").mapToScene(QPointF(160, 140)))
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, left_of_input)
    for k in range(1, 6):
        QTest.mouseMove(viewport, left_of_input + (below_hidden - left_of_input) * k / 5)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, below_hidden)
    assert sorted(scene.selected_layer_ids()) == ["L1", "L2"]
    output = viewport_point(window, scene.layer_item("L3").mapToScene(QPointF(75, 10)))
    QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier, output)
    assert sorted(scene.selected_layer_ids()) == ["L1", "L2", "L3"]
    assert window.document.undo_stack.count() == 0  # selecting is not an edit


def test_snap_to_grid(window):
    window.actions["snapToGrid"].setChecked(True)
    grab = window.scene.layer_item("L3").mapToScene(QPointF(75, 10))
    drag(window, grab, grab + QPointF(33, 47))
    x, y = window.document.graph.layers["L3"].position
    assert x % 20 == 0 and y % 20 == 0 and (x, y) != (520, 0)


def test_deleting_a_layer_removes_its_connections(window):
    window.scene.select(layer_ids=["L2"])
    window.actions["delete"].trigger()
    graph = window.document.graph
    assert "L2" not in graph.layers and not graph.connections
    assert not window.scene.connection_items()
    assert "L2 has" not in " ".join(window.validation_list.problems())
    assert any("no outgoing" in p for p in window.validation_list.problems())
    assert not window.actions["train"].isEnabled()
    window.document.undo_stack.undo()
    assert set(graph.connections) == {"L1->L2", "L2->L3"}
    assert len(window.scene.connection_items()) == 2
    assert window.actions["train"].isEnabled()


def test_two_hundred_add_remove_cycles_leave_no_stray_items(window):
    # the count is exact, so one stray item per cycle shows after the first; each cycle rebuilds the network
    # and reloads the views three times (~0.1 s on a busy machine), and 1,000 cycles outran the time-out
    scene, editor = window.scene, window.editor
    baseline = len(scene.items())
    for _ in range(200):
        new = editor.add_layer("hidden", (100, 300))
        editor.connect("L2", new)
        editor.remove([new])
    assert len(scene.items()) == baseline
    assert len(scene.layer_items()) == 3 and len(scene.connection_items()) == 2


def test_graph_round_trips_through_save_and_load_with_positions(window, qtbot, tmp_path):
    window.editor.move_layers({"L2": (300.0, 140.0)})
    window.editor.add_layer("hidden", (40.0, 420.0))
    window.editor.connect("L1", "L4")
    window.editor.connect("L4", "L3")
    path = tmp_path / "net.nnstudio"
    assert window.save_to(str(path))
    reopened = MainWindow(str(path))
    qtbot.addWidget(reopened)
    reopened.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    assert reopened.document.graph.to_dict() == window.document.graph.to_dict()
    assert reopened.scene.layer_item("L2").pos() == QPointF(300, 140)
    assert reopened.scene.layer_item("L4").pos() == QPointF(40, 420)


def test_synapses_show_the_networks_weights_and_follow_updates(window):
    net = window.document.network
    item = window.scene.connection_item("L1->L2")
    assert item.n_synapses == 6
    assert item.weight(1, 2) == pytest.approx(net.weights["L1->L2"][1, 2])
    params = net.get_params()
    params[net.specs["W:L1->L2"].slice] = np.linspace(-3, 3, 6)
    window.document.set_params(params)
    assert item.weight(0, 0) == pytest.approx(-3.0)
    assert window.scene.weight_scale == 3.0  # the weights outgrew the scale: rounded anew
    pens = [pen for pen, _lines in item._batches]
    assert pens[0].color() != pens[-1].color()
    assert sum(len(lines.ndarray()) for _pen, lines in item._batches) == 6


def test_fresh_weights_are_marked_after_a_structural_edit_of_a_trained_network(window):
    doc = window.document
    doc.set_params(doc.network.get_params() + 0.5)  # as if trained
    window.editor.set_layer("L2", size=4)
    assert "W:L1->L2" in doc.fresh_keys
    assert window.scene.connection_item("L1->L2").fresh
    assert window.scene.connection_item("L1->L2").n_synapses == 8
    assert window.scene.layer_item("L2").fresh_bias


def test_clicking_a_synapse_selects_it_and_a_double_click_asks_for_its_weight(window, qtbot, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    asked = []

    def get_double(*args, **_kwargs):
        asked.append(args)
        return 0.0, False  # cancelled

    monkeypatch.setattr(QInputDialog, "getDouble", staticmethod(get_double))
    scene = window.scene
    item = scene.connection_item("L2->L3")
    a = scene.layer_item("L2")
    b = scene.layer_item("L3")
    y1 = a.pos().y() + a.neuron_ys()[1]
    y2 = b.pos().y() + b.neuron_ys()[0]
    x1, x2 = a.pos().x() + 150, b.pos().x()
    middle = QPointF((x1 + x2) / 2, (y1 + y2) / 2)
    with qtbot.waitSignal(scene.synapseClicked) as blocker:
        QTest.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         viewport_point(window, middle))
    assert blocker.args == ["L2->L3", 1, 0]
    assert item.isSelected()
    assert asked == []  # a single click only selects
    with qtbot.waitSignal(scene.synapseDoubleClicked) as blocker:
        QTest.mouseDClick(window.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                          viewport_point(window, middle))
    assert blocker.args == ["L2->L3", 1, 0]
    assert len(asked) == 1
    label = asked[0][2]
    assert "Hidden 2 → Output 1" in label and "L2" not in label
    text = scene.describe_at(middle, 4)
    assert "Hidden 2 → Output 1" in text and "double-click" in text
    assert f"{window.document.network.weights['L2->L3'][1, 0]:.4g}" in text


def test_neuron_values_and_images_for_the_training_views(window):
    from PySide6.QtGui import QImage

    item = window.scene.layer_item("L2")
    item.set_neuron_values(np.array([0.1, 0.5, 0.9]))
    assert "value: 0.5" in window.scene.describe_at(item.mapToScene(QPointF(75, item.neuron_ys()[1])), 4)
    with pytest.raises(ValueError):
        item.set_neuron_values(np.zeros(5))
    item.set_neuron_images(None)
    height = item.height()
    images = [QImage(8, 8, QImage.Format.Format_RGB32) for _ in range(3)]
    item.set_neuron_images(images)
    assert item.height() > height
    conn = window.scene.connection_item("L1->L2")
    assert conn.boundingRect().bottom() > height  # the synapses followed the taller neurons
    window.grab()


def test_neuron_colours_of_a_large_layer_follow_its_values(window):
    """The circles of a large layer take the diverging map's colours of their values (only they are coloured)."""
    from nnstudio.ui.canvas.layer_item import MAX_SHOWN
    from nnstudio.ui.theme.colormap import color_at

    window.document.graph.add_layer(Layer(300, role="hidden", name="Big", position=(0, 500), id="B1"))
    item = window.scene.layer_item("B1")
    values = np.linspace(-3.0, 3.0, 300)
    item.set_neuron_values(values)
    colours = item._value_colors
    assert len(colours) == len(item.visible_neurons()) < MAX_SHOWN
    for i, _y in item.visible_neurons():
        expected = color_at(values[i] / 3.0)
        assert colours[i].getRgb()[:3] == expected.getRgb()[:3]
    assert item.neuron_value(150) == values[150]
    window.grab()


def test_large_layers_are_elided_and_their_hidden_synapses_sampled(window):
    doc = window.document
    doc.graph.add_layer(Layer(784, role="hidden", name="Big", position=(0, 500), id="B1"))
    doc.graph.add_layer(Layer(128, role="hidden", name="Mid", position=(300, 500), id="B2"))
    doc.graph.connect("B1", "B2")
    item = window.scene.layer_item("B1")
    assert len(item.visible_neurons()) < MAX_SHOWN
    assert not item.childItems()
    conn = window.scene.connection_item("B1->B2")
    assert conn.n_synapses == 784 * 128
    assert conn.n_drawn < 784 * 128 / 5  # long raster lines cost their length: the hidden fan is sampled
    shown = np.flatnonzero(item.shown_mask())
    drawn = set(zip(conn._i.tolist(), conn._j.tolist(), strict=True))
    assert all((i, j) in drawn for i in shown for j in np.flatnonzero(window.scene.layer_item("B2").shown_mask()))
    assert all(isinstance(i, (LayerItem, ConnectionItem)) for i in window.scene.items())


def test_training_lock_blocks_structural_edits(window):
    window.document.set_training(True)
    graph = window.document.graph
    before = graph.to_dict()
    drop_palette_entry(window, {"role": "hidden"}, QPointF(300, 400))
    window.scene.select(layer_ids=["L2"])
    window.actions["delete"].trigger()
    assert window.editor.set_layer("L2", size=7) is not None
    assert graph.to_dict() == before
    assert not window.actions["delete"].isEnabled()
    window.document.set_training(False)
    assert window.editor.set_layer("L2", size=7) is None


def test_activations_and_neuron_pictures_reach_the_canvas_through_the_document(window):
    from PySide6.QtGui import QImage

    doc, item = window.document, window.scene.layer_item("L2")
    at_second = item.mapToScene(QPointF(75, item.neuron_ys()[1]))
    doc.show_activations({"L2": np.array([0.1, 0.25, 0.9]), "L9": np.zeros(2), "L3": np.zeros(7)})
    assert "value: 0.25" in window.scene.describe_at(at_second, 4)  # unknown or misfit layers are skipped
    doc.show_neuron_images(None)  # (a two-input network starts with pictures)
    height = item.height()
    doc.show_neuron_images({"L2": [QImage(8, 8, QImage.Format.Format_RGB32) for _ in range(3)]})
    assert item.height() > height
    doc.show_neuron_images({"L2": [QImage(8, 8, QImage.Format.Format_RGB32) for _ in range(5)]})
    assert item.height() > height  # pictures that do not fit the layer leave it as it was
    doc.show_neuron_images(None)
    assert item.height() == height


def test_the_training_state_locks_every_view_from_the_document(window):
    window.scene.select(layer_ids=["L2"])
    window.document.set_training(True)
    assert window.scene.locked and not window.palette_list.isEnabled()
    assert not window.actions["delete"].isEnabled() and not window.actions["open"].isEnabled()
    window.document.set_training(False)
    assert not window.scene.locked and window.palette_list.isEnabled() and window.actions["delete"].isEnabled()
