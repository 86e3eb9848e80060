"""Atomic file writes for saves and exports: a temporary file in the target's folder, then a rename.

The content goes to ``.<name>.<pid>-<random>.tmp`` next to the target, is
flushed to disk, and only then renamed over the target, so a failure or a
crash at any moment leaves the file already at the path as it was.  The new
file keeps the permission bits of the file it replaces; a new file gets the
ones the umask gives (0644 under umask 022), like any file the user creates.
Temporary files left by a write that was killed are removed by the next write
to the same path: their owner's process id is in their name.
"""

from __future__ import annotations

import os
import re
import secrets
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

# temporary files of older nnstudio versions had no owner in their name: removed once they are this old
_OWNERLESS_AGE_S = 600.0


def write_atomic(path: str | os.PathLike, write: Callable[[BinaryIO], object]) -> None:
    """Call ``write(binary_file)`` on a temporary file, then rename it over ``path``.

    Any exception from ``write`` or from the file system (a full disk, a
    read-only folder) propagates after the temporary file is removed; the file
    at ``path`` is then untouched.  A symbolic link at ``path`` stays a link:
    the file it points to is replaced.
    """
    target = Path(os.path.realpath(path)) if Path(path).is_symlink() else Path(path)
    folder = target.parent
    remove_leftovers(target)
    tmp = folder / f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp"
    # 0o666 minus the umask, as for any new file; O_EXCL: never write through someone else's file
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        mode = _mode_of(target)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_folder(folder)


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`write_atomic`)."""
    write_atomic(path, lambda fh: fh.write(data))


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` as UTF-8 to ``path`` atomically; text that cannot be encoded fails before any file is made."""
    write_bytes_atomic(path, text.encode("utf-8"))


def remove_leftovers(target: Path) -> list[Path]:
    """Delete temporary files of earlier writes to ``target`` whose process is gone; returns what was removed."""
    removed: list[Path] = []
    pattern = re.compile(re.escape(f".{target.name}.") + r"(?:(\d+)-[0-9a-f]{8}|[a-z0-9_]{8})\.tmp")
    try:
        candidates = [p for p in target.parent.iterdir() if pattern.fullmatch(p.name)]
    except OSError:
        return removed
    for path in candidates:
        pid = pattern.fullmatch(path.name).group(1)  # type: ignore[union-attr]
        try:
            if pid is not None and _process_alive(int(pid)):
                continue
            if pid is None and time.time() - path.stat().st_mtime < _OWNERLESS_AGE_S:
                continue  # an older nnstudio may be writing it right now
            path.unlink()
            removed.append(path)
        except OSError:
            continue  # gone already, or not ours to delete
    return removed


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True  # another thread of this process may be writing
    if os.name != "posix":
        return True  # os.kill(pid, 0) would end the process on Windows; such files stay
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, owned by another user
    return True


def _mode_of(path: Path) -> int | None:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a folder that cannot be opened is not an error."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
