"""The APNG container for "Record a run": Qt-encoded PNG frames become one animation that decodes frame by frame."""

import struct

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QImage, QImageWriter

from nnstudio.io.apng import ApngError, apng_from_pngs, chunks, png_frames

COLOURS = ("red", "green", "blue", "black", "white")


def qt_png(colour: str, size: tuple[int, int] = (40, 30)) -> bytes:
    image = QImage(*size, QImage.Format.Format_ARGB32)
    image.fill(QColor(colour))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert image.save(buffer, "PNG")
    return bytes(data.data())


def test_qt_cannot_write_an_animation_itself() -> None:  # why nnstudio assembles one
    assert b"gif" not in [bytes(f.data()) for f in QImageWriter.supportedImageFormats()]


def test_an_animation_decodes_to_its_frames_in_order() -> None:
    frames = [qt_png(c) for c in COLOURS]
    apng = apng_from_pngs(frames, delay_ms=100)
    parts = chunks(apng)
    kinds = [kind for kind, _ in parts]
    assert kinds[:2] == [b"IHDR", b"acTL"] and kinds[-1] == b"IEND"
    assert struct.unpack(">II", dict(parts)[b"acTL"]) == (len(COLOURS), 0)
    assert kinds.count(b"fcTL") == len(COLOURS)
    sequence = [struct.unpack(">I", data[:4])[0] for kind, data in parts if kind in (b"fcTL", b"fdAT")]
    assert sequence == list(range(len(sequence)))  # the APNG rule: one sequence over fcTL and fdAT
    decoded = png_frames(apng)
    assert len(decoded) == len(COLOURS)
    for png, colour in zip(decoded, COLOURS, strict=True):
        image = QImage.fromData(png, "PNG")
        assert (image.width(), image.height()) == (40, 30)
        assert image.pixelColor(5, 5) == QColor(colour)
    assert QImage.fromData(apng, "PNG").pixelColor(0, 0) == QColor("red")  # viewers without APNG: frame 1


def test_frames_of_another_size_or_no_frames_are_refused() -> None:
    with pytest.raises(ApngError, match="frame 2 differs"):
        apng_from_pngs([qt_png("red"), qt_png("red", (41, 30))], delay_ms=100)
    with pytest.raises(ApngError, match="at least one frame"):
        apng_from_pngs([], delay_ms=100)
    with pytest.raises(ApngError, match="not PNG data"):
        apng_from_pngs([b"GIF89a"], delay_ms=100)


def test_palette_frames_must_share_one_palette() -> None:
    def indexed(colour: str, table=None) -> tuple[bytes, list]:
        image = QImage(40, 30, QImage.Format.Format_ARGB32)
        image.fill(QColor(colour))
        image = image.convertToFormat(QImage.Format.Format_Indexed8, table) if table else image.convertToFormat(
            QImage.Format.Format_Indexed8)
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        assert image.save(buffer, "PNG")
        return bytes(data.data()), image.colorTable()

    first, table = indexed("red")
    table = [*table, QColor("blue").rgba()]
    first, _ = indexed("red", table)
    same, _ = indexed("blue", table)
    apng = apng_from_pngs([first, same], delay_ms=50)
    assert [k for k, _ in chunks(apng)].count(b"PLTE") == 1
    decoded = [QImage.fromData(png, "PNG") for png in png_frames(apng)]
    assert [image.pixelColor(3, 3) for image in decoded] == [QColor("red"), QColor("blue")]
    other, _ = indexed("green", [QColor("green").rgba(), QColor("white").rgba()])
    with pytest.raises(ApngError, match="another palette"):
        apng_from_pngs([first, other], delay_ms=50)
