"""Every undo command: each changes only the model, ``redo`` one model method and ``undo`` its inverse.

The canvas and the docks follow through the document's signals (the Orange
canvas way).  Gestures that touch several things (a drag of many layers, a
delete of a selection, a preset) become one :class:`MacroCommand` that runs
its commands in order (and undoes them in reverse).  The checks before an edit
live in :mod:`nnstudio.ui.model.editor`.

:class:`KeepTrainedState` wraps an edit that can change the weights or what
they were trained on (a structural graph edit, new data, a reset): undoing it
brings back the weights, history, status and time-travel snapshots as they
were, and redoing it brings back what was there when it was undone.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtGui import QUndoCommand

from ...core import Connection, Dataset, Graph, Layer, TrainSettings
from ...core.fitting import NetworkFit
from ...core.graph import kind_label
from .document import Document
from .trained_state import TrainedState

#: QUndoCommand.id() of layer edits that merge while a field is being typed in
MERGE_LAYER_EDIT = 1


class MacroCommand(QUndoCommand):
    """Several commands as one undo step (Python keeps the parts, so no Qt ownership games)."""

    def __init__(self, text: str, commands: list[QUndoCommand]):
        super().__init__(text)
        self.commands = list(commands)

    def redo(self) -> None:
        for command in self.commands:
            command.redo()

    def undo(self) -> None:
        for command in reversed(self.commands):
            command.undo()


class AddLayerCommand(QUndoCommand):
    def __init__(self, graph: Graph, layer: Layer):
        super().__init__(f"Add {layer.name}")
        self.graph, self.layer = graph, layer

    def redo(self) -> None:
        self.graph.add_layer(self.layer)

    def undo(self) -> None:
        self.graph.remove_layer(self.layer.id)


class RemoveLayerCommand(QUndoCommand):
    """Remove a layer with its connections; undo puts each back at its place in the graph's order."""

    def __init__(self, graph: Graph, layer_id: str):
        super().__init__(f"Delete {graph.layers[layer_id].name}")
        self.graph, self.layer_id = graph, layer_id
        self.removed: tuple[int, Layer, list[tuple[int, Connection]]] | None = None

    def redo(self) -> None:
        index = list(self.graph.layers).index(self.layer_id)
        order = list(self.graph.connections)
        layer, connections = self.graph.remove_layer(self.layer_id)
        self.removed = index, layer, sorted((order.index(conn.id), conn) for conn in connections)

    def undo(self) -> None:
        index, layer, connections = self.removed
        self.graph.add_layer(layer, index)
        for position, conn in connections:  # in ascending order, so each lands where it was
            self.graph.add_connection(conn, position)


class AddConnectionCommand(QUndoCommand):
    def __init__(self, graph: Graph, conn: Connection):
        names = [graph.layers[i].name if i in graph.layers else i for i in (conn.source, conn.target)]
        super().__init__(f"Connect {names[0]} → {names[1]}")
        self.graph, self.conn = graph, conn

    def redo(self) -> None:
        self.graph.add_connection(self.conn)

    def undo(self) -> None:
        self.graph.remove_connection(self.conn.id)


class RemoveConnectionCommand(QUndoCommand):
    def __init__(self, graph: Graph, conn_id: str):
        super().__init__(f"Disconnect {graph.connection_name(conn_id)}")
        self.graph, self.conn = graph, graph.connections[conn_id]
        self.index = 0

    def redo(self) -> None:
        self.index = list(self.graph.connections).index(self.conn.id)
        self.graph.remove_connection(self.conn.id)

    def undo(self) -> None:
        self.graph.add_connection(self.conn, self.index)


class SetLayerCommand(QUndoCommand):
    """Change layer attributes; with a ``merge_key`` consecutive edits of one field become one step."""

    def __init__(self, graph: Graph, layer_id: str, changes: dict[str, Any], text: str = "",
                 merge_key: Any = None):
        super().__init__(text or f"Edit {graph.layers[layer_id].name}")
        self.graph, self.layer_id = graph, layer_id
        self.changes = dict(changes)
        self.old = {key: getattr(graph.layers[layer_id], key) for key in changes}
        self.merge_key = merge_key

    def redo(self) -> None:
        self.graph.set_layer(self.layer_id, **self.changes)

    def undo(self) -> None:
        self.graph.set_layer(self.layer_id, **self.old)

    def id(self) -> int:
        return MERGE_LAYER_EDIT if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetLayerCommand) or other.merge_key != self.merge_key:
            return False
        if other.layer_id != self.layer_id or set(other.changes) != set(self.changes):
            return False
        self.changes = dict(other.changes)
        return True


