"""The compiled optimizer step (kernels/update_kernel.py) equals NumPy's to the last bit, and steps aside on failure."""

import numpy as np
import pytest

from nnstudio.core import Layer, Network, TrainingRun, TrainSettings, datasets, kernels
from nnstudio.core.optimizers import OPTIMIZERS, make_optimizer

pytestmark = pytest.mark.skipif(not kernels.enabled(), reason="numba is not installed or NNSTUDIO_JIT=0")


def _steps(name: str, dtype: str, compiled, l1: float, l2: float) -> tuple[np.ndarray, object]:
    rng = np.random.default_rng(7)
    params = rng.normal(0, 1, 1000).astype(dtype)
    mask = (rng.random(1000) > 0.2).astype(dtype)
    opt = make_optimizer(name, params.size, mask, l1=l1, l2=l2, momentum=0.8, dtype=dtype, compiled=compiled)
    for k in range(25):
        grads = rng.normal(0, 0.5 + k, 1000).astype(dtype)
        opt.step(params, grads, rate=0.05 * (1 + k % 3))
    return params, opt


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize(("l1", "l2"), [(0.0, 0.0), (0.01, 0.003)])
def test_the_compiled_step_equals_numpy_bit_for_bit(name, dtype, l1, l2):
    module = kernels.compiled("update_kernel")
    assert module is not None
    numpy_params, numpy_opt = _steps(name, dtype, None, l1, l2)
    compiled_params, compiled_opt = _steps(name, dtype, module, l1, l2)
    assert compiled_params.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(compiled_params, numpy_params)
    for state in ("velocity", "m", "v"):
        if hasattr(numpy_opt, state):
            np.testing.assert_array_equal(getattr(compiled_opt, state), getattr(numpy_opt, state))
    assert getattr(compiled_opt, "t", 0) == getattr(numpy_opt, "t", 0)


def test_a_wide_network_on_the_numpy_path_uses_the_compiled_step_and_trains_as_numpy_does(monkeypatch):
    def run(compiled: bool) -> np.ndarray:
        if not compiled:
            monkeypatch.setattr("nnstudio.core.training.compiled", lambda name: None)
        i, h, o = Layer(150), Layer(150, "relu"), Layer(3, "softmax")
        i.project(h)
        h.project(o)
        net = Network(input=i, hidden=[h], output=o, seed=3)
        rng = np.random.default_rng(0)
        data = datasets.Dataset(rng.normal(0, 1, (200, 150)), np.eye(3)[rng.integers(0, 3, 200)])
        training = TrainingRun(net, data, TrainSettings(epochs=3, batch_size=16, optimizer="adam", cost="ce",
                                                        target_error=0, rate=0.01))
        assert training.kernel is None, "a network this wide trains on the NumPy path"
        assert (training.optimizer._compiled is not None) == compiled
        training.run()
        return net.params.copy()

    np.testing.assert_array_equal(run(compiled=True), run(compiled=False))


def test_a_failing_compiled_step_leaves_numpy_to_finish_the_update(monkeypatch, caplog):
    class Broken:
        @staticmethod
        def adam(*args):
            raise RuntimeError("no LLVM today")

    monkeypatch.setattr(kernels, "_disabled", [])
    expected, expected_opt = _steps("adam", "float64", None, 0.0, 0.0)
    params, opt = _steps("adam", "float64", Broken, 0.0, 0.0)
    np.testing.assert_array_equal(params, expected)
    assert opt.t == expected_opt.t == 25
    assert not kernels.enabled() and "no LLVM today" in caplog.text
