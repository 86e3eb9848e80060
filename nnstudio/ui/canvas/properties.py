"""The properties dock's panel: edit the selected layer or connection, or read a network summary."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...core.activations import ACTIVATIONS
from ...core.graph import KINDS, MAX_LAYER_SIZE, ROLES, kind_label
from ..model.editor import Editor
from .scene import CanvasScene

#: how often, at most, the weight range of the shown connection is recomputed while the weights change
WEIGHTS_REFRESH_MS = 150


class PropertiesPanel(QWidget):
    """Shows the selection; every edit goes through the editor (so it is one undo step, merged while typing)."""

    message = Signal(str)

    def __init__(self, editor: Editor, scene: CanvasScene, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("propertiesPanel")
        self.editor, self.scene = editor, scene
        self.layer_id: str | None = None
        self.conn_id: str | None = None
        self._session = 0  # typing within one session of a field merges into one undo step
        self.stack = QStackedWidget(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.stack)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.summary.setObjectName("propertiesSummary")
        self.stack.addWidget(self.summary)
        self.stack.addWidget(self._build_layer_form())
        self.stack.addWidget(self._build_connection_form())
        scene.selectionChanged.connect(self.show_selection)
        editor.document.graphChanged.connect(self._on_graph_changed)
        editor.document.networkChanged.connect(self._on_graph_changed)
        editor.document.trainingChanged.connect(self._on_graph_changed)  # a run locks the structure fields
        # the weight range of a shown connection follows every weight change (an edit, training, undo), a few
        # times a second at most: the timer starts with the first change and shows the weights as they are then
        self._weights_timer = QTimer(self, singleShot=True, interval=WEIGHTS_REFRESH_MS)
        self._weights_timer.timeout.connect(self.refresh_weights)
        editor.document.weightsChanged.connect(self._weights_changed)
        self.show_selection()

    # -- forms ---------------------------------------------------------------------------------
    def _build_layer_form(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("layerName")
        self.name_edit.setAccessibleName("Layer name")
        self.name_edit.setToolTip("The layer's name (shown on the canvas and in exports)")
        self.name_edit.textEdited.connect(lambda text: self._edit(name=text) if text.strip() else None)
        self.name_edit.editingFinished.connect(self._end_session)
        self.size_spin = QSpinBox()
        self.size_spin.setObjectName("layerSize")
        self.size_spin.setAccessibleName("Layer size")
        self.size_spin.setToolTip("Number of neurons")
        self.size_spin.setRange(1, MAX_LAYER_SIZE)
        self.size_spin.valueChanged.connect(lambda value: self._edit(size=value))
        self.size_spin.editingFinished.connect(self._end_session)
        self.activation_combo = QComboBox()
        self.activation_combo.setObjectName("layerActivation")
        self.activation_combo.setAccessibleName("Activation")
        self.activation_combo.setToolTip("The squashing function applied to each neuron's input sum")
        self.activation_combo.addItems(list(ACTIVATIONS))
        self.activation_combo.currentTextChanged.connect(lambda text: self._edit(merge=False, activation=text))
        self.bias_check = QCheckBox("Bias")
        self.bias_check.setObjectName("layerBias")
        self.bias_check.setAccessibleName("Bias")
        self.bias_check.setToolTip("Whether each neuron adds a trainable bias")
        self.bias_check.toggled.connect(lambda on: self._edit(merge=False, bias=on))
        self.role_combo = QComboBox()
        self.role_combo.setObjectName("layerRole")
        self.role_combo.setAccessibleName("Role")
        self.role_combo.setToolTip("Input layers receive the data; output layers give the answer")
        self.role_combo.addItems(list(ROLES))
        self.role_combo.currentTextChanged.connect(lambda text: self._edit(merge=False, role=text))
        form.addRow("Name", self.name_edit)
        form.addRow("Neurons", self.size_spin)
        form.addRow("Activation", self.activation_combo)
        form.addRow("", self.bias_check)
        form.addRow("Role", self.role_combo)
        self.layer_info = QLabel()
        self.layer_info.setWordWrap(True)
        form.addRow(self.layer_info)
        return page

    def _build_connection_form(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.conn_label = QLabel()
        self.conn_label.setWordWrap(True)
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("connectionKind")
        self.kind_combo.setAccessibleName("Connection kind")
        self.kind_combo.setToolTip("All to all: every pair; One to one: i → i; All to others: every pair but i → i")
        for kind in KINDS:  # the label for people, the kind (as files spell it) as the item's data
            self.kind_combo.addItem(kind_label(kind), kind)
        self.kind_combo.currentIndexChanged.connect(lambda index: self._edit_kind(self.kind_combo.itemData(index)))
        self.conn_info = QLabel()
        self.conn_info.setWordWrap(True)
        form.addRow("Connection", self.conn_label)
        form.addRow("Kind", self.kind_combo)
        form.addRow(self.conn_info)
        return page

    # -- showing --------------------------------------------------------------------------------
    def show_selection(self) -> None:
        self._end_session()
        layers, conns = self.scene.selected_layer_ids(), self.scene.selected_connection_ids()
        self.layer_id = layers[0] if len(layers) == 1 and not conns else None
        self.conn_id = conns[0] if len(conns) == 1 and not layers else None
        self.refresh()

    def _on_graph_changed(self, *_args) -> None:
        graph = self.editor.graph
        if self.layer_id not in graph.layers:
            self.layer_id = None
        if self.conn_id not in graph.connections:
            self.conn_id = None
        self.refresh()

    def refresh(self) -> None:
        graph, doc = self.editor.graph, self.editor.document
        locked = doc.training
        if self.layer_id:
            layer = graph.layers[self.layer_id]
            blockers = [QSignalBlocker(w) for w in (self.name_edit, self.size_spin, self.activation_combo,
                                                   self.bias_check, self.role_combo)]
            if self.name_edit.text() != layer.name:
                self.name_edit.setText(layer.name)
            self.size_spin.setValue(layer.size)
            self.activation_combo.setCurrentText(layer.activation)
            self.bias_check.setChecked(layer.bias)
            self.role_combo.setCurrentText(layer.role)
            del blockers
            for widget in (self.size_spin, self.activation_combo, self.bias_check, self.role_combo):
                widget.setEnabled(not locked)
            ins = [graph.layers[c.source].name for c in graph.incoming(layer.id)]
            outs = [graph.layers[c.target].name for c in graph.outgoing(layer.id)]
            self.layer_info.setText(f"From: {', '.join(ins) or '—'}\nTo: {', '.join(outs) or '—'}")
            self.stack.setCurrentIndex(1)
        elif self.conn_id:
            conn = graph.connections[self.conn_id]
            src, tgt = graph.layers[conn.source], graph.layers[conn.target]
            self.conn_label.setText(f"{src.name} → {tgt.name}")
            with QSignalBlocker(self.kind_combo):
                self.kind_combo.setCurrentIndex(self.kind_combo.findData(conn.kind))
            self.kind_combo.setEnabled(not locked)
            self.refresh_weights()
            self.stack.setCurrentIndex(2)
        else:
            self.summary.setText(self._summary())
            self.stack.setCurrentIndex(0)

    def _weights_changed(self) -> None:
        if self.conn_id is not None and not self._weights_timer.isActive():
            self._weights_timer.start()

    def refresh_weights(self) -> None:
        """The shown connection's synapse count and weight range, from the weights as they are now."""
        graph, doc = self.editor.graph, self.editor.document
        if self.conn_id is None or self.conn_id not in graph.connections:
            return
        conn = graph.connections[self.conn_id]
        item = self.scene.connection_item(self.conn_id)
        fresh = "W:" + conn.id in doc.fresh_keys
        lines = [f"{item.n_synapses} synapses" + (" · freshly initialised" if fresh else "")]
        net = doc.network
        if net is not None and conn.id in net.weights:
            w = net.weights[conn.id]
            w = w[net.masks[conn.id] > 0] if net.masks[conn.id] is not None else w.ravel()
            if w.size:
                lines.append(f"weights from {w.min():.3g} to {w.max():.3g}, mean |w| {np.abs(w).mean():.3g}")
        lines.append("Point at a synapse on the canvas to see its weight; double-click it to type one.")
        self.conn_info.setText("\n".join(lines))

    def _summary(self) -> str:
        graph, net = self.editor.graph, self.editor.document.network
        selected = len(self.scene.selectedItems())
        lines = []
        if selected > 1:
            lines.append(f"{selected} items selected.")
        lines.append(f"{len(graph.layers)} layers, {len(graph.connections)} connections.")
        if net is not None:
            lines.append(f"{net.n_synapses} synapses, {net.n_params} parameters.")
        lines.append("Select a layer or a connection to edit it.")
        return "\n".join(lines)

    # -- editing ------------------------------------------------------------------------------------
    def _end_session(self) -> None:
        self._session += 1

    def _edit(self, merge: bool = True, **changes) -> None:
        if self.layer_id is None:
            return
        field = next(iter(changes))
        key = (field, self.layer_id, self._session) if merge else None
        problem = self.editor.set_layer(self.layer_id, merge_key=key, **changes)
        if problem:
            self.message.emit(f"Cannot change {field}: {problem}")
            self.refresh()

    def _edit_kind(self, kind: str) -> None:
        if self.conn_id is None:
            return
        problem = self.editor.set_connection_kind(self.conn_id, kind)
        if problem:
            self.message.emit(f"Cannot change the connection kind: {problem}")
            self.refresh()
