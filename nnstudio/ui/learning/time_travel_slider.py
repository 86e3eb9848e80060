"""The time-travel slider under the error plot: scrub through a run's parameter snapshots.

It walks the epochs recorded in a :class:`~nnstudio.core.snapshots.SnapshotStore`
and emits ``paramsSelected(epoch, params)`` with exactly the parameters recorded
then; the owner applies them to the document (canvas colors, heatmaps, outputs
and try-it panel follow the document).  "Continue from here" asks the owner to
branch training from the shown epoch (:meth:`branch` cuts the store and returns
the abandoned tail for a faint curve).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QVBoxLayout, QWidget

from ...core.snapshots import SnapshotStore


class TimeTravelSlider(QWidget):
    """A slider over recorded epochs; at the right end it follows the newest snapshot ("live")."""

    paramsSelected = Signal(int, object)  # epoch, params (a copy of the recorded vector)
    continueRequested = Signal(int)  # epoch to branch training from

    def __init__(self, store: SnapshotStore | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("timeTravelSlider")
        self.store: SnapshotStore | None = None
        self.locked = False  # the owner's say (e.g. during a run the slider only follows): disabled even when filled
        self._epochs = np.empty(0, dtype=np.int64)
        self.slider = QSlider(Qt.Orientation.Horizontal, objectName="timeTravelScrub")
        self.slider.setToolTip("Drag to see the network as it was at an earlier epoch")
        self.slider.setAccessibleName("Epoch shown")
        self.slider.valueChanged.connect(self._moved)
        self.label = QLabel(objectName="timeTravelEpoch")
        self.label.setMinimumWidth(110)
        self.continue_button = QPushButton("Continue from here", objectName="timeTravelContinue")
        self.continue_button.setToolTip("Train on from the epoch shown; the later part of the curve stays faint")
        self.continue_button.clicked.connect(lambda: self.continueRequested.emit(self.epoch))
        # two rows: in a narrow dock the slider keeps the whole width
        scrub = QHBoxLayout()
        scrub.addWidget(QLabel("Time travel"))
        scrub.addWidget(self.slider, 1)
        below = QHBoxLayout()
        below.addWidget(self.label)
        below.addStretch(1)
        below.addWidget(self.continue_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.setSpacing(2)
        layout.addLayout(scrub)
        layout.addLayout(below)
        self.set_store(store)

    def set_store(self, store: SnapshotStore | None) -> None:
        """Scrub ``store`` (None: nothing recorded yet); the slider goes to the newest snapshot."""
        self.store = store
        self.refresh(follow=True)

    @property
    def live(self) -> bool:
        """Whether the slider sits at the newest snapshot."""
        return self.slider.value() >= self.slider.maximum()

    @property
    def epoch(self) -> int:
        """The recorded epoch the slider shows (-1 when nothing is recorded)."""
        i = self.slider.value()
        return int(self._epochs[i]) if 0 <= i < len(self._epochs) else -1

    def refresh(self, follow: bool | None = None) -> None:
        """Take in newly recorded snapshots without emitting; at the end ("live") the slider stays at the end."""
        follow = self.live if follow is None else follow
        shown = self.epoch
        self._epochs = self.store.epochs if self.store is not None else np.empty(0, dtype=np.int64)
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(0, len(self._epochs) - 1))
        if follow or shown < 0:
            self.slider.setValue(self.slider.maximum())
        else:
            self.slider.setValue(int(np.clip(np.searchsorted(self._epochs, shown), 0, self.slider.maximum())))
        self.slider.blockSignals(False)
        self.setEnabled(len(self._epochs) > 0 and not self.locked)
        self.continue_button.setEnabled(len(self._epochs) > 0 and not self.live)
        self._label()

    def show_epoch(self, epoch: float) -> None:
        """Move to the recorded epoch nearest ``epoch`` and emit its parameters."""
        if self.store is None or not len(self.store):
            return
        nearest, _ = self.store.nearest(epoch)
        index = int(np.searchsorted(self._epochs, nearest))
        if index == self.slider.value():
            self._moved(index)
        else:
            self.slider.setValue(index)

    def branch(self) -> tuple[np.ndarray, np.ndarray]:
        """Cut the store after the shown epoch ("continue from here"); returns the abandoned (epochs, errors)."""
        tail = self.store.truncate_after(self.epoch)
        self.refresh(follow=True)
        return tail

    def _moved(self, index: int) -> None:
        self._label()
        self.continue_button.setEnabled(not self.live)
        if self.store is None or not 0 <= index < len(self._epochs):
            return
        epoch, params = self.store.nearest(int(self._epochs[index]))
        self.paramsSelected.emit(epoch, params)

    def _label(self) -> None:
        if not len(self._epochs):
            self.label.setText("no snapshots")
        else:
            self.label.setText(f"epoch {self.epoch:,}" + (" (latest)" if self.live else ""))
