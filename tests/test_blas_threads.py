"""The worker's BLAS limit: single-threaded products in the calling thread, the same numbers, others untouched."""

import threading

import numpy as np

from nnstudio.core import blas_threads


def _bundled_version() -> tuple[int, ...]:
    try:
        version = np.show_config(mode="dicts")["Build Dependencies"]["blas"]["version"]
        return tuple(int(part) for part in version.split(".")[:3])
    except (TypeError, KeyError, ValueError):  # an older NumPy, or a BLAS that is not OpenBLAS
        return ()


def test_one_thread_limit_keeps_results_and_reports_what_it_did() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.random((300, 200)), rng.random((200, 100))
    expected = a @ b
    outcome: dict = {}

    def limited() -> None:
        outcome["limited"] = blas_threads.limit_to_one_thread()
        outcome["product"] = a @ b

    thread = threading.Thread(target=limited)
    thread.start()
    thread.join()
    np.testing.assert_allclose(outcome["product"], expected, rtol=1e-12)
    if blas_threads._bundled_openblas() and _bundled_version() >= (0, 3, 27):
        assert outcome["limited"]  # the OpenBLAS of NumPy's wheel has the per-thread limit since 0.3.27
    np.testing.assert_allclose(a @ b, expected, rtol=1e-12)


def test_no_bundled_library_is_a_quiet_no(monkeypatch) -> None:
    monkeypatch.setattr(blas_threads, "_bundled_openblas", lambda: ["/nonexistent/libopenblas.so"])
    assert blas_threads.limit_to_one_thread() is False
