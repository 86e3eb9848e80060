"""The palette: layer kinds and preset networks to drag onto the canvas (or activate with Enter)."""

from __future__ import annotations

import json

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QWidget

from ...core.presets import PRESETS
from ...paths import icon_path
from .view import PALETTE_MIME

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1

LAYER_ENTRIES = [
    ("Input layer", {"role": "input"}, "layer-input", "Where the data enters: one neuron per input feature"),
    ("Hidden layer", {"role": "hidden"}, "layer-hidden", "A layer of neurons between inputs and outputs"),
    ("Output layer", {"role": "output"}, "layer-output", "The network's answer: one neuron per target"),
]


class PaletteList(QListWidget):
    """Entries are dragged with the palette MIME type; double-click or Enter emits ``entryActivated``."""

    entryActivated = Signal(dict)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("paletteList")
        self.setAccessibleName("Layer palette")
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSpacing(2)
        for text, entry, icon, tip in LAYER_ENTRIES:
            self._add(text, entry, icon, tip)
        for name in PRESETS:
            self._add(name, {"preset": name}, "preset", f"Add the whole {name} network")
        self.itemActivated.connect(lambda item: self.entryActivated.emit(item.data(ENTRY_ROLE)))

    def _add(self, text: str, entry: dict, icon: str, tip: str) -> None:
        item = QListWidgetItem(QIcon(str(icon_path(icon))), text)
        item.setData(ENTRY_ROLE, entry)
        item.setToolTip(f"{tip}. Drag onto the canvas, or double-click / Enter to add at the centre.")
        self.addItem(item)

    def entries(self) -> list[dict]:
        return [self.item(k).data(ENTRY_ROLE) for k in range(self.count())]

    def mimeTypes(self) -> list[str]:
        return [PALETTE_MIME]

    def mimeData(self, items) -> QMimeData:
        data = QMimeData()
        if items:
            data.setData(PALETTE_MIME, json.dumps(items[0].data(ENTRY_ROLE)).encode("utf-8"))
        return data

    def set_locked(self, locked: bool) -> None:
        self.setEnabled(not locked)
