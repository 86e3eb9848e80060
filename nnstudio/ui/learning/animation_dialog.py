"""File → Export Training Animation…: choose the epoch range, size and length, then record with progress.

The range is the time-travel range (the snapshots of the run on the canvas); the clip is an APNG
(:mod:`nnstudio.ui.learning.animation` says why).  Recording can be cancelled at any frame; nothing is
written then.  The dialog estimates the frame count and the size before recording.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...core.snapshots import SnapshotStore
from ..model.document import Document
from .animation import MAX_WIDTH, AnimationRecorder, AnimationSpec

FILTER = "Animated PNG (*.png *.apng)"


class AnimationDialog(QDialog):
    """Record the run on the canvas as an animation (objectName ``exportAnimation``)."""

    exported = Signal(str)  # the status text once a file was written

    def __init__(self, document: Document, store: SnapshotStore | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("exportAnimation")
        self.setWindowTitle("Export Training Animation")
        self.document, self.store = document, store
        self.recorder: AnimationRecorder | None = None
        self.first_epoch, self.last_epoch = QSpinBox(), QSpinBox()
        self.first_epoch.setObjectName("animationFirstEpoch")
        self.last_epoch.setObjectName("animationLastEpoch")
        self.width_box = QSpinBox()
        self.width_box.setObjectName("animationWidth")
        self.width_box.setRange(120, MAX_WIDTH)
        self.width_box.setSingleStep(80)
        self.width_box.setValue(800)
        self.width_box.setSuffix(" px")
        self.seconds = QDoubleSpinBox()
        self.seconds.setObjectName("animationSeconds")
        self.seconds.setRange(0.5, 60.0)
        self.seconds.setValue(10.0)
        self.seconds.setSuffix(" s")
        self.fps = QSpinBox()
        self.fps.setObjectName("animationFps")
        self.fps.setRange(1, 30)
        self.fps.setValue(10)
        self.fps.setSuffix(" frames/s")
        self.with_plot = QCheckBox("Add the error curve under the canvas")
        self.with_plot.setObjectName("animationWithPlot")
        self.with_plot.setChecked(True)
        self.full_colour = QCheckBox("Full colour (about three times larger)")
        self.full_colour.setObjectName("animationFullColour")
        self.full_colour.setToolTip("Off: 256 colours chosen for the canvas, which show its heatmaps without banding")
        self.path = QLineEdit()
        self.path.setObjectName("animationPath")
        browse = QPushButton("Choose…")
        browse.clicked.connect(lambda _checked=False: self._choose_path())
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)
        self.estimate = QLabel()
        self.estimate.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setObjectName("animationProgress")
        self.record_button = QPushButton("Record")
        self.record_button.setObjectName("recordAnimation")
        self.record_button.setDefault(True)
        self.record_button.clicked.connect(lambda _checked=False: self.record())
        self.cancel_button = QPushButton("Close")
        self.cancel_button.clicked.connect(lambda _checked=False: self.cancel_or_close())
        form = QFormLayout()
        form.addRow("From epoch", self.first_epoch)
        form.addRow("To epoch", self.last_epoch)
        form.addRow("Width", self.width_box)
        form.addRow("Length", self.seconds)
        form.addRow("Frame rate", self.fps)
        form.addRow(self.with_plot)
        form.addRow(self.full_colour)
        form.addRow("File", path_row)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.record_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("The canvas through the time-travel range of the run, as an animated PNG for slides."))
        layout.addLayout(form)
        layout.addWidget(self.estimate)
        layout.addWidget(self.progress)
        layout.addLayout(buttons)
        for box in (self.first_epoch, self.last_epoch, self.width_box, self.fps):
            box.valueChanged.connect(self._update_estimate)
        self.seconds.valueChanged.connect(self._update_estimate)
        self.set_store(store)

    def set_store(self, store: SnapshotStore | None) -> None:
        """The snapshots to record from (the time-travel store of the run on the canvas)."""
        self.store = store
        has_run = store is not None and len(store) > 0
        low, high = (int(store.epochs[0]), store.last_epoch) if has_run and store is not None else (0, 0)
        for box, value in ((self.first_epoch, low), (self.last_epoch, high)):
            box.setRange(low, high)
            box.setValue(value)
        if not self.path.text():
            stem = Path(self.document.path).stem if self.document.path else "training"
            self.path.setText(str(Path.home() / f"{stem}-animation.png"))
        self._update_estimate()

    def spec(self) -> AnimationSpec:
        return AnimationSpec(self.first_epoch.value(), self.last_epoch.value(), self.width_box.value(),
                             self.seconds.value(), self.fps.value(), self.with_plot.isChecked(),
                             self.full_colour.isChecked())

    def _problem(self) -> str | None:
        if self.store is None or not len(self.store):
            return "Nothing recorded yet: train the network first (time travel keeps the run's epochs)."
        if self.document.network is None or self.store.n_params != self.document.network.n_params:
            return "The network changed since the run: train it again to record it."
        return self.spec().problem()

    def _update_estimate(self, *_args: object) -> None:
        problem = self._problem()
        self.record_button.setEnabled(problem is None and self.recorder is None)
        spec = self.spec()
        self.estimate.setText(problem or f"{spec.frame_count} frames of epochs {spec.first_epoch:,} to "
                              f"{spec.last_epoch:,}, {spec.width} px wide.")

    def _choose_path(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(self, "Export Training Animation", self.path.text(), FILTER)
        if path:
            self.path.setText(path)

    # -- recording ---------------------------------------------------------------------------------
    def record(self, wait: bool = False) -> str | None:
        """Start recording into the chosen file (``wait``: to the end, without the event loop); why not, or None."""
        problem = self._problem() or (None if self.path.text().strip() else "Choose a file to write")
        if problem is not None or self.store is None:
            self.estimate.setText(problem or "")
            return problem
        recorder = self.recorder = AnimationRecorder(self.document, self.store, self.spec(),
                                                     self.path.text().strip(), self)
        recorder.progressed.connect(self._progressed)
        recorder.finished.connect(self._finished)
        recorder.failed.connect(self._failed)
        self.progress.setRange(0, len(recorder.epochs))
        self.progress.setValue(0)
        self.record_button.setEnabled(False)
        self.cancel_button.setText("Cancel")
        if wait:
            recorder.run_to_end()
        else:
            recorder.start()
        return None

    def cancel_or_close(self) -> None:
        if self.recorder is not None:
            self.recorder.cancel()
        else:
            self.close()

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setValue(done)
        self.estimate.setText(f"Drawing frame {done} of {total}…")

    def _done(self) -> None:
        if self.recorder is not None:
            self.recorder.deleteLater()
        self.recorder = None
        self.cancel_button.setText("Close")
        self._update_estimate()

    def _finished(self, path: str) -> None:
        self._done()
        size = Path(path).stat().st_size
        text = f"Wrote {path} ({size / 2**20:.1f} MB)."
        self.estimate.setText(text)
        self.exported.emit(text)

    def _failed(self, reason: str) -> None:
        self._done()
        self.progress.setValue(0)
        self.estimate.setText("Recording cancelled: nothing was written." if reason == "cancelled" else reason)
