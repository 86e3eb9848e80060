"""Layers and connections, the parts a graph is made of; a free-standing layer also trains on its own.

The Synaptic way of building: ``a.project(b)`` records a connection on two
free-standing layers, and ``Network(input=a, hidden=[...], output=b)`` gathers
them into a :class:`~nnstudio.core.graph.Graph`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from .activations import get_activation
from .layerwise import LayerwiseLearning
from .limits import MAX_LAYER_SIZE

ROLES = ("input", "hidden", "output")
KINDS = ("all_to_all", "one_to_one", "all_to_else")
_SYNAPTIC_KINDS = {"ALL_TO_ALL": "all_to_all", "ONE_TO_ONE": "one_to_one", "ALL_TO_ELSE": "all_to_else"}
#: what a person reads for each kind (files and the API keep the names in KINDS)
KIND_LABELS = {"all_to_all": "All to all", "one_to_one": "One to one", "all_to_else": "All to others"}


class TopologyError(ValueError):
    """The graph cannot be built into a network; the message names the layers at fault."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("; ".join(self.problems))


def check_size(size: Any) -> int:
    """A layer size as given, or a ValueError saying what sizes are allowed."""
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_LAYER_SIZE:
        raise ValueError(f"layer size must be a whole number from 1 to {MAX_LAYER_SIZE}, not {size!r}")
    return size


def normalize_kind(kind: str) -> str:
    """Accept nnstudio's and Synaptic's connection kind names."""
    kind = _SYNAPTIC_KINDS.get(kind, kind)
    if kind not in KINDS:
        raise ValueError(f"unknown connection kind {kind!r}; choose one of: {', '.join(KINDS)}")
    return kind


def kind_label(kind: str, sentence: bool = False) -> str:
    """"One to one" for ``one_to_one``; inside a ``sentence`` with its article: "an all to others"."""
    label = KIND_LABELS.get(kind, kind)
    if not sentence:
        return label
    label = label.lower()
    return ("an " if label.startswith("all") else "a ") + label  # "a one to one": the sound decides


class Layer(LayerwiseLearning):
    """A group of neurons sharing an activation: Synaptic's ``new Layer(size)``.

    ``activate`` and ``propagate`` drive it on its own, layer by layer (``seed`` fixes the weights it draws then).
    """

    _ids = itertools.count(1)

    def __init__(
        self,
        size: int,
        activation: str = "logistic",
        bias: bool = True,
        name: str | None = None,
        *,
        role: str = "hidden",
        position: tuple[float, float] = (0.0, 0.0),
        id: str | None = None,
        seed: int | None = None,
    ):
        self.size = check_size(size)
        get_activation(activation)
        self.activation = activation
        self.bias = bool(bias)
        if role not in ROLES:
            raise ValueError(f"layer role must be one of {', '.join(ROLES)}, not {role!r}")
        self.role = role
        self.id = id or f"L{next(Layer._ids)}"
        self.name = name or self.id
        self.position = (float(position[0]), float(position[1]))
        self._init_live(seed)

    @property
    def projections(self) -> list[Connection]:
        """The connections made with :meth:`project` (what ``Network(input=..., ...)`` builds from)."""
        return [Connection(self.id, target.id, kind) for target, kind in self.projection_targets()]

    def project(self, other: Layer, kind: str = "all_to_all") -> Connection:
        """Connect this layer's neurons to ``other``'s, as Synaptic's ``layer.project``."""
        kind = normalize_kind(kind)
        problem = connection_problem(self, other, kind)
        if problem:
            raise TopologyError(problem)
        conn = Connection(self.id, other.id, kind)
        self._link(other, conn)
        return conn

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role,
            "size": self.size,
            "activation": self.activation,
            "bias": self.bias,
            "position": list(self.position),
        }

    @classmethod
    def from_dict(cls, d: dict) -> Layer:
        return cls(
            d["size"], d["activation"], d["bias"], d["name"],
            role=d["role"], position=tuple(d["position"]), id=d["id"],
        )

    def __repr__(self) -> str:
        return f"Layer({self.size}, {self.activation!r}, name={self.name!r}, role={self.role!r})"


@dataclass
class Connection:
    """All synapses from one layer to another, of one kind."""

    source: str
    target: str
    kind: str = "all_to_all"
    id: str = field(default="")

    def __post_init__(self) -> None:
        self.kind = normalize_kind(self.kind)
        if not self.id:
            self.id = f"{self.source}->{self.target}"

    def to_dict(self) -> dict:
        return {"id": self.id, "source": self.source, "target": self.target, "kind": self.kind}

    @classmethod
    def from_dict(cls, d: dict) -> Connection:
        return cls(d["source"], d["target"], d["kind"], d["id"])


def connection_problem(source: Layer, target: Layer, kind: str) -> str | None:
    """Why a connection may not be made between two layers on their own, or None."""
    if source is target or source.id == target.id:
        return f"a layer cannot connect to itself ({source.name})"
    if target.role == "input":
        return f"{target.name} is an input layer: nothing can connect into it"
    if source.role == "output":
        return f"{source.name} is an output layer: it cannot feed other layers"
    if kind in ("one_to_one", "all_to_else") and source.size != target.size:
        return (
            f"{kind_label(kind, sentence=True)} connection needs equal sizes, but {source.name} has {source.size} "
            f"and {target.name} has {target.size} neurons"
        )
    if kind == "all_to_else" and source.size == 1:
        return f"all to others between single neurons ({source.name} → {target.name}) has no synapses"
    return None
