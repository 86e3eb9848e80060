"""Slow reads off the GUI thread: the work runs on a thread of its own while the window stays painted.

:func:`run_in_background` is for work the user waits for anyway (reading a
data file, opening a big project): the GUI thread runs an event loop until
the thread is done and, when that takes more than a moment, shows an
application-modal note saying what is going on.  What the work raised is
raised again on the GUI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

#: work quicker than this (or a quick refusal) shows no note at all
SHOW_NOTE_AFTER_MS = 300

T = TypeVar("T")


class _Done(QObject):
    finished = Signal()


def run_in_background(work: Callable[[], T], text: str, title: str, object_name: str,
                      parent: QWidget | None = None) -> T:
    """``work()`` on a thread named after ``object_name`` while a note (``text``, ``title``) may show."""
    outcome: dict[str, object] = {}
    done = _Done()
    loop = QEventLoop()
    done.finished.connect(loop.quit, Qt.ConnectionType.QueuedConnection)

    def run() -> None:
        try:
            outcome["value"] = work()
        except Exception as exc:  # handed to the GUI thread, which raises it there
            outcome["error"] = exc
        finally:
            done.finished.emit()

    progress = QProgressDialog(text, "", 0, 0, parent)
    progress.setObjectName(object_name)
    progress.setWindowTitle(title)
    progress.setCancelButton(None)  # a read cannot be interrupted; hostile files are stopped by its limits
    progress.setWindowModality(Qt.WindowModality.ApplicationModal)
    show_later = QTimer(progress)
    show_later.setSingleShot(True)
    show_later.timeout.connect(progress.show)
    show_later.start(SHOW_NOTE_AFTER_MS)
    thread = threading.Thread(target=run, name=f"nnstudio-{object_name}", daemon=True)
    thread.start()
    if thread.is_alive():
        loop.exec()
    thread.join()
    show_later.stop()
    progress.close()
    progress.deleteLater()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]
