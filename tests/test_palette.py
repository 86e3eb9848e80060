"""The animation palette: 256 colours holding the given ones, and a look-up that finds the nearest entry."""

import numpy as np

from nnstudio.io.palette import PaletteMap, build_palette


def test_the_palette_holds_the_given_colours_and_a_thinned_ramp():
    ramp = np.stack([np.arange(256), 255 - np.arange(256), np.full(256, 128)], axis=1)
    palette = build_palette(ramp, [(10, 20, 30), (247, 248, 250)])
    assert palette.shape == (256, 3) and palette.dtype == np.uint8
    rows = {tuple(int(v) for v in row) for row in palette}
    assert {(10, 20, 30), (247, 248, 250), (0, 0, 0), (255, 255, 255)} <= rows
    assert sum(1 for row in ramp if tuple(row) in rows) > 100  # most of the room goes to the ramp


def test_pixels_map_to_their_nearest_palette_entry():
    palette = build_palette(np.zeros((1, 3)), [(200, 30, 30), (30, 30, 200)])
    mapper = PaletteMap(palette)
    image = np.array([[[201, 29, 31], [28, 33, 198]], [[255, 255, 255], [0, 0, 0]]], dtype=np.uint8)
    picked = palette[mapper.indices(image)]
    assert picked.shape == (2, 2, 3)
    assert np.abs(picked.astype(int) - image.astype(int)).max() <= 8  # within the 5-bit look-up's step
    assert tuple(picked[0, 0]) == (200, 30, 30) and tuple(picked[0, 1]) == (30, 30, 200)
