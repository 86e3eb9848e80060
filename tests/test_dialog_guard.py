"""The conftest guard: an unexpected modal dialog fails the test instead of hanging the run."""

import pytest
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget


def test_static_and_exec_dialogs_fail_fast(qtbot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    with pytest.raises(AssertionError, match="unexpected modal dialog.*the text"):
        QMessageBox.warning(parent, "Title", "the text")
    dialog = QDialog(parent)
    dialog.setWindowTitle("Settings")
    with pytest.raises(AssertionError, match="unexpected modal dialog: Settings"):
        dialog.exec()
