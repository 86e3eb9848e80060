"""Image inputs in the window: row thumbnails made only for rows on screen, the drawing pad, weight pictures."""

import numpy as np
import pytest

from nnstudio.core.images import raw_range, rows_as_images
from nnstudio.io.project import load_project
from nnstudio.ui.model.document import Document
from nnstudio.ui.training.data_table import DataTable

DIGITS = "samples/digits.nnstudio"


@pytest.fixture(scope="module")
def digits_project():
    return load_project(DIGITS)


def test_thumbnails_only_for_rows_in_view(qtbot, digits_project) -> None:
    doc = Document(digits_project)
    table = DataTable(doc)
    qtbot.addWidget(table)
    table.resize(500, 300)
    table.show()
    qtbot.waitExposed(table)
    table.grab()  # paints the rows in view, now
    cache = table.row_header.cache
    first, stop = table.model.visible
    assert 0 < stop - first < 20 and 0 < cache.made <= stop - first + 1  # 1,797 rows, a handful drawn
    made = cache.made
    table.grab()
    assert cache.made == made  # repainting the same rows reuses their pictures
    picture = cache.pixmap(3).toImage()
    expected = rows_as_images(doc.dataset, doc.dataset.X[3], raw_range(doc.dataset))[0]
    dark = np.array([[picture.pixelColor(3 * c + 1, 3 * r + 1).red() for c in range(8)] for r in range(8)])
    assert np.array_equal(dark, np.round(255 * (1 - expected)))  # ink dark, pixel by pixel
    assert table.row_header.sizeHint().width() > 28


def test_no_thumbnails_without_an_image_shape(qtbot) -> None:
    table = DataTable(Document())  # XOR
    qtbot.addWidget(table)
    table.show()
    qtbot.waitExposed(table)
    table.grab()
    assert not table.row_header.cache.active and table.row_header.cache.made == 0
    assert table.row_header.cache.pixmap(0) is None
