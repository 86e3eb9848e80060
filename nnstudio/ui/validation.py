"""The validation dock's list: what keeps the network from training, live."""

from __future__ import annotations

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from ..paths import icon_path
from .document import Document

READY = "The network is ready to train"


class ValidationList(QListWidget):
    """Lists ``document.network_problems()``, refreshed on every graph, network or dataset change."""

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
        self.refresh()

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
