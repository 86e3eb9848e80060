"""Help → Documentation: the bundled Markdown docs (README and docs/*.md) in a window of their own, offline.

The files are read where :func:`nnstudio.paths.docs_dir` finds them (inside
the package in a wheel, the top of the repository in a source checkout); links
between them and their pictures work as on the web, other links open in the
browser.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QImage, QResizeEvent, QTextCursor, QTextDocument
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QSplitter, QTextBrowser, QWidget

from ...paths import docs_dir


def doc_files(root: Path) -> list[tuple[str, Path]]:
    """(title, path) of the README and each ``docs/*.md`` under ``root``, the README first."""
    paths = [root / "README.md", *sorted((root / "docs").glob("*.md"))]
    return [(_title(path), path) for path in paths if path.is_file()]


def _title(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].replace("`", "").strip()
    return path.stem


class DocsBrowser(QWidget):
    """A window with the list of documents on the left and the one chosen on the right."""

    def __init__(self, root: Path | None = None, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("docsBrowser")
        self.setWindowTitle("nnstudio documentation")
        self.root = docs_dir() if root is None else root
        self.files = doc_files(self.root)
        self.index = QListWidget(objectName="docsList")
        for title, path in self.files:
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(str(path))
            self.index.addItem(item)
        self.text = QTextBrowser(objectName="docsText")
        self.text.setOpenExternalLinks(True)  # web links to the browser; links between the docs stay here
        self.index.currentRowChanged.connect(self.show_file)
        splitter = QSplitter()
        splitter.addWidget(self.index)
        splitter.addWidget(self.text)
        splitter.setSizes([220, 780])
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        if self.files:
            layout.addWidget(splitter)
            self.index.setCurrentRow(0)
        else:
            missing = QLabel(f"The documentation is not installed with this copy of nnstudio (looked in {self.root}).",
                             objectName="docsMissing")
            missing.setWordWrap(True)
            layout.addWidget(missing)
        self.resize(1000, 720)

    def show_file(self, row: int) -> None:
        """Show document ``row`` of the list (as Markdown: headings, tables, code, pictures)."""
        if 0 <= row < len(self.files):
            url = QUrl.fromLocalFile(str(self.files[row][1]))
            self.text.setSource(url, QTextDocument.ResourceType.MarkdownResource)
            self.fit_pictures()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_pictures()

    def fit_pictures(self) -> None:
        """Scale the pictures down to the page's width (half of it in a table of two), never up."""
        document, page = self.text.document(), max(200, self.text.viewport().width() - 40)
        block = document.begin()
        while block.isValid():
            fragments = block.begin()
            while not fragments.atEnd():
                fragment = fragments.fragment()
                image = fragment.charFormat().toImageFormat()
                if image.isValid() and image.name():
                    cursor = QTextCursor(document)
                    cursor.setPosition(fragment.position())
                    cursor.setPosition(fragment.position() + fragment.length(), QTextCursor.MoveMode.KeepAnchor)
                    natural = QImage(self.text.source().resolved(QUrl(image.name())).toLocalFile()).width()
                    room = page // 2 - 12 if cursor.currentTable() is not None else page
                    image.setWidth(min(natural or room, room))
                    cursor.setCharFormat(image)
                fragments += 1
            block = block.next()
