"""A network's structure as flat integer arrays, the form the compiled kernels read.

Nothing here imports numba: building a layout is plain NumPy, so callers can
decide whether a kernel serves a network (see :func:`kernel_limit`) before
anything is compiled.  One generic kernel reads these arrays for every
topology, so numba's on-disk cache serves every network nnstudio builds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..graph import KINDS
from ..network import Network

#: the activations with a compiled form (forms.py), by the registry's names; a name's position is its code
#: inside the kernels, so append only: cached kernels keep these codes
KERNEL_ACTIVATIONS = ("logistic", "tanh", "relu", "leaky_relu", "identity", "step", "softplus", "softmax")
ACTIVATION_CODES = {name: code for code, name in enumerate(KERNEL_ACTIVATIONS)}
KIND_CODES = {kind: code for code, kind in enumerate(KINDS)}
LOSS_CODES = {"mse": 0, "bce": 1, "ce": 2}
OPTIMIZER_CODES = {"sgd": 0, "momentum": 1, "adam": 2}

#: largest network (parameters) a kernel trains; wider ones go to NumPy, whose BLAS products win there
MAX_KERNEL_PARAMS = 20_000
#: largest work buffer (batch rows × units) a kernel allocates
MAX_KERNEL_CELLS = 4_000_000
#: batches of at least NUMPY_BATCH_ROWS rows and more than NUMPY_BATCH_WORK rows × parameters train on NumPy:
#: its vectorised calls then beat the kernel's row-by-row loops (measured by benchmarks/core_speed.py; e.g.
#: 2-16-1 on 100,000 rows full batch, NumPy 2.4-3.6x faster; 2-3-1 full batch on 1,000 rows, 2.2x; 2-8-8-1 in
#: batches of 128, 1.1x), while smaller batches are where the kernel wins (XOR full batch, batches of 10: 5-40x)
NUMPY_BATCH_ROWS = 64
NUMPY_BATCH_WORK = 8_000


@dataclass(frozen=True)
class KernelLayout:
    """Per layer (topological order) and per connection (parameter order), what the kernels need."""

    sizes: np.ndarray  # units of each layer
    unit_offset: np.ndarray  # first column of each layer in the (rows, units) work buffers
    activation: np.ndarray  # ACTIVATION_CODES of each layer (input layers: unused)
    role: np.ndarray  # 0 input, 1 hidden, 2 output
    bias_offset: np.ndarray  # offset of the layer's bias in the flat parameters, -1 without one
    data_column: np.ndarray  # input layers: first column in X; output layers: first column in Y; else -1
    conn_source: np.ndarray  # per connection, sorted by (target, source) as the parameter vector is
    conn_target: np.ndarray
    conn_offset: np.ndarray
    conn_kind: np.ndarray
    n_units: int

    def arrays(self) -> tuple[np.ndarray, ...]:
        """The arrays in the order the kernels take them."""
        return (
            self.sizes, self.unit_offset, self.activation, self.role, self.bias_offset, self.data_column,
            self.conn_source, self.conn_target, self.conn_offset, self.conn_kind,
        )


def build_layout(net: Network) -> KernelLayout:
    """The kernel layout of ``net`` (it follows ``net.specs``, so parameters need no reordering)."""
    index = {layer.id: k for k, layer in enumerate(net.layers)}
    sizes = np.array([layer.size for layer in net.layers], dtype=np.int64)
    unit_offset = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    roles = {"input": 0, "hidden": 1, "output": 2}
    bias = np.full(len(sizes), -1, dtype=np.int64)
    column = np.full(len(sizes), -1, dtype=np.int64)
    for layer in net.layers:
        spec = net.specs.get("b:" + layer.id)
        if spec is not None:
            bias[index[layer.id]] = spec.offset
    for k, cols in net._input_slices + net._output_slices:
        column[k] = cols.start
    conns = sorted(
        (net.graph.connections[key[2:]] for key in net.specs if key.startswith("W:")),
        key=lambda c: net.specs["W:" + c.id].offset,
    )
    return KernelLayout(
        sizes=sizes,
        unit_offset=unit_offset,
        activation=np.array([ACTIVATION_CODES[layer.activation] for layer in net.layers], dtype=np.int64),
        role=np.array([roles[layer.role] for layer in net.layers], dtype=np.int64),
        bias_offset=bias,
        data_column=column,
        conn_source=np.array([index[c.source] for c in conns], dtype=np.int64),
        conn_target=np.array([index[c.target] for c in conns], dtype=np.int64),
        conn_offset=np.array([net.specs["W:" + c.id].offset for c in conns], dtype=np.int64),
        conn_kind=np.array([KIND_CODES[c.kind] for c in conns], dtype=np.int64),
        n_units=int(sizes.sum()),
    )


def kernel_limit(net: Network, batch_rows: int) -> str | None:
    """Why no kernel should train this network (a sentence for the status line), or None when one can."""
    if net.n_params > MAX_KERNEL_PARAMS:
        return f"{net.n_params:,} parameters is above the compiled kernel's {MAX_KERNEL_PARAMS:,} (BLAS wins there)"
    cells = batch_rows * sum(layer.size for layer in net.layers)
    if cells > MAX_KERNEL_CELLS:
        return f"a batch of {batch_rows:,} rows needs more work memory than the compiled kernel allows"
    unknown = {layer.activation for layer in net.layers} - set(ACTIVATION_CODES)
    if unknown:
        return f"no compiled form of activation {', '.join(sorted(unknown))}"
    return None


def numpy_is_faster(net: Network, batch_rows: int) -> str | None:
    """Why NumPy should train this single network (batches too large for the kernel to win), else None."""
    if batch_rows >= NUMPY_BATCH_ROWS and batch_rows * net.n_params > NUMPY_BATCH_WORK:
        return f"batches of {batch_rows:,} rows run faster on NumPy's vectorised loops"
    return None


def chain_layout(lay: KernelLayout) -> tuple[np.ndarray | int, ...] | None:
    """The arrays online_kernel.train_online takes for a dense chain, or None when ``lay``'s network is not one.

    A dense chain: one input layer, then layers each fed by exactly one all-to-all connection from the
    layer before, the last one the only output, no softmax.  Returns (sizes, unit offsets, activation
    codes, bias offsets, incoming weight offsets, first input column, first target column).
    """
    count = lay.sizes.size
    chain = np.arange(count - 1)
    if (count < 2 or lay.conn_source.size != count - 1 or not np.array_equal(lay.conn_source, chain)
            or not np.array_equal(lay.conn_target, chain + 1) or (lay.conn_kind != KIND_CODES["all_to_all"]).any()
            or lay.role[0] != 0 or (lay.role[1:-1] != 1).any() or lay.role[-1] != 2
            or (lay.activation[1:] == ACTIVATION_CODES["softmax"]).any()):
        return None
    weights = np.concatenate([[-1], lay.conn_offset]).astype(np.int64)
    return (lay.sizes, lay.unit_offset, lay.activation, lay.bias_offset, weights,
            int(lay.data_column[0]), int(lay.data_column[-1]))
