"""Help → Getting Started: a short guided first run, one callout at a time beside the part of the window it names.

The tour is not modal: the window stays usable while it shows (the outline
around the part it points at lets clicks through).  The app's entry point
starts it on the first start (:meth:`GuidedTour.start_on_first_run`); a window
never starts it by itself, so scripts and tests meet no tour.  Finishing it, or
closing it with "Don't show this again", ends the first-run showing for good
(QSettings ``help/tourDone``); Help → Getting Started shows it any time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QRect, QSettings, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QCheckBox, QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

DONE_KEY = "help/tourDone"
CALLOUT_WIDTH = 330
GAP = 12  # between the outline and the callout


@dataclass(frozen=True)
class TourStep:
    """One stop of the tour: what to say, and where it points (a rectangle in window coordinates, or None)."""

    title: str
    text: str
    target: Callable[[], QRect | None]


class Outline(QWidget):
    """A rounded frame drawn around the part of the window a step is about; clicks pass through it."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setObjectName("tourOutline")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.hide()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        color = QColor(self.palette().color(QPalette.ColorRole.Highlight))
        painter.setPen(QPen(color, 3))
        painter.drawRoundedRect(self.rect().adjusted(2, 2, -2, -2), 8, 8)


class Callout(QFrame):
    """The step's text, where it is in the tour, Back / Next and "Don't show this again"."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setObjectName("tourCallout")
        self.setFrameShape(QFrame.Shape.Box)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        self.setFixedWidth(CALLOUT_WIDTH)
        self.title = QLabel(objectName="tourTitle")
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.text = QLabel(objectName="tourText")
        self.text.setWordWrap(True)
        self.counter = QLabel(objectName="tourCounter")
        self.dont_show = QCheckBox("Don't show this again", objectName="tourDontShow")
        self.back = QPushButton("Back", objectName="tourBack")
        self.next = QPushButton("Next", objectName="tourNext")
        self.next.setDefault(True)
        self.close_button = QPushButton("Close", objectName="tourClose")
        self.close_button.setToolTip("End the tour (Help → Getting Started shows it again)")
        buttons = QHBoxLayout()
        buttons.addWidget(self.counter)
        buttons.addStretch(1)
        for button in (self.close_button, self.back, self.next):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        layout.addWidget(self.dont_show)
        layout.addLayout(buttons)
        self.hide()


class GuidedTour(QObject):
    """The steps of ``steps`` over ``window``, one at a time; ``settings`` keeps whether it should come again."""

    finished = Signal()  # the tour closed (at its end or before)

    def __init__(self, window: QWidget, steps: Sequence[TourStep], settings: QSettings):
        super().__init__(window)
        self.window, self.steps, self.settings = window, list(steps), settings
        self.index = -1  # -1: not showing
        self.outline = Outline(window)
        self.callout = Callout(window)
        self.callout.next.clicked.connect(self.next)
        self.callout.back.clicked.connect(self.back)
        self.callout.close_button.clicked.connect(self.close)
        window.installEventFilter(self)  # the window resized: the callout follows what it points at

    @property
    def active(self) -> bool:
        return self.index >= 0

    def start_on_first_run(self) -> bool:
        """Start the tour unless it was finished or declined before; whether it started."""
        if self.settings.value(DONE_KEY, False, type=bool):
            return False
        self.start()
        return True

    def start(self) -> None:
        """Show the first step."""
        self.callout.dont_show.setChecked(False)
        self._show(0)

    def next(self) -> None:
        """The next step; after the last one the tour is done (and not shown on start again)."""
        if self.index + 1 < len(self.steps):
            self._show(self.index + 1)
        else:
            self.settings.setValue(DONE_KEY, True)
            self.close()

    def back(self) -> None:
        if self.index > 0:
            self._show(self.index - 1)

    def close(self) -> None:
        """End the tour; with "Don't show this again" ticked it does not come at the next start."""
        if self.callout.dont_show.isChecked():
            self.settings.setValue(DONE_KEY, True)
        was_active, self.index = self.active, -1
        self.outline.hide()
        self.callout.hide()
        if was_active:
            self.finished.emit()

    # -- placing --------------------------------------------------------------------------------
    def _show(self, index: int) -> None:
        self.index = index
        step, callout = self.steps[index], self.callout
        callout.title.setText(step.title)
        callout.text.setText(step.text)
        callout.counter.setText(f"{index + 1} of {len(self.steps)}")
        callout.back.setEnabled(index > 0)
        callout.next.setText("Done" if index == len(self.steps) - 1 else "Next")
        self._place()
        callout.show()
        callout.raise_()
        callout.next.setFocus()

    def _place(self) -> None:
        target = self.steps[self.index].target()
        callout, area = self.callout, self.window.rect()
        callout.adjustSize()
        size = callout.sizeHint()
        size.setWidth(CALLOUT_WIDTH)
        if target is None or target.isEmpty():
            self.outline.hide()
            callout.setGeometry(QRect(area.center().x() - size.width() // 2, area.center().y() - size.height() // 2,
                                      size.width(), size.height()))
            return
        framed = target.adjusted(-6, -6, 6, 6).intersected(area)
        self.outline.setGeometry(framed)
        self.outline.show()
        self.outline.raise_()
        callout.setGeometry(_beside(framed, size.width(), size.height(), area))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Resize and self.active:
            self._place()
        return super().eventFilter(watched, event)


def _beside(target: QRect, width: int, height: int, area: QRect) -> QRect:
    """Where a ``width`` × ``height`` callout goes next to ``target``: below, right, left or above, inside ``area``
    (below first: over a canvas, the network usually sits above the empty part)."""
    top = min(max(target.top(), area.top()), area.bottom() - height)
    left = min(max(target.left(), area.left()), area.right() - width)
    for x, y in ((left, target.bottom() + GAP), (target.right() + GAP, top), (target.left() - GAP - width, top),
                 (left, target.top() - GAP - height)):
        place = QRect(x, y, width, height)
        if area.contains(place):
            return place
    return QRect(area.right() - width - GAP, area.top() + GAP, width, height)  # over it, in a corner
