"""Compiled fast paths (numba) of the training loops, with the NumPy code as reference and fallback.

numba is imported lazily, on the first call of :func:`compiled` (or in the
background thread of :func:`warm_up_in_background`), so importing nnstudio and
opening the window never wait for it.  ``NNSTUDIO_JIT=0`` in the environment,
a missing numba or a kernel that fails to compile all leave training on the
NumPy path; :func:`status` says which path is active in one line.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
from types import ModuleType

log = logging.getLogger(__name__)

_lock = threading.Lock()
_modules: dict[str, ModuleType] = {}
_disabled: list[str] = []  # the reason the compiled path is off, once known
_warm_up_thread: list[threading.Thread] = []  # the background warm-up, once started


def _off_reason() -> str | None:
    if os.environ.get("NNSTUDIO_JIT", "1").strip() == "0":
        return "NNSTUDIO_JIT=0"
    if importlib.util.find_spec("numba") is None:
        return "numba is not installed"
    return _disabled[0] if _disabled else None


def enabled() -> bool:
    """Whether training may use the compiled kernels (numba present, not switched off, compiled fine so far)."""
    return _off_reason() is None


def status() -> str:
    """One line for people: which training path is active and why."""
    reason = _off_reason()
    if reason is not None:
        return f"training core: NumPy ({reason})"
    if _warming_elsewhere():
        return "training core: NumPy until the compiled kernels are ready (compiling in the background, once)"
    from importlib.metadata import version

    return f"training core: compiled kernels (numba {version('numba')})"


def disable(reason: str) -> None:
    """Switch the compiled path off for this process and log why, once."""
    if not _disabled:
        _disabled.append(reason)
        log.warning("compiled training kernels off, training continues on NumPy: %s", reason)


def _warming_elsewhere() -> bool:
    """Whether the background warm-up is still compiling, in a thread other than this one."""
    thread = _warm_up_thread[0] if _warm_up_thread else None
    return thread is not None and thread.is_alive() and thread is not threading.current_thread()


def compiled(name: str) -> ModuleType | None:
    """The numba module ``name`` of this package ("network_kernel", "population_kernel"), or None when off.

    None too while the background warm-up compiles: a run started then trains on NumPy at once instead of
    waiting for the compiler (a first compile takes tens of seconds; later starts load numba's disk cache).
    """
    if not enabled() or _warming_elsewhere():
        return None
    with _lock:
        module = _modules.get(name)
        if module is None:
            try:
                module = importlib.import_module(f"{__name__}.{name}")
            except Exception as exc:  # a broken numba install must not stop training
                disable(f"importing the kernels failed: {exc}")
                return None
            _modules[name] = module
    return module


def warm_up_in_background(in_child: bool = True) -> threading.Thread | None:
    """Get every kernel ready in a daemon thread; None when the path is off.

    With ``in_child`` the kernels are first compiled into numba's cache by a
    child process (the thread only waits for it), then loaded from the cache
    here: the compiler never holds this process's interpreter lock.
    """
    if not enabled():
        return None
    from . import warm_up as warm_up_module

    def get_ready() -> None:
        if in_child:
            warm_up_module.warm_cache_in_child()
        warm_up_module.warm_up()

    thread = threading.Thread(target=get_ready, name="nnstudio-kernel-warm-up", daemon=True)
    _warm_up_thread[:] = [thread]
    thread.start()
    return thread
