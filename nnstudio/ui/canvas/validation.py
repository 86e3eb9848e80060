"""The validation dock's list: what keeps the network from training, live."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from ...paths import icon_path
from ..model.document import Document

READY = "The network is ready to train"


class ValidationList(QListWidget):
    """Lists ``document.network_problems()``, refreshed on every graph, network, dataset or settings change.

    Activating a problem (double-click, Enter) emits ``layerRequested`` with the layer it names.
    """

    layerRequested = Signal(str)

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("validationList")
        self.setAccessibleName("Validation problems")
        self.setToolTip("Problems that keep the network from being trained")
        self.setWordWrap(True)
        self.document = document
        document.graphChanged.connect(self.refresh)
        document.networkChanged.connect(self.refresh)
        document.datasetChanged.connect(self.refresh)
        document.settingsChanged.connect(self.refresh)  # the loss must suit the outputs
        self.itemActivated.connect(self._activated)
        self.refresh()

    def layer_named_in(self, text: str) -> str | None:
        """The id of the layer whose name the problem mentions (the longest name wins: "Hidden 2" over "Hidden")."""
        layers = sorted(self.document.graph.layers.values(), key=lambda layer: len(layer.name), reverse=True)
        return next((layer.id for layer in layers if layer.name in text), None)

    def _activated(self, item: QListWidgetItem) -> None:
        layer_id = self.layer_named_in(item.toolTip())
        if layer_id is not None:
            self.layerRequested.emit(layer_id)

    def problems(self) -> list[str]:
        return [self.item(k).text() for k in range(self.count()) if self.item(k).text() != READY]

    def refresh(self, *_args) -> None:
        problems = self.document.network_problems()
        self.clear()
        icon = QIcon(str(icon_path("warning" if problems else "ok")))
        for text in problems or [READY]:
            item = QListWidgetItem(icon, text[:1].upper() + text[1:] if text != READY else text)
            item.setToolTip(text)
            self.addItem(item)
