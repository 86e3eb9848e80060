"""One BLAS thread for the calling thread: a live run must leave the other cores to the window.

NumPy's wheels bundle OpenBLAS, which splits even small matrix products over
every core and then spins waiting for its helpers.  When the training worker
does that beside the GUI thread (and, on a shared machine, beside other
programs), a product of a few hundred microseconds takes tens of
milliseconds and the window stutters.  OpenBLAS 0.3.27 and later can limit the
threads of one calling thread only (``openblas_set_num_threads_local``), so
headless runs keep every core.  Other BLAS builds are left as they are.
"""

from __future__ import annotations

import ctypes
import glob
import os

import numpy as np

_SETTER = "openblas_set_num_threads_local"


def _bundled_openblas() -> list[str]:
    """Paths of the OpenBLAS libraries NumPy's wheel ships (Linux ``numpy.libs``, macOS ``.dylibs``)."""
    package = os.path.dirname(np.__file__)
    folders = (os.path.join(os.path.dirname(package), "numpy.libs"), os.path.join(package, ".dylibs"))
    return sorted(path for folder in folders for path in glob.glob(os.path.join(folder, "*openblas*")))


def limit_to_one_thread() -> bool:
    """Make BLAS calls of the calling thread single-threaded; True when a BLAS library took the limit."""
    limited = False
    for path in _bundled_openblas():
        try:
            setter = getattr(ctypes.CDLL(path), _SETTER)
        except (OSError, AttributeError):  # not loadable here, or an OpenBLAS older than 0.3.27
            continue
        setter.argtypes, setter.restype = [ctypes.c_int], ctypes.c_int
        setter(1)
        limited = True
    return limited
