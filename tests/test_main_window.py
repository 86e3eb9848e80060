"""The main window: automation names, shortcuts, files, unsaved changes, autosave and crash recovery."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QImage, QKeySequence
from PySide6.QtWidgets import QDockWidget, QGraphicsView, QMessageBox

from nnstudio.io.project import load_project
from nnstudio.ui import MainWindow
from nnstudio.ui.files import AUTOSAVE_INTERVAL_MS, app_data_dir, autosave_dir

REQUIRED_ACTIONS = [
    "actionNew", "actionOpen", "actionSave", "actionSaveAs", "actionExport", "actionImport", "actionUndo",
    "actionRedo", "actionDelete", "actionConnect", "actionAutoLayout", "actionTrain", "actionPause", "actionStep",
    "actionStop", "actionReset",
]
FIXTURES = Path(__file__).parent / "fixtures"
SAVE, DISCARD, CANCEL = (QMessageBox.StandardButton.Save, QMessageBox.StandardButton.Discard,
                         QMessageBox.StandardButton.Cancel)


class Prompts:
    """Stands in for the window's dialogs: records what was asked, answers as told."""

    def __init__(self, window: MainWindow):
        self.asked: list[str] = []
        self.errors: list[str] = []
        self.answer = DISCARD
        window.ask_save_changes = self._ask
        window.show_error = lambda title, text: self.errors.append(f"{title}: {text}")

    def _ask(self):
        self.asked.append("save?")
        return self.answer


