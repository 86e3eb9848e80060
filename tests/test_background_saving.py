"""Saving off the GUI thread: snapshots, one writer thread, honest modified flags, close waits, opening on a thread."""

from __future__ import annotations

import errno
import threading

import numpy as np
import pytest
from PySide6.QtCore import QTimer

from nnstudio.io import project as project_io
from nnstudio.io.project import load_project
from nnstudio.ui import MainWindow, saving


class Gate:
    """Stands in for ``save_project`` on the writer's thread: records each write and holds it until opened."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, open_: bool = True):
        self.opened = threading.Event()
        if open_:
            self.opened.set()
        self.threads: list[str] = []
        self.names: list[str] = []
        self.started = threading.Event()
        real = saving.save_project

        def save(project, path):
            self.threads.append(threading.current_thread().name)
            self.names.append(project.graph.layers["L2"].name)
            self.started.set()
            assert self.opened.wait(60), "the test never let the write go on"
            real(project, path)

        monkeypatch.setattr(saving, "save_project", save)

    def open(self) -> None:
        self.opened.set()


def quiet_autosave(window: MainWindow) -> MainWindow:
    """No autosave of its own during a test (the tests start the writes they look at)."""
    for timer in (window.autosaver.timer, window.autosaver.idle_timer, window.autosaver.deadline_timer):
        timer.setInterval(10**8)
    return window


@pytest.fixture(autouse=True)
def quiet(window):
    quiet_autosave(window)


@pytest.fixture
def errors(window):
    shown: list[str] = []
    window.show_error = lambda title, text: shown.append(f"{title}: {text}")
    return shown


def wait_idle(qtbot, window: MainWindow) -> None:
    if window.files.writer.busy:
        with qtbot.waitSignal(window.files.writer.idle, timeout=60_000):
            pass


def test_the_save_action_writes_on_another_thread_and_says_saving_then_saved(qtbot, window, monkeypatch, tmp_path):
    gate = Gate(monkeypatch, open_=False)
    path = tmp_path / "net.nnstudio"
    window.choose_save_path = lambda *args: str(path)
    window.editor.set_layer("L2", size=4)
    window.actions["save"].trigger()
    assert window.statusBar().currentMessage() == "Saving net.nnstudio…"
    assert window.document.modified and window.isWindowModified()  # not saved until the file is
    gate.open()
    wait_idle(qtbot, window)
    assert gate.threads == ["nnstudio-saver"] and threading.current_thread().name not in gate.threads
    assert window.statusBar().currentMessage() == f"Saved {path}"
    assert not window.document.modified and not window.isWindowModified()
    assert load_project(path).graph.layers["L2"].size == 4


def test_the_writer_thread_ends_once_nothing_is_left_to_write(qtbot, window, tmp_path):
    """A window's writer thread lives only while it writes (a thread per window kept for good adds up)."""
    def writers() -> int:
        return sum(thread.name == "nnstudio-saver" for thread in threading.enumerate())

    qtbot.waitUntil(lambda: writers() == 0)  # the writers of earlier windows are gone too
    for k in range(3):
        assert window.files.save_to(str(tmp_path / f"net{k}.nnstudio"), wait=False)
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: writers() == 0)
    assert [load_project(tmp_path / f"net{k}.nnstudio").name for k in range(3)] == [window.document.name] * 3


def test_edits_during_a_save_stay_out_of_the_file_and_keep_the_document_modified(qtbot, window, monkeypatch,
                                                                                  tmp_path):
    gate = Gate(monkeypatch, open_=False)
    doc, path = window.document, tmp_path / "net.nnstudio"
    window.editor.set_layer("L2", name="Saved", size=4)
    doc.history.extend(1, np.array([0.5, 0.4]))
    assert window.files.save_to(str(path), wait=False)
    assert gate.started.wait(60)
    window.editor.set_layer("L2", name="Edited later", size=7)  # while the writer is busy with the snapshot
    doc.history.extend(3, np.array([0.3, 0.2, 0.1]))
    doc.dataset.X_test = None
    gate.open()
    wait_idle(qtbot, window)
    saved = load_project(path)
    layer = saved.graph.layers["L2"]
    assert (layer.name, layer.size) == ("Saved", 4)
    assert saved.history.epochs.tolist() == [1, 2] and saved.history.train.tolist() == [0.5, 0.4]
    assert doc.path == str(path) and doc.modified and window.isWindowModified()  # the edits still need saving
    assert window.files.save_to(str(path))
    assert load_project(path).graph.layers["L2"].size == 7 and not doc.modified