class SetConnectionKindCommand(QUndoCommand):
    def __init__(self, graph: Graph, conn_id: str, kind: str):
        super().__init__(f"Make {graph.connection_name(conn_id)} {kind_label(kind).lower()}")
        self.graph, self.conn_id, self.kind = graph, conn_id, kind
        self.old = graph.connections[conn_id].kind

    def redo(self) -> None:
        self.graph.set_connection_kind(self.conn_id, self.kind)

    def undo(self) -> None:
        self.graph.set_connection_kind(self.conn_id, self.old)


# -- parameter edits (the network's weights) ------------------------------------------------
class SetWeightCommand(QUndoCommand):
    """Set one synapse weight ``W[i, j]`` of a connection."""

    def __init__(self, document: Document, conn_id: str, i: int, j: int, value: float):
        super().__init__(f"Set weight {document.graph.synapse_name(conn_id, i, j)} to {value:g}")
        self.document, self.conn_id, self.i, self.j = document, conn_id, i, j
        self.new = float(value)
        self.old = float(document.network.weights[conn_id][i, j])

    def redo(self) -> None:
        self.document.set_weight(self.conn_id, self.i, self.j, self.new)

    def undo(self) -> None:
        self.document.set_weight(self.conn_id, self.i, self.j, self.old)


class LoadWeightsCommand(QUndoCommand):
    """Replace every parameter of the open network with those read from a file."""

    def __init__(self, document: Document, old: np.ndarray, new: np.ndarray, name: str):
        super().__init__(f"Load weights from {name}")
        self.document, self.old, self.new = document, old, new
        self.was_trained = document.trained

    def redo(self) -> None:
        self.document.set_params(self.new)

    def undo(self) -> None:
        self.document.set_params(self.old, trained=False)
        self.document.trained = self.was_trained


# -- settings, data, Reset Weights and the trained state ----------------------------------------
#: QUndoCommand.id() of edits that merge while a value is being typed (layer edits use 1)
MERGE_SETTINGS = 2
MERGE_DATASET = 3
#: what the status bar says after an edit made once training has said something
NETWORK_CHANGED = "The network changed since training; the changed layers start from new initial weights."
DATA_CHANGED = "The data changed since training: train again to fit it."
#: the name a dataset takes once it is edited by hand (the Data box shows it; the project file keeps it)
CUSTOM_DATA = "Custom"


class KeepTrainedState(QUndoCommand):
    """``command`` plus the trained state it replaces (captured on the first redo, put back on undo)."""

    def __init__(self, document: Document, command: QUndoCommand, status: str | None = None):
        super().__init__(command.text())
        self.document, self.command, self.status = document, command, status
        self.before: TrainedState | None = None
        self.after: TrainedState | None = None

    def redo(self) -> None:
        if self.before is None:
            self.before = self.document.capture_state()
            self.command.redo()
            if self.status and self.before.status:
                self.document.set_status(self.status)
        else:
            self.command.redo()
            if self.after is not None:
                self.document.restore_state(self.after)

    def undo(self) -> None:
        before = self.before
        assert before is not None, "undo before redo"
        self.after = self.document.capture_state(protect=(before,))
        self.command.undo()
        self.document.restore_state(before)

    def id(self) -> int:
        return self.command.id()

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, KeepTrainedState) or not self.command.mergeWith(other.command):
            return False
        self.setText(self.command.text())
        return True


class SetSettingsCommand(QUndoCommand):
    """New learning settings; with a ``merge_key`` the edits of one field being typed become one step."""

    def __init__(self, document: Document, settings: TrainSettings, text: str, merge_key: Any = None):
        super().__init__(text)
        self.document, self.new, self.old = document, settings, document.settings
        self.merge_key = merge_key

    def redo(self) -> None:
        self.document.set_settings(self.new, dirty=False)

    def undo(self) -> None:
        self.document.set_settings(self.old, dirty=False)

    def id(self) -> int:
        return MERGE_SETTINGS if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetSettingsCommand) or other.merge_key != self.merge_key:
            return False
        self.new = other.new
        return True


