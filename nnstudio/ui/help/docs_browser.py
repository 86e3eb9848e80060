"""Help → Documentation: the bundled Markdown docs (README and docs/*.md) in a window of their own, offline.

The files are read where :func:`nnstudio.paths.docs_dir` finds them (inside
the package in a wheel, the top of the repository in a source checkout); links
between them and their pictures work as on the web, other links open in the
browser.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QUrl
from PySide6.QtGui import QColor, QImage, QPalette, QResizeEvent, QTextCursor, QTextDocument, QTextFormat
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
        titles = max((self.index.fontMetrics().horizontalAdvance(title) for title, _path in self.files), default=0)
        splitter.setSizes([max(220, titles + 36), 780])  # every title whole
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
            self.shade_code()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self.files:  # View → Theme while the docs are open
            self.shade_code()

    def shade_code(self) -> None:
        """Code blocks and `inline code` on a background of their own, a shade off the page's in either theme;
        a heading keeps its size and weight across its code (Qt's Markdown reader drops them from there on)."""
        shade = code_background(self.text.palette())
        document = self.text.document()
        cursor = QTextCursor(document)
        cursor.beginEditBlock()
        block = document.begin()
        while block.isValid():
            if block.blockFormat().hasProperty(QTextFormat.Property.BlockCodeLanguage):  # fenced or indented
                form = block.blockFormat()
                form.setBackground(shade)
                cursor.setPosition(block.position())
                cursor.setBlockFormat(form)
            heading = block.begin().fragment().charFormat() if block.blockFormat().headingLevel() else None
            fragments = block.begin()
            while not fragments.atEnd():
                fragment = fragments.fragment()
                form = fragment.charFormat()
                code = form.fontFixedPitch()  # inline code
                if code:
                    form.setBackground(shade)
                if heading is not None:
                    form.setFontWeight(heading.fontWeight())
                    if code:
                        form.setFontPointSize(heading.font().pointSizeF())
                    else:
                        form.setProperty(QTextFormat.Property.FontSizeAdjustment,
                                         heading.property(QTextFormat.Property.FontSizeAdjustment))
                if code or heading is not None:
                    cursor.setPosition(fragment.position())
                    cursor.setPosition(fragment.position() + fragment.length(), QTextCursor.MoveMode.KeepAnchor)
                    cursor.setCharFormat(form)
                fragments += 1
            block = block.next()
        cursor.endEditBlock()

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


def code_background(palette: QPalette) -> QColor:
    """The page's colour moved a tenth of the way towards its text's: light grey on white, dark grey on black."""
    base, text = palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text)
    return QColor(*(round(0.9 * b + 0.1 * t) for b, t in zip(base.getRgb()[:3], text.getRgb()[:3], strict=True)))