def test_the_snapshot_shares_the_dataset_read_only(window):
    snapshot = saving.take_snapshot(window.document)
    assert np.shares_memory(snapshot.dataset.X, window.document.dataset.X)
    assert not snapshot.dataset.X.flags.writeable and window.document.dataset.X.flags.writeable
    assert snapshot.history is not window.document.history and snapshot.graph is not window.document.graph


def test_a_failing_write_keeps_the_old_file_and_the_modified_flag(qtbot, window, monkeypatch, tmp_path, errors):
    path = tmp_path / "work" / "net.nnstudio"
    path.parent.mkdir()
    assert window.files.save_to(str(path))
    before = path.read_bytes()
    window.editor.set_layer("L2", size=6)

    def full_disk(data, fh):
        fh.write(b'{"format": "nnstudio", "graph": ')  # half a file, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(project_io, "write_readable", full_disk)
    window.actions["save"].trigger()
    wait_idle(qtbot, window)
    assert len(errors) == 1 and "No space left on device" in errors[0] and str(path) in errors[0]
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["net.nnstudio"]  # no temporary file left
    assert window.document.modified and window.isWindowModified()
    assert "Not saved" in window.statusBar().currentMessage()


def test_two_saves_in_a_row_are_written_in_order_and_the_later_wins(qtbot, window, monkeypatch, tmp_path):
    gate = Gate(monkeypatch, open_=False)
    path = tmp_path / "net.nnstudio"
    window.editor.set_layer("L2", name="first")
    assert window.files.save_to(str(path), wait=False)
    window.editor.set_layer("L2", name="second")
    assert window.files.save_to(str(path), wait=False)
    gate.open()
    wait_idle(qtbot, window)
    assert gate.names == ["first", "second"]
    assert load_project(path).graph.layers["L2"].name == "second"
    assert not window.document.modified  # the later save held the latest state


def test_closing_during_a_save_waits_for_a_complete_file(qtbot, monkeypatch, tmp_path):
    gate = Gate(monkeypatch, open_=False)
    window = quiet_autosave(MainWindow())
    qtbot.addWidget(window)
    window.show()
    path = tmp_path / "net.nnstudio"
    window.editor.set_layer("L2", name="Closing", size=5)
    assert window.files.save_to(str(path), wait=False)
    assert gate.started.wait(60)
    QTimer.singleShot(0, gate.open)  # the write goes on only once closing is waiting for it
    assert window.close()
    assert not window.files.writer.busy
    layer = load_project(path).graph.layers["L2"]
    assert (layer.name, layer.size) == ("Closing", 5)
    assert not window.autosaver.path.exists()


def test_an_autosave_leaves_the_gui_thread_free_for_edits(qtbot, window, monkeypatch):
    gate = Gate(monkeypatch, open_=False)
    saver = window.autosaver
    window.editor.set_layer("L2", size=4)
    saver.autosave_soon()
    assert gate.started.wait(60) and saver.writer.busy and not saver.path.exists()
    window.editor.set_layer("L2", size=5)  # editing goes on while the autosave is written
    saver.autosave_soon()  # noted: taken once the writer is free
    with qtbot.waitSignals([saver.saved, saver.saved], timeout=60_000):
        gate.open()
    assert gate.threads == ["nnstudio-saver", "nnstudio-saver"]
    assert load_project(saver.path).graph.layers["L2"].size == 5


def test_opening_reads_and_parses_on_another_thread(window, monkeypatch, tmp_path):
    path = tmp_path / "net.nnstudio"
    window.editor.set_layer("L2", size=3)
    assert window.files.save_to(str(path))
    threads: list[str] = []
    from nnstudio.ui import files

    def load(where):
        threads.append(threading.current_thread().name)
        return load_project(where)

    monkeypatch.setattr(files, "load_project", load)
    assert window.new_document()
    assert window.open_path(str(path), ask=False)
    assert threads == ["nnstudio-projectOpening"] and window.document.graph.layers["L2"].size == 3
