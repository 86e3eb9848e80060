"""The math inspector panel: one neuron's arithmetic for one data row, live.

All numbers come from :func:`nnstudio.core.inspector.inspect_neuron` (the
core's forward and backward pass); the panel only lays them out: the weighted
sum term by term, the bias, z, the activation and its derivative, the delta,
each weight's gradient, the change one online SGD step would make
(−rate × gradient) and, after the weights changed, how far each one really moved.
"""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.inspector import NeuronMath, inspect_neuron
from ..model.document import Document
from ..training.pictures import fitted, signed_image
from ..training.throttle import SLOW_VIEW_MS, Throttle
from .weight_images import weights_of

WEIGHT_PICTURE_PX = 72

COLUMNS = ["from", "input a", "weight w", "a × w", "∂loss/∂w", "−rate × ∂loss/∂w", "moved by"]
#: the headers on two lines where they are wider than the numbers, so the seven columns fit a side panel
HEADERS = ["from", "input\na", "weight\nw", "a × w", "∂loss/∂w", "−rate ×\n∂loss/∂w", "moved\nby"]


def _parameters(info: NeuronMath) -> tuple:
    """The neuron's incoming weights and bias, to tell whether they changed between two refreshes."""
    return tuple(t.weight for t in info.terms), info.bias


def _num(value: float | None) -> str:
    return "" if value is None else f"{value + 0.0:.6g}"  # + 0.0 shows −0 as 0



CLICK_HINT = "Click a neuron on the canvas to see its arithmetic."

