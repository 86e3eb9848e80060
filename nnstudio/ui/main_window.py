"""The main window (placeholder until the canvas lands): shows the open project's topology."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMainWindow

from ..io.project import load_project
from .document import Document


class MainWindow(QMainWindow):
    def __init__(self, path: str | None = None):
        super().__init__()
        self.document = Document(load_project(path) if path else None, path)
        sizes = "-".join(str(layer.size) for layer in self.document.network.layers) if self.document.network else "?"
        self.setWindowTitle(f"{self.document.title} — nnstudio")
        self.setCentralWidget(QLabel(f"{self.document.name or self.document.title}: {sizes}"))
        self.resize(1100, 720)
