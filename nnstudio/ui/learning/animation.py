"""Recording a training animation: the canvas (and the error curve) at evenly spaced epochs, as an APNG.

The frames come from the time-travel snapshots: a clip of ``seconds`` at ``fps`` shows ``seconds * fps``
epochs spread evenly over the chosen range (the nearest snapshot each).  They are drawn from a private copy
of the document and its own canvas scene, so the window stays as it is while recording, and the user may go
on working.  Qt's graphics scene can only be drawn on the GUI thread, so :class:`AnimationRecorder` draws
one frame per timer tick (the event loop, the progress bar and Cancel run in between) and hands each image
to a worker thread that maps it onto one fixed 256-colour palette (:mod:`nnstudio.io.palette`: the theme's
colours and the heatmaps' ramp, so nothing bands) and encodes it as a PNG (Qt's encoder, at C speed);
:func:`nnstudio.io.apng.apng_from_pngs` joins them at the end and the file is written atomically.

Why APNG and not GIF: Qt has no animated GIF writer, and a GIF needs a new dependency (Pillow) or an LZW
encoder in Python (far too slow at 800 px); an APNG needs only the standard library and Qt's PNG encoder,
and can be full colour.  Browsers, Keynote and LibreOffice Impress play it; PowerPoint shows its first frame.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, fields, replace
from pathlib import Path

import numpy as np
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen, QPolygonF

from ...core.snapshots import SnapshotStore
from ...io.apng import apng_from_pngs
from ...io.atomic import write_bytes_atomic
from ...io.palette import PaletteMap, build_palette
from ..canvas.layer_item import ROLE_COLORS
from ..canvas.scene import CanvasScene
from ..model.document import Document
from ..theme.style import canvas_theme
from ..training.heatmaps import LUT, neuron_images

MARGIN = 24  # scene units around the network
PLOT_SHARE = 0.28  # the error strip's height, as a share of the canvas part's width
MAX_WIDTH, MAX_FRAMES = 3840, 3000
CURVE_COLOR = QColor(8, 119, 189)


@dataclass(frozen=True)
class AnimationSpec:
    """What to record: the epoch range, the clip's width, length and frame rate, and whether to add the curve."""

    first_epoch: int
    last_epoch: int
    width: int = 800
    seconds: float = 10.0
    fps: int = 10
    with_plot: bool = True
    full_colour: bool = False  # else 256 colours chosen for the canvas: about a third of the size

    @property
    def frame_count(self) -> int:
        return max(1, round(self.seconds * self.fps))

    def problem(self) -> str | None:
        """Why this cannot be recorded (None when it can)."""
        if not 120 <= self.width <= MAX_WIDTH:
            return f"the width must be from 120 to {MAX_WIDTH} pixels"
        if not 1 <= self.fps <= 50 or not 1 <= self.frame_count <= MAX_FRAMES:
            return f"choose 1 to 50 frames per second and at most {MAX_FRAMES} frames"
        if self.last_epoch < self.first_epoch:
            return "the last epoch comes before the first"
        return None


def frame_epochs(store: SnapshotStore, spec: AnimationSpec) -> tuple[list[int], list[np.ndarray]]:
    """The epoch shown in each frame and its parameters: evenly spread over the range, the nearest snapshot each.

    The parameters are copies (a run may go on writing the store), one per distinct snapshot: frames that
    show the same epoch share it, so all together take no more memory than the store."""
    targets = np.linspace(spec.first_epoch, spec.last_epoch, spec.frame_count)
    copies: dict[int, np.ndarray] = {}
    epochs = []
    for target in targets:
        epoch, params = store.nearest(float(target))
        epochs.append(int(epoch))
        if epoch not in copies:
            copies[int(epoch)] = np.array(params, copy=True)
    return epochs, [copies[epoch] for epoch in epochs]


def canvas_palette() -> PaletteMap:
    """The 256 colours of every frame: the theme's, the layer roles', the curve's, and the heatmaps' ramp."""
    theme = canvas_theme()
    colors = [getattr(theme, f.name) for f in fields(theme) if isinstance(getattr(theme, f.name), QColor)]
    colors += [*ROLE_COLORS.values(), CURVE_COLOR]
    return PaletteMap(build_palette(LUT, [(c.red(), c.green(), c.blue()) for c in colors]))


def indexed(image: QImage, palette: PaletteMap) -> QImage:
    """An RGB888 ``image`` mapped onto ``palette`` (an 8-bit indexed image with that colour table)."""
    width, height = image.width(), image.height()
    rows = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(height, image.bytesPerLine())
    index = palette.indices(rows[:, : 3 * width].reshape(height, width, 3))
    out = QImage(width, height, QImage.Format.Format_Indexed8)
    out.setColorTable([QColor(*map(int, rgb)).rgb() for rgb in palette.palette])
    view = np.frombuffer(out.bits(), dtype=np.uint8).reshape(height, out.bytesPerLine())
    view[:, :width] = index
    return out


def encode_png(image: QImage, palette: PaletteMap | None = None) -> bytes:
    """``image`` as PNG file bytes, mapped onto ``palette`` first if given (Qt's encoder; safe on a worker
    thread: the image is this call's own)."""
    if palette is not None:
        image = indexed(image, palette)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise OSError("Qt could not encode a frame as PNG")
    buffer.close()
    return bytes(data.data())


