"""The live error plot: train and test error against epoch, the previous run faint behind.

Fed from the document's bounded :class:`ErrorHistory` with ``setData`` on
its arrays (at most a few thousand points), with pyqtgraph's peak
downsampling and clip-to-view doing the rest.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ..document import Document
from .outputs import accuracy

TRAIN_COLOR = "#0877bd"
TEST_COLOR = "#f59322"


class ErrorPlot(QWidget):
    """Contents of the "errorPlot" dock."""

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.plot = pg.PlotWidget()
        self.plot.setObjectName("errorPlotWidget")
        self.plot.setBackground(None)
        self.plot.setLabel("bottom", "epoch")
        self.plot.setLabel("left", "error")
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.setMouseEnabled(x=True, y=False)
        item = self.plot.getPlotItem()
        item.setDownsampling(auto=True, mode="peak")
        item.setClipToView(True)
        item.addLegend(offset=(-10, 10))
        self.previous_curve = self.plot.plot(pen=pg.mkPen((140, 140, 140, 90), width=1.5), name="previous run")
        self.train_curve = self.plot.plot(pen=pg.mkPen(TRAIN_COLOR, width=2), name="train")
        self.test_curve = self.plot.plot(pen=pg.mkPen(TEST_COLOR, width=2, style=pg.QtCore.Qt.PenStyle.DashLine),
                                         name="test")
        self.marker = pg.ScatterPlotItem(size=8, brush=pg.mkBrush(TRAIN_COLOR), pen=None)
        self.plot.addItem(self.marker)
        self.log_scale = QCheckBox("Log scale")
        self.log_scale.setObjectName("errorLogScale")
        self.log_scale.setToolTip("Show the error on a logarithmic axis")
        self.log_scale.toggled.connect(self.set_log)
        self.readout = QLabel()
        self.readout.setObjectName("errorReadout")
        self.accuracy_label = QLabel()
        self.accuracy_label.setObjectName("accuracy")
        top = QHBoxLayout()
        top.addWidget(self.log_scale)
        top.addStretch(1)
        top.addWidget(self.readout)
        top.addStretch(1)
        top.addWidget(self.accuracy_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.plot, 1)
        self._shown_length = 0
        self.plot.scene().sigMouseMoved.connect(self._hover)
        document.historyChanged.connect(self.refresh)
        document.weightsChanged.connect(self.refresh_accuracy)
        document.datasetChanged.connect(self.refresh_accuracy)
        self.set_log(False)
        self.refresh_accuracy()

    def set_log(self, on: bool) -> None:
        self.plot.setLogMode(y=on)
        if self.log_scale.isChecked() != on:
            self.log_scale.setChecked(on)
        self.refresh()

    def refresh(self) -> None:
        """Redraw the curves from the document's history."""
        history = self.document.history
        if len(history) == 0 and self._shown_length:
            # a new start: the run just drawn becomes the faint comparison curve
            x, y = self.train_curve.getData()
            self.previous_curve.setData(x, y)
        self._shown_length = len(history)
        epochs, train = history.epochs, history.train
        finite = np.isfinite(train) & (train > 0)
        # the log axis cannot show zero or non-finite errors; connect="finite" leaves gaps for them
        self.train_curve.setData(epochs, np.where(finite, train, np.nan), connect="finite")
        if history.test:
            test = np.asarray(history.test, dtype=float)
            self.test_curve.setData(np.asarray(history.test_epochs), np.where(test > 0, test, np.nan), connect="finite")
        else:
            self.test_curve.setData([], [])
        if len(history) and np.isfinite(history.last_error) and history.last_error > 0:
            self.marker.setData([history.last_epoch], [_y(history.last_error, self.log_scale.isChecked())])
        else:
            self.marker.setData([], [])

    def refresh_accuracy(self) -> None:
        """Accuracy on the training (and test) rows, for classification data."""
        doc = self.document
        data, net = doc.dataset, doc.network
        if net is None or data.kind != "classification":
            self.accuracy_label.clear()
            return
        text = f"accuracy {accuracy(net.predict(data.X), data.Y):.0%}"
        if data.has_test:
            text += f" · test {accuracy(net.predict(data.X_test), data.Y_test):.0%}"
        self.accuracy_label.setText(text)

    def _hover(self, pos: QPointF) -> None:
        view = self.plot.getPlotItem().vb
        if not self.plot.sceneBoundingRect().contains(pos) or len(self.document.history) == 0:
            return
        epoch = view.mapSceneToView(pos).x()
        self.readout.setText(self.readout_at(epoch))

    def readout_at(self, epoch: float) -> str:
        """"epoch N · error E" for the recorded epoch nearest ``epoch``."""
        history = self.document.history
        epochs = history.epochs
        if not len(epochs):
            return ""
        i = int(np.clip(np.searchsorted(epochs, epoch), 0, len(epochs) - 1))
        if i > 0 and abs(epochs[i - 1] - epoch) < abs(epochs[i] - epoch):
            i -= 1
        text = f"epoch {int(epochs[i]):,} · error {history.train[i]:.5g}"
        if history.test:
            j = int(np.argmin(np.abs(np.asarray(history.test_epochs) - epochs[i])))
            text += f" · test {history.test[j]:.5g}"
        return text


def _y(value: float, log: bool) -> float:
    return float(np.log10(value)) if log else value
