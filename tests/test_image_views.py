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


def on_screen(qtbot, widget, size: tuple[int, int] | None = None):
    """``widget`` shown (at ``size``) and exposed, closed with the test."""
    qtbot.addWidget(widget)
    if size is not None:
        widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_thumbnails_only_for_rows_in_view(qtbot, digits_project) -> None:
    doc = Document(digits_project)
    table = on_screen(qtbot, DataTable(doc), (500, 300))
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
    table = on_screen(qtbot, DataTable(Document()))  # XOR
    table.grab()
    assert not table.row_header.cache.active and table.row_header.cache.made == 0
    assert table.row_header.cache.pixmap(0) is None


def draw(pad, points) -> None:
    """A mouse stroke through ``points`` (fractions of the pad's width and height)."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    pts = [QPoint(round(x * (pad.width() - 1)), round(y * (pad.height() - 1))) for x, y in points]
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pts[0])
    for a, b in zip(pts, pts[1:], strict=False):
        for k in range(1, 6):
            QTest.mouseMove(pad, a + (b - a) * (k / 5))
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pts[-1])


def test_a_drawing_reaches_the_network_as_the_right_inputs(qtbot, digits_project) -> None:
    from nnstudio.core.images import drawing_to_image, image_to_inputs
    from nnstudio.ui.training.try_it import TryIt

    doc = Document(digits_project)
    try_it = on_screen(qtbot, TryIt(doc))
    data, pad = doc.dataset, try_it.image_pad.pad
    assert try_it.image_pad.isVisible() and pad.width() % 8 == 0
    try_it.image_pad.clear_button.click()
    sent = []
    try_it.inputsChanged.connect(lambda values: sent.append(values))
    draw(pad, [(0.1, 2.5 / 8), (0.9, 2.5 / 8)])  # a line through the middle of image row 2
    expected = image_to_inputs(data, drawing_to_image(pad.drawing(), (8, 8)))
    qtbot.waitUntil(lambda: bool(sent) and np.allclose(sent[-1], expected))
    raw = data.raw_inputs(try_it.values()).reshape(8, 8)
    assert np.allclose(raw[[0, 1, 4, 5, 6, 7]], 0.0)  # the rows the line does not touch stay blank
    assert (raw[2, 2:6] > 12).all()  # ink across row 2, in the data's 0–16 range
    assert np.allclose(try_it.values(), expected)
    outputs = doc.network.predict(try_it.values())
    assert [label.text() for label in try_it.output_labels] == [f"{v:.5f}" for v in outputs]
    assert try_it.image_pad.guess.text().startswith(data.class_names[int(np.argmax(outputs))] + " (")
    try_it.image_pad.clear_button.click()
    qtbot.waitUntil(lambda: np.allclose(sent[-1], data.scale(np.zeros(64))))


def test_a_selected_row_shows_on_the_pad(qtbot, digits_project) -> None:
    from nnstudio.ui.training.try_it import TryIt

    doc = Document(digits_project)
    try_it = TryIt(doc)
    qtbot.addWidget(try_it)
    try_it.set_values(doc.dataset.X[5])
    assert np.allclose(try_it.image_pad.image(), rows_as_images(doc.dataset, doc.dataset.X[5])[0], atol=1 / 255)
    assert np.array_equal(try_it.values(), doc.dataset.X[5])  # in full: the boxes show 3 decimals
    try_it.input_boxes[3].setValue(4)  # typing changes that input only (a raw pixel count, 0 to 16)
    typed = doc.dataset.scale(np.full(64, 4.0))[3]
    assert try_it.values()[3] == typed and np.array_equal(np.delete(try_it.values(), 3), np.delete(doc.dataset.X[5], 3))
    xor = TryIt(Document())
    qtbot.addWidget(xor)
    assert xor.image_pad.isHidden()


def test_first_hidden_weights_as_pictures(qtbot, digits_project) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from nnstudio.core.images import incoming_weight_images
    from nnstudio.ui.learning.inspector_panel import InspectorPanel
    from nnstudio.ui.learning.weight_images import WeightImages
    from nnstudio.ui.training.pictures import signed_image

    doc = Document(digits_project)
    view = on_screen(qtbot, WeightImages(doc), (400, 400))
    hidden = next(lid for lid, layer in doc.graph.layers.items() if layer.role == "hidden")
    assert view.layer_id == hidden and len(view.grid.tiles) == 32
    weights = incoming_weight_images(doc.network, doc.dataset)[hidden]
    assert view.grid.tiles[5] == signed_image(weights[5])
    clicked = []
    view.neuronClicked.connect(lambda layer, index: clicked.append((layer, index)))
    QTest.mouseClick(view.grid, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     view.grid.tile_rects()[7].center())
    assert clicked == [(hidden, 7)]
    inspector = InspectorPanel(doc)
    qtbot.addWidget(inspector)
    inspector.show_neuron(hidden, 7)
    assert not inspector.weight_picture.isHidden()
    assert inspector.weight_picture.pixmap().toImage().pixelColor(0, 0) == signed_image(weights[7]).pixelColor(0, 0)
    output = next(lid for lid, layer in doc.graph.layers.items() if layer.role == "output")
    inspector.show_neuron(output, 0)
    assert inspector.weight_picture.isHidden()  # fed by the hidden layer, not by the picture
    plain = WeightImages(Document())
    qtbot.addWidget(plain)
    plain.show()
    assert plain.layer_id is None and not plain.grid.tiles