class AnimationRecorder(QObject):
    """Records ``spec`` of ``document``'s run from ``store`` into ``path``; ``start()``, then signals."""

    progressed = Signal(int, int)  # frames drawn, frames in all
    finished = Signal(str)  # the file written
    failed = Signal(str)  # why nothing was written (also "cancelled")

    def __init__(self, document: Document, store: SnapshotStore, spec: AnimationSpec, path: str,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.spec, self.path = spec, path
        self.epochs, self._params = frame_epochs(store, spec)
        project = document.project()
        self.copy = Document(replace(project, extra={}), parent=self)  # the window's document is left alone
        self.history = (document.history.epochs.copy(), document.history.train.copy())
        self.scene = CanvasScene(self.copy, self)
        self.copy.set_params(self._params[-1])
        self.copy.show_neuron_images(neuron_images(self.copy))  # layers with pictures are taller: measure them
        self.scene.set_locked(True)  # the weight colour scale of the last frame holds for the whole clip
        self.source = self.scene.itemsBoundingRect().adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)
        self.header = max(14, spec.width // 40) * 2  # the epoch is written above the network
        canvas_height = max(1, round(spec.width * self.source.height() / max(1.0, self.source.width())))
        self.canvas_size = (spec.width, self.header + canvas_height)
        self.plot_height = round(spec.width * PLOT_SHARE) if spec.with_plot and len(self.history[0]) else 0
        self._palette = None if spec.full_colour else canvas_palette()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="apng")
        self._encoded: list[Future[bytes]] = []
        self._next = 0
        self._cancelled = False
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._draw_next)

    @property
    def frame_size(self) -> tuple[int, int]:
        return self.canvas_size[0], self.canvas_size[1] + self.plot_height

    def start(self) -> None:
        self._timer.start()

    def cancel(self) -> None:
        """Stop after the frame being drawn; nothing is written."""
        if not self._cancelled:
            self._cancelled = True
            self._timer.stop()
            self._pool.shutdown(wait=False, cancel_futures=True)
            self.failed.emit("cancelled")

    def run_to_end(self) -> None:
        """Record without the event loop (scripts and tests): every frame, then the file."""
        while self._next < len(self.epochs) and not self._cancelled:
            self._draw_next()

    # -- frames ------------------------------------------------------------------------------------
    def render(self, k: int) -> QImage:
        """Frame ``k``: the network with the weights of its epoch, the epoch written on it, the curve below."""
        copy = self.copy
        copy.set_params(self._params[k])
        copy.show_neuron_images(neuron_images(copy))
        width, height = self.frame_size
        image = QImage(width, height, QImage.Format.Format_RGB888)
        theme = canvas_theme()
        image.fill(theme.background)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.scene.render(painter, QRectF(0, self.header, width, self.canvas_size[1] - self.header), self.source)
        font = QFont(painter.font())
        font.setPixelSize(self.header // 2)
        painter.setFont(font)
        painter.setPen(theme.text)
        left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(QRectF(12, 0, width - 24, self.header), left, f"epoch {self.epochs[k]:,}")
        if self.plot_height:
            self._draw_curve(painter, QRectF(0, self.canvas_size[1], width, self.plot_height), self.epochs[k])
        painter.end()
        return image

    def _draw_curve(self, painter: QPainter, area: QRectF, epoch: int) -> None:
        """The training error over the clip's range: the part up to ``epoch`` bold, the rest faint."""
        epochs, errors = self.history
        inside = (epochs >= self.spec.first_epoch) & (epochs <= self.spec.last_epoch) & np.isfinite(errors)
        epochs, errors = epochs[inside], errors[inside]
        box = area.adjusted(16, 6, -16, -max(20, int(area.width() // 40)))
        painter.setPen(QPen(QColor(150, 150, 150), 1))
        painter.drawLine(box.bottomLeft(), box.bottomRight())
        painter.drawLine(box.bottomLeft(), box.topLeft())
        if not len(epochs):
            return
        top = float(errors.max()) or 1.0
        span = max(1, self.spec.last_epoch - self.spec.first_epoch)
        xs = box.left() + (epochs - self.spec.first_epoch) / span * box.width()
        ys = box.bottom() - errors / top * box.height()
        past = epochs <= epoch
        for keep, pen in ((~past, QPen(QColor(8, 119, 189, 70), 1.5)), (past, QPen(CURVE_COLOR, 2.5))):
            painter.setPen(pen)
            painter.drawPolyline(QPolygonF([QPointF(x, y) for x, y in zip(xs[keep], ys[keep], strict=True)]))
        if past.any():
            painter.setBrush(CURVE_COLOR)
            painter.drawEllipse(QPointF(xs[past][-1], ys[past][-1]), 4.5, 4.5)
        painter.setPen(canvas_theme().muted_text)
        small = QFont(painter.font())
        small.setPixelSize(max(10, int(area.width() // 64)))
        painter.setFont(small)
        painter.drawText(QRectF(box.left(), box.bottom() + 2, box.width(), area.bottom() - box.bottom() - 2),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                         f"error (max {top:.3g}) · epochs {self.spec.first_epoch:,} to {self.spec.last_epoch:,}")

    def _draw_next(self) -> None:
        if self._cancelled or self._next >= len(self.epochs):
            return
        try:
            self._encoded.append(self._pool.submit(encode_png, self.render(self._next), self._palette))
        except RuntimeError:  # the pool was shut down: cancelled
            return
        self._next += 1
        self.progressed.emit(self._next, len(self.epochs))
        if self._next == len(self.epochs):
            self._timer.stop()
            self._write()

    def _write(self) -> None:
        try:
            frames = [future.result() for future in self._encoded]
            delay = max(1, round(1000 / self.spec.fps))
            write_bytes_atomic(Path(self.path), apng_from_pngs(frames, delay))
        except (OSError, ValueError) as exc:
            self.failed.emit(f"Could not write {self.path}: {exc}")
            return
        finally:
            self._pool.shutdown(wait=False)
        self.finished.emit(self.path)