@pytest.fixture
def window(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    w.prompts = Prompts(w)
    w.show()
    return w


def modify(window: MainWindow) -> None:
    window.editor.set_layer("L2", size=4)


def test_automation_names_tooltips_and_shortcuts(window):
    for name in REQUIRED_ACTIONS:
        action = window.findChild(QAction, name)
        assert action is not None, name
        assert action.toolTip() and action.text(), name
    assert all(a.objectName().startswith("action") and a.toolTip() for a in window.actions.values())
    assert window.actions["train"] is window.findChild(QAction, "actionTrain")
    for name in ("palette", "properties", "validation"):
        dock = window.findChild(QDockWidget, name)
        assert dock is not None and dock.accessibleName()
    view = window.findChild(QGraphicsView, "canvas")
    assert view is window.view and view.accessibleName()
    assert window.actions["new"].shortcut() == QKeySequence(QKeySequence.StandardKey.New)
    assert window.actions["undo"].shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    assert QKeySequence(QKeySequence.StandardKey.Delete) in window.actions["delete"].shortcuts()
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert titles[:5] == ["File", "Edit", "View", "Network", "Help"]
    assert window.toolbar.actions()


def test_title_marks_unsaved_changes(window, tmp_path):
    assert not window.isWindowModified() and "[*]" in window.windowTitle()
    modify(window)
    assert window.isWindowModified()
    assert window.save_to(str(tmp_path / "a.nnstudio"))
    assert not window.isWindowModified()
    assert window.windowTitle().startswith("a.nnstudio")


@pytest.mark.parametrize(
    ("content", "named"),
    [
        (b"", ""),
        (b'{"format": "nnstudio", "version": 1, "graph": {"layers": [', ""),
        (bytes(range(256)) * 4, ""),
        (json.dumps({"format": "nnstudio", "version": 99}).encode(), "version"),
    ],
)
def test_a_bad_file_shows_what_is_wrong_and_leaves_the_document_untouched(window, tmp_path, content, named):
    modify(window)
    before = (window.document.graph.to_dict(), window.document.path, window.document.undo_stack.count())
    bad = tmp_path / "bad.nnstudio"
    bad.write_bytes(content)
    assert not window.open_path(str(bad))
    assert (window.document.graph.to_dict(), window.document.path, window.document.undo_stack.count()) == before
    assert window.isWindowModified()
    assert len(window.prompts.errors) == 1 and str(bad) in window.prompts.errors[0]
    assert named in window.prompts.errors[0]


def test_unsaved_changes_prompt_on_new(window, tmp_path):
    modify(window)
    window.prompts.answer = CANCEL
    assert not window.new_document()
    assert window.document.graph.layers["L2"].size == 4 and window.prompts.asked == ["save?"]
    window.prompts.answer = DISCARD
    assert window.new_document()
    assert window.document.graph.layers["L2"].size == 3 and not window.isWindowModified()


def test_save_answer_saves_before_opening(window, tmp_path):
    path = tmp_path / "kept.nnstudio"
    assert window.save_to(str(path))
    modify(window)
    window.prompts.answer = SAVE
    other = Path(__file__).parent.parent / "samples" / "xor.nnstudio"
    assert window.open_path(str(other))
    assert load_project(path).graph.layers["L2"].size == 4
    assert window.document.path == str(other)


def test_close_asks_and_cancel_keeps_the_window(window):
    modify(window)
    window.prompts.answer = CANCEL
    assert not window.close()
    assert window.isVisible()
    window.prompts.answer = DISCARD
    assert window.close()
    assert QSettings("nnstudio", "nnstudio").value("layouts/simple/state") is not None


def test_autosave_goes_to_the_app_data_folder(window, tmp_path, qtbot):
    user_file = tmp_path / "work" / "net.nnstudio"
    user_file.parent.mkdir()
    assert window.save_to(str(user_file))
    modify(window)
    assert window.autosaver.timer.interval() == AUTOSAVE_INTERVAL_MS == 30_000
    with qtbot.waitSignal(window.autosaver.saved, timeout=30_000):  # written on the writer's thread
        window.autosaver.timer.timeout.emit()  # what the 30 s timer does
    saved = window.autosaver.path
    assert saved.exists() and saved.parent == autosave_dir()
    assert str(app_data_dir()).startswith(str(tmp_path / "data"))
    assert sorted(p.name for p in user_file.parent.iterdir()) == ["net.nnstudio"]
    assert load_project(saved).graph.layers["L2"].size == 4
    assert window.save_to(str(user_file))
    assert not saved.exists()  # saved by the user: nothing left to recover


CRASHING_SESSION = textwrap.dedent(
    """
    import os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtWidgets import QApplication
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, sys.argv[1])
    app = QApplication([])
    from nnstudio.ui.model.document import Document
    from nnstudio.ui.files import Autosaver
    doc = Document(path="/somewhere/crashed.nnstudio")
    doc.graph.set_layer("L2", name="Unsaved work", size=5)
    saver = Autosaver(doc)  # holds the session lock until the process dies
    saver.autosave_now()
    os._exit(3)  # a crash: no cleanup
    """
)


def test_recovery_is_offered_after_a_crash(window, tmp_path):
    env = {**__import__("os").environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    run = subprocess.run([sys.executable, "-c", CRASHING_SESSION, str(tmp_path / "config")], env=env, timeout=120)
    assert run.returncode == 3
    offered = []
    window.ask_recover = lambda recovery: offered.append(recovery) or True
    assert window.offer_recovery()
    assert offered[0].original_path == "/somewhere/crashed.nnstudio"
    layer = window.document.graph.layers["L2"]
    assert (layer.name, layer.size) == ("Unsaved work", 5)
    assert window.isWindowModified() and window.document.path == "/somewhere/crashed.nnstudio"
    assert not window.offer_recovery()  # offered once, then cleaned up
    assert [p.name for p in autosave_dir().glob("autosave-*")] == [window.autosaver.path.name]


def test_a_running_session_is_not_offered_for_recovery(window, qtbot):
    other = MainWindow()
    qtbot.addWidget(other)
    other.prompts = Prompts(other)
    modify(other)
    other.autosave_now()
    window.ask_recover = lambda recovery: pytest.fail("a live session's autosave was offered")
    assert not window.offer_recovery()
    assert other.autosaver.path.exists()


def test_recent_files_and_samples(window, tmp_path):
    path = tmp_path / "r.nnstudio"
    window.save_to(str(path))
    assert window.recent.paths()[0] == str(path.resolve())
    window.files.fill_recent_menu()
    assert "r.nnstudio" in [a.text() for a in window.recent_menu.actions()]
    samples = window.files.sample_paths()
    assert any(p.stem == "xor" for p in samples)
    assert window.open_sample(next(p for p in samples if p.stem == "xor"))
    assert window.document.path is None and window.document.network is not None


def test_canvas_images_and_exports(window, tmp_path):
    png, svg = tmp_path / "c.png", tmp_path / "c.svg"
    assert window.export_to(str(png)) and window.export_to(str(svg))
    image = QImage(str(png))
    assert image.width() > 600 and image.height() > 100
    assert "<svg" in svg.read_text()
    weights = tmp_path / "w.json"
    assert window.export_to(str(weights)), window.prompts.errors
    assert json.loads(weights.read_text())["format"] == "nnstudio-weights"


def test_import_a_synaptic_network(window):
    path = FIXTURES / "js" / "synaptic_xor-2-3-1.json"
    assert window.import_path(str(path)), window.prompts.errors
    sizes = sorted(layer.size for layer in window.document.graph.layers.values())
    assert sizes == [1, 2, 3]
    assert window.isWindowModified() and window.document.path is None


def test_auto_layout_and_training_lock_banner(window):
    window.editor.move_layers({"L1": (500.0, 300.0), "L3": (-200.0, -50.0)})
    window.editing.auto_layout()
    xs = [window.document.graph.layers[lid].position[0] for lid in ("L1", "L2", "L3")]
    assert xs == sorted(xs) and xs[0] < xs[1] < xs[2]
    window.document.undo_stack.undo()
    assert window.document.graph.layers["L1"].position == (500.0, 300.0)
    window.document.set_training(True)
    assert window.scene.locked and not window.palette_list.isEnabled()
    assert not window.actions["delete"].isEnabled() and not window.actions["new"].isEnabled()
    window.document.set_training(False)
    assert window.palette_list.isEnabled()


def test_dark_theme_switches_the_canvas_colours(window):
    from nnstudio.ui.theme.style import canvas_theme

    window.actions["darkTheme"].setChecked(True)
    try:
        assert canvas_theme().dark
        assert window.view.grab().toImage().pixelColor(5, 5).lightness() < 80
    finally:
        window.actions["darkTheme"].setChecked(False)
    assert not canvas_theme().dark


def test_autosave_when_a_training_run_stops(window, qtbot):
    window.document.set_training(True)
    window.document.set_params(window.document.network.get_params() * 2)  # what a run leaves behind
    window.document.mark_modified()
    assert not window.autosaver.path.exists()
    with qtbot.waitSignal(window.autosaver.saved, timeout=30_000):  # written on the writer's thread
        window.document.set_training(False)
    assert window.autosaver.path.exists()


def test_zoom_pan_and_fit(window, qtbot):
    view = window.view
    view.zoom_reset()
    window.actions["zoomIn"].trigger()
    assert view.transform().m11() == pytest.approx(1.25)
    window.actions["zoomOut"].trigger()
    assert view.transform().m11() == pytest.approx(1.0)
    window.editor.move_layers({"L3": (2400.0, 900.0)})
    window.actions["zoomFit"].trigger()
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert all(visible.contains(item.sceneBoundingRect()) for item in window.scene.layer_items())
    from PySide6.QtCore import QPoint
    from PySide6.QtTest import QTest

    before = view.horizontalScrollBar().value()
    viewport = view.viewport()
    middle = Qt.MouseButton.MiddleButton
    QTest.mousePress(viewport, middle, Qt.KeyboardModifier.NoModifier, QPoint(200, 100))
    QTest.mouseMove(viewport, QPoint(150, 100))
    QTest.mouseRelease(viewport, middle, Qt.KeyboardModifier.NoModifier, QPoint(150, 100))
    assert view.horizontalScrollBar().value() != before


def test_rename_and_duplicate_from_the_edit_menu(window):
    window.scene.select(layer_ids=["L2"])
    window.ask_layer_name = lambda current: "Thinking"
    window.actions["rename"].trigger()
    assert window.document.graph.layers["L2"].name == "Thinking"
    window.actions["duplicate"].trigger()
    names = sorted(layer.name for layer in window.document.graph.layers.values())
    assert names == ["Input", "Output", "Thinking", "Thinking 2"]
    assert window.scene.selected_layer_ids() == ["L4"]


def test_starting_on_a_bad_file_opens_the_default_network_and_says_why(qtbot, tmp_path, monkeypatch):
    bad = tmp_path / "broken.nnstudio"
    bad.write_text('{"format": "nnstudio", "version": 1, "graph": 3}')
    shown = []
    monkeypatch.setattr(MainWindow, "show_error", lambda self, title, text: shown.append(text))
    w = MainWindow(str(bad))
    qtbot.addWidget(w)
    assert w.document.path is None and len(w.document.graph.layers) == 3
    w.show()
    qtbot.waitUntil(lambda: bool(shown))
    assert str(bad) in shown[0] and "graph" in shown[0]


def test_activating_a_problem_selects_its_layer_and_the_canvas_menu(window):
    window.editor.add_layer("hidden", (100.0, 400.0))  # "Hidden 2 has no incoming connection"
    problems = window.validation_list
    row = next(k for k in range(problems.count()) if "Hidden 2" in problems.item(k).text())
    problems.itemActivated.emit(problems.item(row))
    assert window.scene.selected_layer_ids() == ["L4"]
    assert window.actions["delete"] in window.view.actions()
    window.document.undo_stack.undo()  # valid again: the connection has weights to describe
    window.scene.select(conn_ids=["L1->L2"])
    assert "6 synapses" in window.properties_panel.conn_info.text()
    assert "weights from" in window.properties_panel.conn_info.text()
