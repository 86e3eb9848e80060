"""The rest of Synaptic's vocabulary: ``Neuron``, ``Architect.Perceptron`` and the Trainer's truth-table tasks.

With these, the programs of the Synaptic tutorials run nearly word for word
(see docs/from-synaptic.md).  A :class:`Neuron` is a one-neuron
:class:`~nnstudio.core.graph.Layer` that speaks in numbers instead of lists;
:class:`Architect` builds networks; :class:`TruthTableTasks` gives
:class:`~nnstudio.core.trainer.Trainer` its ``XOR()``, ``AND()``… methods.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NoReturn

from . import datasets
from .graph import Layer
from .network import Network

if TYPE_CHECKING:
    from collections.abc import Callable

#: Synaptic's ``trainer.XOR()`` options: online (one row at a time), shuffled, rate 0.2, up to 100,000
#: iterations or an MSE of 0.005
SYNAPTIC_TASK_DEFAULTS: dict[str, Any] = {
    "iterations": 100_000, "error": 0.005, "rate": 0.2, "shuffle": True, "cost": "mse", "batch_size": 1,
}


class Neuron(Layer):
    """Synaptic's ``new Neuron()``: ``project``, ``activate(value=None)``, ``propagate(rate, target=None)``."""

    def __init__(self, activation: str = "logistic", bias: bool = True, name: str | None = None, *,
                 seed: int | None = None):
        super().__init__(1, activation, bias, name, seed=seed)

    def activate(self, value: object = None) -> float:  # type: ignore[override]
        """Its output: ``value`` itself for an input neuron, else computed from the neurons projecting into it."""
        return float(super().activate(None if value is None else [value])[0])

    def propagate(self, rate: float, target: object = None) -> None:
        """Learn from ``target`` (an output neuron) or from the neurons it projects to."""
        super().propagate(rate, None if target is None else [target])

    def __repr__(self) -> str:
        return f"Neuron({self.activation!r}, name={self.name!r})"


def _not_supported(name: str) -> NoReturn:
    raise NotImplementedError(
        f"Architect.{name} is not supported: nnstudio builds feed-forward networks (no recurrent, self or gated "
        "connections). Architect.Perceptron(*sizes) builds a multilayer perceptron."
    )


class Architect:
    """Synaptic's ready-made architectures; only the feed-forward Perceptron exists in nnstudio."""

    @staticmethod
    def Perceptron(*sizes: int, seed: int | None = None) -> Network:  # noqa: N802 (Synaptic's name)
        """Input, hidden… and output layers of these sizes, logistic, each connected all-to-all to the next."""
        if len(sizes) < 2:
            raise ValueError(f"a perceptron needs at least an input and an output size, got {list(sizes)}")
        layers = [Layer(size) for size in sizes]
        for source, target in zip(layers, layers[1:], strict=False):
            source.project(target)
        return Network(input=layers[0], hidden=layers[1:-1], output=layers[-1], seed=seed)

    @staticmethod
    def LSTM(*args: object, **kwargs: object) -> NoReturn:  # noqa: N802
        _not_supported("LSTM")

    @staticmethod
    def Liquid(*args: object, **kwargs: object) -> NoReturn:  # noqa: N802
        _not_supported("Liquid")

    @staticmethod
    def Hopfield(*args: object, **kwargs: object) -> NoReturn:  # noqa: N802
        _not_supported("Hopfield")


class TruthTableTasks:
    """``trainer.XOR()`` and the other two-input gates, with Synaptic's defaults (:data:`SYNAPTIC_TASK_DEFAULTS`).

    Any option of :meth:`Trainer.train` may be passed; the result is its dict.
    """

    network: Network

    if TYPE_CHECKING:
        train: Callable[..., dict[str, Any]]  # Trainer.train

    def _truth_table(self, gate: str, options: dict[str, Any]) -> dict[str, Any]:
        net = self.network
        if net.n_inputs != 2 or net.n_outputs != 1:
            raise ValueError(
                f"{gate.upper()} needs a network with 2 inputs and 1 output; this one has {net.n_inputs} inputs "
                f"and {net.n_outputs} outputs"
            )
        return self.train(datasets.truth_table(gate), **{**SYNAPTIC_TASK_DEFAULTS, **options})

    def XOR(self, **options: Any) -> dict[str, Any]:  # noqa: N802 (Synaptic's names)
        """Train on XOR: [0,0]→0, [0,1]→1, [1,0]→1, [1,1]→0."""
        return self._truth_table("xor", options)

    def AND(self, **options: Any) -> dict[str, Any]:  # noqa: N802
        """Train on AND."""
        return self._truth_table("and", options)

    def OR(self, **options: Any) -> dict[str, Any]:  # noqa: N802
        """Train on OR."""
        return self._truth_table("or", options)

    def NAND(self, **options: Any) -> dict[str, Any]:  # noqa: N802
        """Train on NAND."""
        return self._truth_table("nand", options)

    def NOR(self, **options: Any) -> dict[str, Any]:  # noqa: N802
        """Train on NOR."""
        return self._truth_table("nor", options)

    def XNOR(self, **options: Any) -> dict[str, Any]:  # noqa: N802
        """Train on XNOR."""
        return self._truth_table("xnor", options)