class InspectorPanel(QWidget):
    """Contents of the math inspector dock; call :meth:`show_neuron` when a neuron is clicked."""

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("inspectorPanel")
        self.document = document
        self.layer_id: str | None = None
        self.index = 0
        self.info: NeuronMath | None = None
        self._previous: NeuronMath | None = None  # what was shown before the weights last changed

        self.title = QLabel(CLICK_HINT, objectName="inspectorTitle")
        self.title.setWordWrap(True)
        self.weight_picture = QLabel(objectName="inspectorWeightImage")  # a neuron fed by an image: its weights
        self.weight_picture.setToolTip("This neuron's incoming weights at the input's pixels: blue positive, "
                                       "orange negative")
        self.weight_picture.hide()
        self.row_box = QSpinBox(objectName="inspectorRow")
        self.row_box.setToolTip("The data row the numbers are for (numbered as in the data table)")
        self.row_box.valueChanged.connect(lambda _row: self.refresh())
        self.table = QTableWidget(0, len(COLUMNS), objectName="inspectorTerms")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.summary = QLabel(objectName="inspectorSummary")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setWordWrap(True)

        row_line = QHBoxLayout()
        row_line.addWidget(QLabel("Data row"))
        row_line.addWidget(self.row_box)
        row_line.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.weight_picture)
        layout.addLayout(top)
        layout.addLayout(row_line)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)

        # during training the weights change every frame: a few refreshes a second are plenty
        document.weightsChanged.connect(Throttle(self.refresh, SLOW_VIEW_MS, self))
        for signal in (document.networkChanged, document.datasetChanged, document.settingsChanged):
            signal.connect(self.refresh)
        document.graphChanged.connect(self._graph_changed)
        self._fit_rows()

    def _graph_changed(self, event: str, _info: dict) -> None:
        if event == "reset":  # another project: its layer ids name other neurons
            self.clear()

    def clear(self) -> None:
        """Show no neuron until one is clicked."""
        self.layer_id, self.info, self._previous = None, None, None
        self.table.setRowCount(0)
        self.summary.clear()
        self.weight_picture.hide()
        self.title.setText(CLICK_HINT)

    def show_neuron(self, layer_id: str, index: int, row: int | None = None) -> None:
        """Show neuron ``index`` of layer ``layer_id`` (for data row ``row``, or the current row)."""
        self.layer_id, self.index = layer_id, int(index)
        self._previous = None
        if row is not None:
            self._show_row(row)
        self.refresh()

    def show_step(self, row: int, params_before: np.ndarray) -> None:
        """After one training step on data row ``row``: the numbers now, and how far each weight moved
        from ``params_before`` (the parameters the step started from)."""
        net = self.document.network
        if self.layer_id is None or net is None or params_before.size != net.n_params:
            return
        self._show_row(row)
        before = net.copy()
        before.set_params(params_before)
        try:
            self.info = inspect_neuron(before, self.document.dataset, self.row, self.layer_id,
                                       self.index, self.document.settings)
        except ValueError:
            self.info = None  # the neuron or the row is gone: refresh() says so
        self.refresh()  # what was shown before the step becomes the "moved by" reference

    @property
    def row(self) -> int:
        """The data row shown, counted from 0 (the box counts from 1, as the data table does)."""
        return self.row_box.value() - 1

    def set_row(self, row: int) -> None:
        """Show data row ``row`` (counted from 0) and recompute."""
        self.row_box.setValue(int(row) + 1)

    def _show_row(self, row: int) -> None:
        self.row_box.blockSignals(True)
        self.row_box.setValue(int(row) + 1)
        self.row_box.blockSignals(False)

    def _fit_rows(self) -> None:
        self.row_box.setRange(1, max(1, len(self.document.dataset)))

    def refresh(self) -> None:
        """Recompute the numbers from the document's current network, data and settings."""
        self._fit_rows()
        doc = self.document
        if self.layer_id is None:
            return
        net = doc.network
        if net is None or self.layer_id not in net.graph.layers or self.index >= net.graph.layers[self.layer_id].size:
            self.info = None
            self.table.setRowCount(0)
            self.title.setText("The network cannot be evaluated: " + "; ".join(doc.network_problems())
                               if net is None else "That neuron is no longer in the network.")
            self.summary.clear()
            self.weight_picture.hide()
            return
        info = inspect_neuron(net, doc.dataset, self.row, self.layer_id, self.index, doc.settings)
        same_place = self.info is not None and (self.info.layer_id, self.info.index, self.info.row) == (
            info.layer_id, info.index, info.row)
        if not same_place:
            self._previous = None
        elif _parameters(self.info) != _parameters(info):
            self._previous = self.info
        # else the weights did not change (a settings edit, a repeated refresh): "moved by" keeps its reference
        self.info = info
        self._show(info)

    def _show(self, info: NeuronMath) -> None:
        doc = self.document
        layer = doc.graph.layers[info.layer_id]
        x = ", ".join(f"{v:.4g}" for v in doc.dataset.X[info.row])
        y = ", ".join(f"{v:.4g}" for v in doc.dataset.Y[info.row])
        name = doc.dataset.label(doc.dataset.Y[info.row])  # a class target: its name first, as the table shows it
        y = y if name is None else f"{html.escape(name)}: {y}"
        self.title.setText(f"<b>{html.escape(layer.name)}</b> · neuron {info.index + 1} · {info.activation}"
                           f" — row {info.row + 1}: inputs ({x}), target ({y})")
        before = {(t.connection, t.source_index): t.weight for t in self._previous.terms} if self._previous else {}
        rows = [
            [f"{doc.graph.layers[t.source_layer].name} {t.source_index + 1}", _num(t.input), _num(t.weight),
             _num(t.product), _num(t.gradient), _num(t.change),
             _num(t.weight - before[(t.connection, t.source_index)]) if (t.connection, t.source_index) in before
             else ""]
            for t in info.terms
        ]
        if info.bias is not None:
            moved = "" if not self._previous or self._previous.bias is None else _num(info.bias - self._previous.bias)
            rows.append(["bias", "1", _num(info.bias), _num(info.bias), _num(info.bias_gradient),
                         _num(info.bias_change), moved])
        self.table.setRowCount(len(rows))
        for r, cells in enumerate(rows):
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.summary.setText(self.summary_html(info))
        picture = weights_of(doc, info.layer_id, info.index)
        if picture is not None:
            self.weight_picture.setPixmap(fitted(signed_image(picture), WEIGHT_PICTURE_PX))
        self.weight_picture.setVisible(picture is not None)

    @staticmethod
    def summary_html(info: NeuronMath) -> str:
        if info.z is None:
            return f"input value a = <b>{info.a:.6g}</b>"
        has_bias = info.bias is not None
        bias = f" + {info.bias:.6g}" if has_bias else ""
        return (
            f"z = Σ a·w{' + b' if has_bias else ''} = {info.weighted_sum:.6g}{bias} = <b>{info.z:.6g}</b><br>"
            f"a = {info.activation}(z) = <b>{info.a:.6g}</b> &nbsp; f′(z) = {info.derivative:.6g}<br>"
            f"δ = ∂loss/∂z = <b>{info.delta:.6g}</b> (loss {info.loss}, one row)<br>"
            f"∂loss/∂w = a · δ &nbsp; one online step: w ← w − {info.rate:g} · ∂loss/∂w"
        )
