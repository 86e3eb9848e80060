"""An animated PNG (APNG) built from PNG frames, with the standard library only (for "Record a run").

Qt's image writers write one image per file (checked: ``QImageWriter`` has no GIF writer in the Qt that
nnstudio installs, and its WebP writer writes a single frame), but each frame can be encoded as a PNG by Qt at
C speed; :func:`apng_from_pngs` only re-wraps their compressed image data: the first frame's ``IDAT`` chunks
stay (viewers without APNG support show that frame), every later frame's become ``fdAT`` chunks, each frame
gets an ``fcTL`` header and the file an ``acTL`` (frame and loop count), per the APNG specification.  All
frames must share the first frame's ``IHDR`` (size, bit depth, colour type) and palette, if any: encode them
from images of one format (Qt's own conversion to ``Format_Indexed8`` uses one fixed colour cube for every
image; it makes a 10 s, 10 frames per second clip of the canvas at 800 px about 5 times smaller, with visible
banding).  :func:`png_frames` reads an APNG back (for tests and checks).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_FRAMES = 100_000  # a 10 s clip at 30 frames per second has 300


class ApngError(ValueError):
    """PNG data that cannot be made into (or read as) an animation; the message says why."""


def chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """The (type, data) chunks of a PNG file, CRCs checked."""
    if not png.startswith(SIGNATURE):
        raise ApngError("not PNG data (no PNG signature)")
    out, pos = [], len(SIGNATURE)
    while pos < len(png):
        if pos + 8 > len(png):
            raise ApngError("the PNG data ends inside a chunk header")
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        data = png[pos + 8:pos + 8 + length]
        crc = png[pos + 8 + length:pos + 12 + length]
        if len(data) != length or len(crc) != 4 or struct.unpack(">I", crc)[0] != zlib.crc32(kind + data):
            raise ApngError(f"the PNG chunk {kind!r} is cut short or damaged")
        out.append((kind, data))
        pos += 12 + length
        if kind == b"IEND":
            break
    return out


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def apng_from_pngs(frames: Sequence[bytes], delay_ms: int, loops: int = 0) -> bytes:
    """An APNG showing the PNG ``frames`` in order, each for ``delay_ms`` milliseconds; ``loops`` 0 = forever."""
    if not frames:
        raise ApngError("an animation needs at least one frame")
    if len(frames) > MAX_FRAMES:
        raise ApngError(f"{len(frames):,} frames; the limit is {MAX_FRAMES:,}")
    if not 1 <= delay_ms <= 65535 or not 0 <= loops <= 2**31 - 1:
        raise ApngError("the delay must be from 1 to 65535 ms and the loop count from 0 (forever) up")
    first = chunks(frames[0])
    if not first or first[0][0] != b"IHDR":
        raise ApngError("the first frame has no IHDR chunk")
    ihdr = first[0][1]
    width, height = struct.unpack(">II", ihdr[:8])
    kinds = [kind for kind, _ in first]
    head = first[1:kinds.index(b"IDAT")] if b"IDAT" in kinds else []  # PLTE, gAMA, pHYs …: before the image
    out = [SIGNATURE, _chunk(b"IHDR", ihdr), _chunk(b"acTL", struct.pack(">II", len(frames), loops))]
    out += [_chunk(kind, data) for kind, data in head if kind not in (b"acTL", b"fcTL")]
    palette = [c for c in first if c[0] == b"PLTE"]
    sequence = 0
    for index, png in enumerate(frames):
        parts = first if index == 0 else chunks(png)
        if parts[0] != (b"IHDR", ihdr):
            raise ApngError(f"frame {index + 1} differs from the first in size or pixel format")
        if [c for c in parts if c[0] == b"PLTE"] != palette:
            raise ApngError(f"frame {index + 1} has another palette than the first: every frame shares one")
        image = [data for kind, data in parts if kind == b"IDAT"]
        if not image:
            raise ApngError(f"frame {index + 1} has no image data")
        control = struct.pack(">IIIIIHHBB", sequence, width, height, 0, 0, delay_ms, 1000, 0, 0)
        out.append(_chunk(b"fcTL", control))
        sequence += 1
        for data in image:
            if index == 0:
                out.append(_chunk(b"IDAT", data))
            else:
                out.append(_chunk(b"fdAT", struct.pack(">I", sequence) + data))
                sequence += 1
    out.append(_chunk(b"IEND", b""))
    return b"".join(out)


def png_frames(apng: bytes) -> list[bytes]:
    """Each frame of an APNG built by :func:`apng_from_pngs` as a PNG file of its own."""
    parts = chunks(apng)
    ihdr = next((data for kind, data in parts if kind == b"IHDR"), None)
    if ihdr is None or not any(kind == b"acTL" for kind, _ in parts):
        raise ApngError("not an animated PNG (no IHDR or acTL chunk)")
    palette = b"".join(_chunk(kind, data) for kind, data in parts if kind in (b"PLTE", b"tRNS"))
    frames: list[list[bytes]] = []
    for kind, data in parts:
        if kind == b"fcTL":
            frames.append([])
        elif kind in (b"IDAT", b"fdAT") and frames:
            frames[-1].append(data if kind == b"IDAT" else data[4:])
    return [SIGNATURE + _chunk(b"IHDR", ihdr) + palette + b"".join(_chunk(b"IDAT", d) for d in image)
            + _chunk(b"IEND", b"") for image in frames]
