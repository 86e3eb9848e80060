"""The live error plot: train and test error against epoch, the previous run faint behind.

Fed from the document's bounded :class:`ErrorHistory` with ``setData`` on
its arrays (at most a few thousand points), with pyqtgraph's peak
downsampling and clip-to-view doing the rest.  The previous run is only
shown while it was trained on the same data; the legend moves to the
bottom-left corner when a curve runs under it at the top right.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QCheckBox, QGraphicsItem, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ...core.frames import Frame, FrameRequest
from ...core.metrics import percent_text
from ...core.training import resolve_cost
from ..model.document import Document
from .error_axis import ErrorAxis
from .idle_frames import IdleFrames
from .throttle import SLOW_VIEW_MS, Throttle

MAX_POINTS = 2048  # about twice the pixels a docked plot is wide
TRAIN_COLOR = "#0877bd"
TEST_COLOR = "#f59322"
ABANDONED_COLOR = (110, 110, 110, 220)
LOSS_NAMES = {"mse": "mean squared", "bce": "binary cross-entropy", "ce": "cross-entropy"}


class ErrorPlot(QWidget):
    """Contents of the "errorPlot" dock."""

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.plot = pg.PlotWidget(axisItems={"left": ErrorAxis("left")})
        self.plot.setObjectName("errorPlotWidget")
        self.plot.setBackground(None)
        self.plot.setLabel("bottom", "epoch")
        self.plot.setLabel("left", "error")
        self.plot.getAxis("left").enableAutoSIPrefix(False)  # errors read as 0.2, not 200 × 0.001
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.setMouseEnabled(x=True, y=False)
        item = self.plot.getPlotItem()
        # the history is already thinned to at most a few thousand points; refresh() hands the plot at
        # most MAX_POINTS of them, so pyqtgraph need not downsample every frame; clip-to-view still helps zoom
        item.setClipToView(True)
        # top right, where a falling error curve rarely is late in a run; see-through so a curve there shows
        self._legend = item.addLegend(offset=(-6, 6), brush=pg.mkBrush(255, 255, 255, 170),
                                      pen=pg.mkPen(200, 200, 200, 200), labelTextColor=(60, 60, 60))
        self._legend.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self._legend.setVisible(False)  # until a curve has data (see _update_legend)
        self.legend_corner = "top right"  # or "bottom left", when a curve runs under the top-right corner
        self.previous_curve = self.plot.plot(pen=pg.mkPen((140, 140, 140, 110), width=1))
        # one-pixel pens: Qt strokes wider lines through a path stroker, several times slower per frame
        self.train_curve = self.plot.plot(pen=pg.mkPen(TRAIN_COLOR, width=1))
        self.test_curve = self.plot.plot(pen=pg.mkPen(TEST_COLOR, width=1, style=pg.QtCore.Qt.PenStyle.DashLine))
        # time travel: branches left by "continue from here" stay behind, grey and dotted, unlike "train"
        self.abandoned_curve = self.plot.plot(pen=pg.mkPen(ABANDONED_COLOR, width=1,
                                                           style=pg.QtCore.Qt.PenStyle.DotLine))
        self.abandoned_curve.setZValue(-1)
        self._named_curves = [(self.train_curve, "train"), (self.test_curve, "test"),
                              (self.previous_curve, "previous run"), (self.abandoned_curve, "abandoned branch")]
        self._legend_names: list[str] = []
        self.marker = pg.InfiniteLine(angle=90, pen=pg.mkPen((214, 69, 69, 200), width=1,
                                                             style=pg.QtCore.Qt.PenStyle.DashLine))
        self.marker.setVisible(False)
        self.plot.addItem(self.marker, ignoreBounds=True)
        self.log_scale = QCheckBox("Log scale")
        self.log_scale.setObjectName("errorLogScale")
        self.log_scale.setToolTip("Show the error on a logarithmic axis")
        self.log_scale.toggled.connect(self.set_log)
        self.readout = QLabel()
        self.readout.setObjectName("errorReadout")
        # the readout takes the room there is: a longer text must not widen the dock while the mouse moves
        self.readout.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.readout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.accuracy_label = QLabel()
        self.accuracy_label.setObjectName("accuracy")
        top = QHBoxLayout()
        top.addWidget(self.log_scale)
        top.addWidget(self.readout, 1)
        top.addWidget(self.accuracy_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.plot, 1)
        self._shown_length = 0
        self._test_shown = True
        # the epoch axis grows in round steps rather than every frame: an axis that changes must be
        # re-laid out and repainted, the most expensive part of a plot frame
        self.plot.enableAutoRange(x=False, y=False)
        self._x_max = 0
        self._y_range: tuple[float, float] | None = None
        for name in ("left", "bottom"):
            # an axis repaints from a cached pixmap unless its range changed
            self.plot.getAxis(name).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.plot.scene().sigMouseMoved.connect(self._hover)
        self.loss_label = "error"
        self.plot.getPlotItem().vb.sigResized.connect(lambda _view: self.fit_loss_label())
        document.graphChanged.connect(self._on_graph_changed)
        document.historyChanged.connect(self.refresh)
        document.settingsChanged.connect(self.refresh_loss_label)
        document.networkChanged.connect(self.refresh_loss_label)
        document.datasetChanged.connect(self.refresh_loss_label)
        self.live = False  # frames bring the accuracy (training runs): weight changes are not recomputed here
        self.idle_frames = IdleFrames(self)  # the accuracy outside a run, off the GUI thread for big data
        self.idle_frames.ready.connect(self._show_idle_frame)
        self.idle_frames.pendingChanged.connect(lambda pending: self.accuracy_label.setEnabled(not pending))
        document.weightsChanged.connect(Throttle(lambda: None if self.live else self.refresh_accuracy(),
                                                 SLOW_VIEW_MS, self))
        document.datasetChanged.connect(self.refresh_accuracy)
        # the run drawn now becomes the faint "previous run" when the history restarts, unless the data
        # changed since: a curve on other data compares with nothing
        self._same_data = True
        document.datasetChanged.connect(self.forget_previous_run)
        self.set_log(False)
        self.refresh_accuracy()
        self.refresh_loss_label()

    def _on_graph_changed(self, kind: str, _info: dict) -> None:
        if kind == "reset":
            self.forget_runs()

    def forget_runs(self) -> None:
        """Another project was loaded: its runs are not comparable, so the faint curves and axes go."""
        for curve in (self.previous_curve, self.abandoned_curve, self.train_curve, self.test_curve):
            curve.setData([], [])
        self._shown_length = 0
        self._x_max = 0
        self._y_range = None
        self.readout.clear()
        self.set_marker(None)
        self._update_legend()

    def forget_previous_run(self) -> None:
        """The data changed: the faint previous run (and the run on the old data, once it ends) goes."""
        self._same_data = False
        if _has_data(self.previous_curve):
            self.previous_curve.setData([], [])
            self._x_max, self._y_range = 0, None
            self.refresh()

    def refresh_loss_label(self) -> None:
        """"error (cross-entropy)": the loss the next run minimises, named on the axis when it fits there
        and always in the plot's tooltip."""
        doc = self.document
        cost = doc.settings.cost
        if cost == "auto" and doc.network is not None:
            cost = resolve_cost(cost, doc.network, doc.dataset)
        name = LOSS_NAMES.get(cost)
        self.loss_label = f"error ({name})" if name else "error"
        self.plot.setToolTip(f"Error: {name}, the loss the next run minimises" if name else "")
        self.fit_loss_label()

    def fit_loss_label(self) -> None:
        """The axis says the loss's full name only when the plot is tall enough for it, else just "error"
        (a label longer than the axis is cut off at both ends)."""
        axis = self.plot.getAxis("left")
        if axis.labelText != self.loss_label:
            axis.setLabel(self.loss_label)
        room = self.plot.getPlotItem().vb.height()
        if self.loss_label != "error" and axis.label.boundingRect().width() > room:
            axis.setLabel("error")
        axis.resizeEvent()  # pyqtgraph centres the label only on a resize: a longer one would start off-centre

    def _update_legend(self) -> None:
        """List only the curves that have something drawn."""
        names = [name for curve, name in self._named_curves if _has_data(curve)]
        if names == self._legend_names:
            return
        self._legend.clear()
        for curve, name in self._named_curves:
            if name in names:
                self._legend.addItem(curve, name)
        self._legend_names = names
        self._legend.setVisible(bool(names))  # an empty frame would only hide a corner of the plot

    def _place_legend(self) -> None:
        """Move the legend to the other corner (top right, bottom left) when a curve runs under it there
        and the other corner is free: a short or flat run reaches the top right, a falling one rarely does."""
        if not self._legend.isVisible():
            return
        view = self.plot.getPlotItem().vb
        size = view.mapSceneToView(self._legend.sceneBoundingRect()).boundingRect()
        (x0, x1), (y0, y1) = view.viewRange()
        w, h = abs(size.width()) * 1.05, abs(size.height()) * 1.05
        corners = {"top right": (x1 - w, x1, y1 - h, y1), "bottom left": (x0, x0 + w, y0, y0 + h)}
        other = "bottom left" if self.legend_corner == "top right" else "top right"
        if self._covered(corners[self.legend_corner]) and not self._covered(corners[other]):
            self.legend_corner = other
            if other == "top right":
                self._legend.anchor((1, 0), (1, 0), offset=(-6, 6))
            else:
                self._legend.anchor((0, 1), (0, 1), offset=(6, -6))

    def _covered(self, rect: tuple[float, float, float, float]) -> bool:
        """Whether the train, test or previous curve passes through ``rect`` (view coordinates)."""
        left, right, bottom, top = rect
        for curve in (self.train_curve, self.test_curve, self.previous_curve):
            x, y = curve.getOriginalDataset()
            if x is None or not len(x):
                continue
            x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
            if self.log_scale.isChecked():
                with np.errstate(divide="ignore", invalid="ignore"):
                    y = np.log10(y)
            finite = np.isfinite(x) & np.isfinite(y)
            x, y = x[finite], y[finite]
            if not len(x) or x[-1] < left or x[0] > right:
                continue
            probe = np.linspace(max(left, x[0]), min(right, x[-1]), 32)  # the lines between the points too
            ys = np.interp(probe, x, y)
            if np.any((ys >= bottom) & (ys <= top)):
                return True
        return False

    def set_log(self, on: bool) -> None:
        self.plot.setLogMode(y=on)
        self._y_range = None
        if self.log_scale.isChecked() != on:
            self.log_scale.setChecked(on)
        self.refresh()

    def refresh(self) -> None:
        """Redraw the curves from the document's history."""
        history = self.document.history
        if len(history) == 0 and self._shown_length:
            # a new start: the run just drawn becomes the faint comparison curve, if it was on this data.
            # The data as given, not as drawn (getData is log10 on a log axis and clipped to the view)
            x, y = self.train_curve.getOriginalDataset() if self._same_data else (None, None)
            if x is not None and len(x):  # copies: the history reuses its buffers
                self.previous_curve.setData(np.array(x), np.array(y), connect="finite")
            else:
                self.previous_curve.setData([], [])
            self.clear_abandoned()
        if len(history) == 0:
            self._same_data = True
        self._shown_length = len(history)
        step = max(1, -(-len(history) // MAX_POINTS))
        epochs, train = history.epochs[::step], history.train[::step]
        # connect="finite" leaves gaps for NaN/inf (and for zeros on the log axis, which become -inf)
        self.train_curve.setData(epochs, train, connect="finite")
        if history.test:
            self.test_curve.setData(np.asarray(history.test_epochs), np.asarray(history.test), connect="finite")
        elif self._test_shown:
            self.test_curve.setData([], [])
        self._test_shown = bool(history.test)
        self._fit_range(train)
        self._update_legend()
        self._place_legend()

    def _fit_range(self, train: np.ndarray) -> None:
        """Grow the epoch axis in round steps and the error axis by decades, so the axes rarely change."""
        previous_x, previous_y = self.previous_curve.getOriginalDataset()
        previous_last = previous_x[-1] if previous_x is not None and len(previous_x) else 0
        abandoned_x, _ = self.abandoned_curve.getOriginalDataset()
        abandoned_last = np.nanmax(abandoned_x) if abandoned_x is not None and len(abandoned_x) else 0
        last = max(self.document.history.last_epoch, previous_last, abandoned_last)
        x_max = _round_up(max(last, 10))
        if x_max != self._x_max:
            self._x_max = x_max
            self.plot.setXRange(0, x_max, padding=0.02)
        values = train[np.isfinite(train) & (train > 0)]
        if previous_y is not None and len(previous_y):
            values = np.concatenate([values, previous_y[np.isfinite(previous_y) & (previous_y > 0)]])
        if not values.size:
            return
        if self.log_scale.isChecked():
            y_range = (float(np.floor(np.log10(values.min()))), float(np.ceil(np.log10(values.max()))))
        else:
            y_range = (0.0, float(_round_up_float(values.max())))
        if y_range != self._y_range:
            self._y_range = y_range
            self.plot.setYRange(*y_range, padding=0.02)

    def add_abandoned(self, epochs: np.ndarray, errors: np.ndarray) -> None:
        """Keep a branch's cut-off tail as a faint curve (after the tails already shown)."""
        if not len(epochs):
            return
        x, y = self.abandoned_curve.getOriginalDataset()
        if x is None or not len(x):
            x, y = np.empty(0), np.empty(0)
        # NaN between tails: connect="finite" draws each tail as its own line
        self.abandoned_curve.setData(np.concatenate([x, [np.nan], epochs]), np.concatenate([y, [np.nan], errors]),
                                     connect="finite")
        self._x_max = 0  # the axis may have to grow for the tail
        self.refresh()

    def clear_abandoned(self) -> None:
        x, _ = self.abandoned_curve.getData()
        if x is not None and len(x):
            self.abandoned_curve.setData([], [])
            self._update_legend()

    def set_marker(self, epoch: float | None) -> None:
        """Mark the epoch the time-travel slider shows (None: the present, no mark)."""
        self.marker.setVisible(epoch is not None)
        if epoch is not None:
            self.marker.setValue(epoch)

    def refresh_accuracy(self) -> None:
        """Accuracy on the training (and test) rows from the document's network, by the core's rule (for big
        data on a worker thread: the previous numbers stay, greyed, until the new ones come)."""
        doc = self.document
        data, net = doc.dataset, doc.network
        fits = net is not None and (net.n_inputs, net.n_outputs) == (data.n_inputs, data.n_outputs)
        if not fits:
            self.idle_frames.cancel()
            self.show_accuracy(None, None)
            return
        cost = resolve_cost(doc.settings.cost, net, data)
        self.idle_frames.ask(net, data, cost, FrameRequest(accuracy=True))

    def _show_idle_frame(self, frame: Frame | None) -> None:
        if self.live:
            return  # a run's frames are newer
        if frame is None or frame.accuracy is None:
            self.show_accuracy(None, None)
        else:
            self.show_accuracy(*frame.accuracy)

    def show_frame(self, frame: Frame) -> None:
        if frame.accuracy is not None:
            self.idle_frames.cancel()  # the run's numbers are newer than any idle request
            self.show_accuracy(*frame.accuracy)

    def show_accuracy(self, train: float | None, test: float | None) -> None:
        """"accuracy 75% · test 70%"; nothing for regression data."""
        if train is None:
            self.accuracy_label.clear()
            return
        text = f"accuracy {percent_text(train)}"
        if test is not None:
            text += f" · test {percent_text(test)}"
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


def _has_data(curve: pg.PlotDataItem) -> bool:
    x, _ = curve.getOriginalDataset()
    return x is not None and len(x) > 0


def _round_up(value: float) -> int:
    """The next of 1, 2, 5 × 10ⁿ at or above ``value``."""
    power = 10 ** int(np.floor(np.log10(max(value, 1))))
    return next(int(step * power) for step in (1, 2, 5, 10) if step * power >= value)


def _round_up_float(value: float) -> float:
    """The next of 1, 2, 5 × 10ⁿ at or above ``value`` (any positive size)."""
    power = 10.0 ** np.floor(np.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value * (1 - 1e-12))


