"""Thumbnails of image rows in the data table's row header: drawn only for rows on screen, made once, cached.

:class:`ThumbnailHeader` is the table's vertical header: each section shows the row's number and, when the
dataset is an image (``dataset.image_shape``), a small picture of its inputs beside it.  Qt paints only the
sections in view, so a row's picture is made the first time it scrolls into sight and kept (the last
:data:`CACHE_ROWS` of them); the dataset changing empties the cache.  Training frames never repaint it.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import QHeaderView, QWidget

from ...core.datasets import Dataset
from ...core.images import raw_range, rows_as_images
from ...core.table_rows import TableRows
from .pictures import fitted, gray_image

THUMBNAIL_PX = 28  # the side of the square a thumbnail fits in (MNIST's 28 pixels, one for one)
CACHE_ROWS = 512  # a few screens of rows
MARGIN = 2


class ThumbnailCache:
    """Pictures of the rows of ``X`` (the table's rows, stored inputs) of an image dataset, made on demand."""

    def __init__(self, capacity: int = CACHE_ROWS):
        self.capacity = capacity
        self.dataset: Dataset | None = None
        self.X = TableRows(np.empty((0, 0)), None)
        self._range: tuple[float, float] | None = None
        self._pixmaps: OrderedDict[int, QPixmap] = OrderedDict()
        self.made = 0  # pictures made so far (a test counts them)

    def reset(self, dataset: Dataset, X: TableRows) -> None:
        """New rows: forget every picture; nothing is drawn until a row is asked for."""
        self.dataset = dataset if dataset.image_shape is not None else None
        self.X, self._range = X, None
        self._pixmaps.clear()

    @property
    def active(self) -> bool:
        return self.dataset is not None

    def pixmap(self, row: int) -> QPixmap | None:
        """The picture of ``row`` (None when the dataset is not an image or the row does not exist)."""
        if self.dataset is None or not 0 <= row < len(self.X):
            return None
        cached = self._pixmaps.get(row)
        if cached is not None:
            self._pixmaps.move_to_end(row)
            return cached
        if self._range is None:
            self._range = raw_range(self.dataset)
        picture = fitted(gray_image(rows_as_images(self.dataset, self.X[row], self._range)[0]), THUMBNAIL_PX)
        self.made += 1
        self._pixmaps[row] = picture
        if len(self._pixmaps) > self.capacity:
            self._pixmaps.popitem(last=False)
        return picture


class ThumbnailHeader(QHeaderView):
    """A vertical header whose sections show the row's picture to the left of its number."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(Qt.Orientation.Vertical, parent)
        self.cache = ThumbnailCache()
        self.setDefaultAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def reset_rows(self, dataset: Dataset, X: TableRows) -> None:
        """The table shows new rows: pictures of them from now on (or none when ``dataset`` is not an image)."""
        self.cache.reset(dataset, X)
        self.updateGeometries()  # the width changes with the pictures
        self.viewport().update()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        if self.cache.active:
            hint.setWidth(hint.width() + THUMBNAIL_PX + 2 * MARGIN)
        return hint

    def paintSection(self, painter: QPainter, rect: QRect, logicalIndex: int) -> None:
        super().paintSection(painter, rect, logicalIndex)
        picture = self.cache.pixmap(logicalIndex) if self.cache.active else None
        if picture is None:
            return
        painter.save()
        top = rect.top() + (rect.height() - picture.height()) // 2
        painter.drawPixmap(rect.left() + MARGIN, top, picture)
        painter.restore()
