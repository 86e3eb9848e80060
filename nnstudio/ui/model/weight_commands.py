"""Undoable edits made from the training views."""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from .document import Document


class SetWeightCommand(QUndoCommand):
    """Set one synapse weight ``W[i, j]`` of a connection."""

    def __init__(self, document: Document, conn_id: str, i: int, j: int, value: float):
        super().__init__(f"Set weight {conn_id} [{i}, {j}] to {value:g}")
        self.document, self.conn_id, self.i, self.j = document, conn_id, i, j
        self.new = float(value)
        self.old = float(document.network.weights[conn_id][i, j])

    def _put(self, value: float) -> None:
        net = self.document.network
        if net is None or self.conn_id not in net.weights:
            return  # the structure changed underneath; the undo stack keeps order, so this is a no-op
        spec = net.specs["W:" + self.conn_id]
        params = net.get_params()
        params[spec.slice].reshape(spec.shape)[self.i, self.j] = value
        self.document.set_params(params)

    def redo(self) -> None:
        self._put(self.new)

    def undo(self) -> None:
        self._put(self.old)