#: settings typed into a box: the keystrokes of one visit to the box are one undo step
TYPED_FIELDS = {"rate", "momentum", "batch_size", "l1", "l2", "epochs", "target_error", "patience", "seed"}
FIELD_NAMES = {"rate": "learning rate", "optimizer": "optimizer", "momentum": "momentum", "batch_size": "batches",
               "cost": "loss", "l1": "L1", "l2": "L2", "epochs": "max epochs", "target_error": "target error",
               "patience": "plateau patience", "seed": "shuffling seed", "shuffle": "shuffling",
               "max_seconds": "time limit", "schedule": "rate schedule", "dtype": "precision"}


def settings_command(document: Document, settings: TrainSettings, session: int) -> SetSettingsCommand | None:
    """The undo step for new settings (None: nothing changed); typed fields merge within one ``session``."""
    old, new = document.settings.to_dict(), settings.to_dict()
    changed = [key for key in new if new[key] != old.get(key)]  # every field, also ones added later
    if not changed:
        return None
    merge_key = (tuple(changed), session) if set(changed) <= TYPED_FIELDS else None
    text = "Change " + ", ".join(FIELD_NAMES.get(key, key.replace("_", " ")) for key in changed)
    return SetSettingsCommand(document, settings, text, merge_key)


class SetDatasetCommand(QUndoCommand):
    """New data (a menu choice, generator settings, a table edit), with its data seed and generator noise."""

    def __init__(self, document: Document, dataset: Dataset, text: str, data_seed: int | None = None,
                 noise: float | None = None, merge_key: Any = None):
        super().__init__(text)
        self.document, self.merge_key = document, merge_key
        self.new = (dataset, document.data_seed if data_seed is None else data_seed,
                    document.generator_noise if noise is None else noise)
        self.old = (document.dataset, document.data_seed, document.generator_noise)

    def _put(self, values: tuple[Dataset, int, float]) -> None:
        dataset, self.document.data_seed, noise = values
        self.document.generator_noise = noise
        self.document.set_dataset(dataset, dirty=False)

    def redo(self) -> None:
        self._put(self.new)

    def undo(self) -> None:
        self._put(self.old)

    def id(self) -> int:
        return MERGE_DATASET if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetDatasetCommand) or other.merge_key != self.merge_key:
            return False
        self.new = other.new
        return True


class ResetWeightsCommand(QUndoCommand):
    """Reset Weights (or a new init seed): initial weights, an empty history; undo keeps the old seed too."""

    def __init__(self, document: Document, seed: int | None = None):
        super().__init__("Reset Weights" if seed is None else f"Init seed {seed}")
        self.document, self.seed, self.old_seed = document, seed, document.init_seed

    def redo(self) -> None:
        self.document.reset_weights(self.seed, dirty=False)
        self.document.settingsChanged.emit()  # the init seed is shown with the settings
        self.document.set_status(f"Reset to the initial weights (init seed {self.document.init_seed}).")

    def undo(self) -> None:
        self.document.init_seed = self.old_seed
        if self.document.network is not None:
            self.document.network.seed = self.old_seed
        self.document.settingsChanged.emit()


class SetParamsCommand(QUndoCommand):
    """Every parameter at once (a restart run opened on the canvas); pushed with :func:`push_with_state`,
    whose captured state brings the weights, history and status back on undo."""

    def __init__(self, document: Document, params: np.ndarray, text: str):
        super().__init__(text)
        self.document, self.params = document, params

    def redo(self) -> None:
        self.document.set_params(self.params)

    def undo(self) -> None:
        """Nothing of its own: the trained state captured before it is put back whole."""


def push_with_state(document: Document, command: QUndoCommand, status: str | None = None) -> None:
    """Push ``command`` so that its undo also brings back the trained state."""
    document.undo_stack.push(KeepTrainedState(document, command, status))


def push_reset(document: Document, seed: int | None = None) -> None:
    """Reset Weights as one undo step."""
    push_with_state(document, ResetWeightsCommand(document, seed))


class FitNetworkCommand(QUndoCommand):
    """Fit network to data: input and output layer sizes, the output activation and the loss, as
    :func:`nnstudio.core.fitting.plan_fit` planned them (pushed with :func:`push_with_state`, so undo
    brings the trained weights back too)."""

    def __init__(self, document: Document, fit: NetworkFit):
        super().__init__("Fit network to data")
        self.document, self.fit = document, fit
        self.old_settings = document.settings

    def redo(self) -> None:
        settings = self.fit.apply(self.document.graph, self.old_settings)
        if settings is not self.old_settings:
            self.document.set_settings(settings, dirty=False)

    def undo(self) -> None:
        self.fit.revert(self.document.graph)
        if self.document.settings is not self.old_settings:
            self.document.set_settings(self.old_settings, dirty=False)
