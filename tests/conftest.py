"""Shared test set-up.

- Qt renders offscreen unless a display is asked for explicitly.
- The compiled training kernels are ready before the first test (compiled once, or from numba's cache).
- Settings (QSettings) and app data (autosaves, recovery) of every test live in
  its own temporary folder, never in the user's.
- A modal dialog that nobody expected would wait forever for a click that never
  comes (offscreen, in CI): every blocking dialog entry point is replaced by one
  that fails the test with the dialog's text.  A test that expects a dialog
  monkeypatches the function it uses, which overrides this guard.
"""

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


class UnexpectedDialog(AssertionError):
    """A test opened a modal dialog it did not expect."""


def _refuse(name: str):
    def refuse(*args, **kwargs):
        shown = " | ".join(str(a) for a in args[1:3] if isinstance(a, str)) or name
        raise UnexpectedDialog(f"unexpected modal dialog ({name}): {shown}")

    return staticmethod(refuse)


@pytest.fixture(scope="session", autouse=True)
def compiled_kernels():
    """Compile the training kernels once, before the first test, as the app does at start.

    A first compile takes tens of seconds on a busy machine; inside a test it would eat the time the test
    waits for its own events.  numba's disk cache makes later runs load them in about a second.
    """
    from nnstudio.core import kernels

    if kernels.enabled():
        from nnstudio.core.kernels.warm_up import warm_up

        warm_up()


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    from PySide6.QtCore import QSettings

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "config"))


@pytest.fixture(autouse=True)
def collect_due_garbage():
    """After each test, the collection the GUI thread's timer would do (automatic collection is off once a
    training controller exists; a test that runs no event loop would otherwise never collect)."""
    yield
    from nnstudio.ui.training.gui_thread_gc import collect_due

    collect_due()


@pytest.fixture(autouse=True)
def no_blocking_dialogs(monkeypatch):
    from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QMessageBox

    for cls, names in (
        (QMessageBox, ("question", "warning", "critical", "information", "about")),
        (QFileDialog, ("getOpenFileName", "getSaveFileName", "getExistingDirectory", "getOpenFileNames")),
        (QInputDialog, ("getText", "getDouble", "getInt", "getItem")),
    ):
        for name in names:
            monkeypatch.setattr(cls, name, _refuse(f"{cls.__name__}.{name}"))
    def refuse_exec(self):
        raise UnexpectedDialog(f"unexpected modal dialog: {self.windowTitle() or type(self).__name__}")

    monkeypatch.setattr(QDialog, "exec", refuse_exec)


@pytest.fixture
def window(qtbot):
    """A main window on the default XOR project; closing never asks about unsaved changes."""
    from PySide6.QtWidgets import QMessageBox

    from nnstudio.ui import MainWindow

    w = MainWindow()
    w.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    qtbot.addWidget(w)
    w.resize(1400, 900)
    yield w
    w.training.controller.shutdown(2000)
