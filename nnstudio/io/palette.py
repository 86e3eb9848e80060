"""One fixed 256-colour palette for every frame of an animation, and a fast map from RGB pixels onto it.

An APNG's frames must share one palette, and an indexed frame is about a third of a full-colour one.  The
palette is built from the colours the picture is known to hold (the heatmaps' colour ramp, the theme's
colours), a ramp of greys for text and lines, and a coarse colour cube for anything else; :class:`PaletteMap`
precomputes the nearest palette entry of every colour at 5 bits per channel (32,768 cells), so mapping a
frame is one table look-up per pixel.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

SIZE = 256
GREYS = 48
CUBE = 4  # 4 × 4 × 4 = 64 colours spread over the RGB cube
BITS = 5  # look-up precision per channel


def build_palette(ramp: np.ndarray, colors: Sequence[tuple[int, int, int]] = ()) -> np.ndarray:
    """256 RGB colours (uint8, shaped (256, 3)): the ``colors`` first, then greys, a cube, and ``ramp``
    (e.g. a colour map's 256 entries) evenly thinned to fill the rest."""
    levels = np.linspace(0, 255, CUBE).round()
    cube = np.array([(r, g, b) for r in levels for g in levels for b in levels])
    greys = np.repeat(np.linspace(0, 255, GREYS).round()[:, None], 3, axis=1)
    fixed = np.vstack([np.asarray(colors, dtype=float).reshape(-1, 3), greys, cube])
    fixed = np.unique(fixed, axis=0)[:SIZE]
    room = SIZE - len(fixed)
    ramp = np.asarray(ramp, dtype=float).reshape(-1, 3)
    picks = ramp[np.linspace(0, len(ramp) - 1, max(room, 0)).round().astype(int)] if room > 0 else ramp[:0]
    palette = np.vstack([fixed, picks])
    if len(palette) < SIZE:  # a short ramp: repeat the last colour (unused entries cost nothing)
        palette = np.vstack([palette, np.repeat(palette[-1:], SIZE - len(palette), axis=0)])
    return palette.clip(0, 255).astype(np.uint8)


class PaletteMap:
    """The nearest entry of ``palette`` for any RGB pixel, by a precomputed 32 × 32 × 32 table."""

    def __init__(self, palette: np.ndarray):
        self.palette = np.asarray(palette, dtype=np.uint8).reshape(-1, 3)
        if not 1 <= len(self.palette) <= SIZE:
            raise ValueError(f"a palette has 1 to {SIZE} colours, not {len(self.palette)}")
        step = 256 // (1 << BITS)
        centres = np.arange(1 << BITS) * step + step // 2
        grid = np.stack(np.meshgrid(centres, centres, centres, indexing="ij"), axis=-1).reshape(-1, 3)
        table = np.empty(len(grid), dtype=np.uint8)
        colours = self.palette.astype(np.int32)
        for start in range(0, len(grid), 4096):  # in blocks: 4096 × 256 distances at a time
            block = grid[start:start + 4096, None, :] - colours[None, :, :]
            table[start:start + 4096] = np.einsum("ijk,ijk->ij", block, block).argmin(axis=1)
        self.table = table

    def indices(self, rgb: np.ndarray) -> np.ndarray:
        """Palette indices (uint8, rows × columns) of an RGB image (uint8, rows × columns × 3)."""
        rgb = np.asarray(rgb, dtype=np.uint8)
        shift = 8 - BITS
        r, g, b = (rgb[..., k] >> shift for k in range(3))
        return self.table[(r.astype(np.intp) << (2 * BITS)) | (g.astype(np.intp) << BITS) | b]
