"""Start the GUI.  Qt is imported here, lazily, so headless commands never load it."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .ui import MainWindow


def run_gui(argv: Sequence[str] = ()) -> int:
    """Open the main window (on the project file given, if any) and run the event loop."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from .core import kernels

    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    app.setApplicationName("nnstudio")
    app.setOrganizationName("nnstudio")
    _window = open_window(argv)  # held while the event loop runs
    # compile the training kernels (or load them from numba's cache) once the window is on screen
    QTimer.singleShot(300, kernels.warm_up_in_background)
    return app.exec()


def open_window(argv: Sequence[str] = ()) -> MainWindow:
    """The main window on screen, as a person starting nnstudio meets it: an offer to recover a crashed
    session's work, and on the first start the guided tour (windows made elsewhere never show it)."""
    from .ui import MainWindow

    paths = [a for a in argv if not a.startswith("-")]
    window = MainWindow(paths[0] if paths else None)
    window.show()
    window.offer_recovery()  # an autosave left by a crashed session
    window.tour.start_on_first_run()
    return window
