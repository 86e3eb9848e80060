"""The open document: graph, dataset, settings, weights and history, with undo.

The graph is the single source of truth.  The document relays its events as
a Qt signal (``graphChanged``) so the canvas and the docks can mirror it, and
keeps the trained weights as parameter blocks by key ("W:<connection id>",
"b:<layer id>").  After a structural edit the network is rebuilt: every block
whose shape still fits keeps its trained values, only the touched ones are
drawn fresh from the init seed (``fresh_keys`` says which).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from ...core import Dataset, Graph, Network, TopologyError, TrainSettings
from ...core.activations import get_activation
from ...core.history import ErrorHistory
from ...core.losses import auto_cost_problem
from ...core.runs import RunRecord, add_run
from ...io.limits import MAX_INT as MAX_SEED  # what the window's seed boxes (32-bit) can show
from ...io.project import Project, default_project
from .trained_state import StateArchive, TrainedState


def plural(n: int, word: str) -> str:
    """'1 input', '2 inputs'."""
    return f"{n} {word}{'' if n == 1 else 's'}"

#: graph events that change the network's structure (names and positions do not)
_STRUCTURAL = {"layer_added", "layer_removed", "connection_added", "connection_removed", "connection_changed"}
_STRUCTURAL_FIELDS = {"size", "activation", "bias", "role"}


#: the project section that keeps the point generator's noise (the points themselves are the dataset)
GENERATOR_SECTION = "generator"


def _generator_noise(section: object) -> float:
    """The noise kept in a project's ``generator`` section (0 when there is none); ValueError when malformed."""
    if section is None:
        return 0.0
    noise = section.get("noise", 0.0) if isinstance(section, dict) else None
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not 0.0 <= noise <= 1.0:
        raise ValueError("generator.noise: expected a number from 0 to 1")
    return float(noise)


def _finite(where: str, value: object) -> None:
    """Numbers the window shows must fit a float (a 400-digit integer does not)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return
    try:
        finite = math.isfinite(float(value))
    except OverflowError:
        finite = False
    if not finite:
        raise ValueError(f"{where}: the number is too large (or not finite)")


class DocumentLoadError(ValueError):
    """A project that loaded from its file but that the document cannot hold; nothing was changed."""


class Document(QObject):
    graphChanged = Signal(str, dict)  # graph event name, info
    networkChanged = Signal()  # the network was rebuilt (or became invalid)
    weightsChanged = Signal()  # parameter values changed
    datasetChanged = Signal()
    settingsChanged = Signal()
    historyChanged = Signal()
    statusChanged = Signal(str)  # how the last run ended (or what changed since), for the status bar
    modifiedChanged = Signal(bool)
    pathChanged = Signal(str)
    trainingChanged = Signal(bool)  # a run started (structure locked) or ended
    activationsChanged = Signal(dict)  # layer id -> each neuron's activation for the inputs being tried
    neuronImagesChanged = Signal(object)  # layer id -> one picture per neuron over the input plane, or None
    runsChanged = Signal()  # the run list (View → Compare Runs) gained a run or was replaced

    def __init__(self, project: Project | None = None, path: str | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        # a bound method (not a lambda): Qt drops the connection when the document is destroyed,
        # before the undo stack (its child) emits cleanChanged while being torn down
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self.undo_stack.indexChanged.connect(self._count_edit)
        self._extra_dirty = False
        self.revision = 0  # counts changes: a save finishing later knows whether it holds the latest state
        # extra project sections computed when the project is taken (e.g. "snapshots"); None leaves one out
        self.section_writers: dict[str, Callable[[], dict | None]] = {}
        # checks of extra sections other parts own (e.g. "snapshots"): raise ValueError before a project opens
        self.section_checks: dict[str, Callable[[object], None]] = {}
        # parts that keep state of their own with each undoable training-state capture: name -> (capture, restore)
        self.state_keepers: dict[str, tuple[Callable[[], object], Callable[[object | None], None]]] = {}
        self.states = StateArchive()
        self.status = ""
        # while time travel shows an earlier epoch, this returns the newest parameters: those are what is saved
        self.present_params: Callable[[], np.ndarray | None] = lambda: None
        self._training = False
        self._loading = False
        self.trained = False
        self.network: Network | None = None
        self.graph = Graph()
        self.graph.subscribe(self._on_graph_event)
        self.load(project or default_project(), path)

    # -- whole-document changes ----------------------------------------------------
    def load(self, project: Project, path: str | None = None) -> None:
        """Replace everything with ``project`` (undo history is cleared); all or nothing.

        Raises :class:`DocumentLoadError` when the project cannot be held, leaving the document as it was.
        """
        graph, blocks = self.check(project)
        # the graph is refilled in place without relaying its events: the views rebuild on "reset" below
        self._loading = True
        try:
            self.graph.clear()
            for layer in graph.layers.values():
                self.graph.add_layer(layer)
            for conn in graph.connections.values():
                self.graph.add_connection(conn)
        finally:
            self._loading = False
        self.network = None
        self.dataset: Dataset = project.dataset
        self.settings: TrainSettings = project.settings
        self.init, self.init_seed, self.data_seed = project.init, project.init_seed, project.data_seed
        self.history: ErrorHistory = project.history
        self.runs: list[RunRecord] = list(project.runs)  # every run that ended, oldest first (core.runs)
        self.name, self.description, self.extra = project.name, project.description, dict(project.extra)
        self.generator_noise = _generator_noise(self.extra.pop(GENERATOR_SECTION, None))
        self._blocks: dict[str, np.ndarray] = blocks
        self.trained = project.weights is not None
        self.fresh_keys: set[str] = set()
        self.path = path
        self.undo_stack.clear()
        self.states.clear()
        self._extra_dirty = False
        self._build_network()
        self.set_status("")  # first: what the parts say about the new project (below) must stay
        self.graphChanged.emit("reset", {})
        self._network_rebuilt()
        self.datasetChanged.emit()
        self.settingsChanged.emit()
        self.historyChanged.emit()
        self.runsChanged.emit()
        self.pathChanged.emit(path or "")
        self.modifiedChanged.emit(False)

    def check(self, project: Project) -> tuple[Graph, dict[str, np.ndarray]]:
        """Build ``project``'s graph and network on the side; a :class:`DocumentLoadError` says what cannot be held.

        Returns the graph and the parameter blocks to start from.  Nothing of the document changes.
        """
        try:
            graph = Graph()
            for layer in project.graph.layers.values():
                graph.add_layer(layer)
            for conn in project.graph.connections.values():
                graph.add_connection(conn)
            project.settings.validate()
            for key, value in project.settings.to_dict().items():
                _finite(f"settings.{key}", value)
            for name, seed in (("init", project.init_seed), ("shuffle", project.settings.seed),
                               ("data", project.data_seed)):
                if not 0 <= seed <= MAX_SEED:
                    raise ValueError(f"seeds.{name}: {seed} is outside 0 to {MAX_SEED:,}")
            _generator_noise(project.extra.get(GENERATOR_SECTION))
            for name, check in self.section_checks.items():
                if name in project.extra:
                    check(project.extra[name])
            blocks = dict(project.weights or {})
            if not graph.problems():
                net = Network.from_graph(graph, seed=project.init_seed, init=project.init)
                fitting = {k: v for k, v in blocks.items() if k in net.specs and net.specs[k].shape == np.shape(v)}
                net.load_param_dict(fitting, partial=True)
        except DocumentLoadError:
            raise
        except Exception as exc:  # anything at all: the open document must survive a file it cannot hold
            raise DocumentLoadError(str(exc) or type(exc).__name__) from exc
        return graph, blocks

    def project(self) -> Project:
        """A snapshot of the document as a :class:`Project` (for saving)."""
        extra = dict(self.extra)
        if self.generator_noise:
            extra[GENERATOR_SECTION] = {"noise": self.generator_noise}
        for name, write in self.section_writers.items():
            section = write()
            if section is None:
                extra.pop(name, None)
            else:
                extra[name] = section
        trained = self.network is not None and self.trained
        return Project(
            graph=self.graph.copy(), dataset=self.dataset, settings=self.settings, init=self.init,
            init_seed=self.init_seed, data_seed=self.data_seed,
            weights=self.network.param_dict(self.present_params()) if trained else None,
            history=self.history, name=self.name, description=self.description, runs=list(self.runs), extra=extra,
        )

    def _on_clean_changed(self, clean: bool) -> None:
        self.modifiedChanged.emit(not clean)

    def _count_edit(self, *_args: object) -> None:
        self.revision += 1

    # -- modified state ------------------------------------------------------------------
    @property
    def modified(self) -> bool:
        return self._extra_dirty or not self.undo_stack.isClean()

    def mark_modified(self) -> None:
        """Changes that are not undo steps (training results, settings) still need saving."""
        self.revision += 1
        if not self._extra_dirty:
            self._extra_dirty = True
            self.modifiedChanged.emit(True)

    def mark_saved(self, path: str, revision: int | None = None) -> None:
        """The document is now saved at ``path``; when ``revision`` (what the saved snapshot held) is older than
        the document, edits made during the write still need saving: only the path changes."""
        self.path = path
        if revision is not None and revision != self.revision:
            self.pathChanged.emit(path)
            return
        self._extra_dirty = False
        self.undo_stack.setClean()
        self.pathChanged.emit(path)
        self.modifiedChanged.emit(False)

    @property
    def title(self) -> str:
        return Path(self.path).name if self.path else (self.name or "Untitled")

    # -- training state ---------------------------------------------------------------------
    @property
    def training(self) -> bool:
        """A run is going (or paused): the structure cannot be edited."""
        return self._training

    def set_training(self, training: bool) -> None:
        """Called by the training controller only, when a run starts and when it has ended."""
        if training != self._training:
            self._training = training
            self.trainingChanged.emit(training)

    def show_activations(self, activations: dict[str, np.ndarray]) -> None:
        """Each layer's activations for the inputs being tried (the canvas colours its neurons by them)."""
        self.activationsChanged.emit(activations)

    def show_neuron_images(self, images: dict | None) -> None:
        """Per layer, one picture per neuron of its output over the input plane (None: no pictures)."""
        self.neuronImagesChanged.emit(images)

    # -- network and weights ----------------------------------------------------------------
    def _on_graph_event(self, event: str, info: dict) -> None:
        if self._loading:
            return
        structural = event in _STRUCTURAL or (event == "layer_changed" and _STRUCTURAL_FIELDS & set(info["changes"]))
        if structural:
            self._build_network()
        # the views mirror the graph first, so that whatever follows the network or the weights (neuron
        # colours and images on the canvas) finds the canvas items already at their new sizes
        self.graphChanged.emit(event, info)
        if structural:
            self._network_rebuilt()

    def _rebuild(self) -> None:
        self._build_network()
        self._network_rebuilt()

    def _network_rebuilt(self) -> None:
        self.networkChanged.emit()
        self.weightsChanged.emit()

    def _build_network(self) -> None:
        """Build the network for the current graph, keeping every parameter block that still fits."""
        if self.network_problems():
            self.network = None
        else:
            old = self.network.param_dict() if self.network is not None else self._blocks
            net = Network.from_graph(self.graph, seed=self.init_seed, init=self.init)
            kept = {k: v for k, v in old.items() if k in net.specs and net.specs[k].shape == np.shape(v)}
            net.load_param_dict(kept, partial=True)
            if self.trained:
                self.fresh_keys = (self.fresh_keys & set(kept)) | (set(net.specs) - set(kept))
            self.network = net
            self._blocks = net.param_dict()

    def network_problems(self) -> list[str]:
        """What keeps the graph from being trained, in plain words (empty when it is valid)."""
        problems = self.graph.problems()
        if not problems:
            n_in = sum(layer.size for layer in self.graph.layers_with_role("input"))
            n_out = sum(layer.size for layer in self.graph.layers_with_role("output"))
            width = self.dataset.network_width  # with feature inputs: one network input per feature
            if (n_in, n_out) != (width, self.dataset.n_outputs):
                fed = plural(width, "input") if self.dataset.features is None else plural(width, "feature input")
                problems.append(
                    f"the dataset has {fed} and "
                    f"{plural(self.dataset.n_outputs, 'target')}, the network {plural(n_in, 'input')} and "
                    f"{plural(n_out, 'output')}"
                )
            else:
                problems += self._loss_problems()
        return problems

    def _loss_problems(self) -> list[str]:
        """A loss that cannot work with these outputs or targets would only show a flat error curve."""
        outputs = self.graph.layers_with_role("output")
        cost = self.settings.cost
        Y = self.dataset.Y
        if cost == "auto":
            problem = auto_cost_problem([layer.activation for layer in outputs], Y)
            return [problem] if problem else []
        if cost == "bce":
            bounded = [layer.name for layer in outputs if not get_activation(layer.activation).unit_range]
            if bounded:
                return [f"binary cross-entropy needs outputs between 0 and 1: give {', '.join(bounded)} a logistic "
                        "activation, or choose the mse loss"]
            if Y.min() < 0 or Y.max() > 1:
                return ["binary cross-entropy needs targets between 0 and 1: choose the mse loss for these targets"]
        if cost == "ce" and any(layer.activation != "softmax" for layer in outputs):
            return ["categorical cross-entropy needs a softmax output layer: change its activation, or the loss"]
        return []

    def set_params(self, params: np.ndarray, trained: bool = True) -> None:
        """New parameter values for the current network (from training, a scrub, an edit)."""
        if self.network is None:
            raise TopologyError(self.network_problems())
        self.network.set_params(params)
        self.trained = self.trained or trained
        self.fresh_keys = set()
        self.weightsChanged.emit()

    def set_weight(self, conn_id: str, i: int, j: int, value: float) -> None:
        """Synapse ``i → j`` of a connection; a connection no longer in the network is left alone."""
        net = self.network
        if net is None or conn_id not in net.weights:
            return  # the structure changed underneath; the undo stack keeps order, so this is a no-op
        spec = net.specs["W:" + conn_id]
        params = net.get_params()
        params[spec.slice].reshape(spec.shape)[i, j] = value
        self.set_params(params)

    def reset_weights(self, seed: int | None = None, dirty: bool = True) -> None:
        """Back to the initial weights of ``seed`` (the current init seed by default); clears the history."""
        if seed is not None:
            self.init_seed = int(seed)
        if self.network is not None:
            self.network.reset(self.init_seed)
        self.trained = False
        self.fresh_keys = set()
        self.history.clear()
        self.historyChanged.emit()
        self.weightsChanged.emit()
        if dirty:
            self.mark_modified()

    # -- the trained state, for undo ---------------------------------------------------------
    def set_status(self, text: str) -> None:
        """How the last run ended, or what changed since (the status bar shows it)."""
        self.status = text
        self.statusChanged.emit(text)

    def capture_state(self, protect: tuple[TrainedState, ...] = ()) -> TrainedState:
        """Weights, history, status and what the keepers keep, as they are now (the present, not a scrubbed past).

        ``protect``: captured states the memory budget must not release now."""
        if self.network is not None:
            blocks = self.network.param_dict(self.present_params())
        else:
            blocks = {key: values.copy() for key, values in self._blocks.items()}
        kept = {name: capture() for name, (capture, _restore) in self.state_keepers.items()}
        return self.states.capture(blocks, self.trained, self.fresh_keys, self.history, self.status, kept, protect)

    def restore_state(self, state: TrainedState) -> None:
        """Put a captured state back (the graph is already back in the shape it had then)."""
        if state.blocks is None or state.history is None:  # released
            self.set_status("The trained weights from before this step were not kept (undo memory is limited).")
            return
        self.states.touch(state)
        if self.network is not None:
            specs = self.network.specs
            self.network.load_param_dict({k: v for k, v in state.blocks.items()
                                          if k in specs and specs[k].shape == v.shape}, partial=True)
            self._blocks = self.network.param_dict()
        else:
            self._blocks = dict(state.blocks)
        self.trained, self.fresh_keys = state.trained, set(state.fresh_keys)
        self.history = state.history.history()
        self.historyChanged.emit()
        self.weightsChanged.emit()
        for name, (_capture, restore) in self.state_keepers.items():
            restore(state.kept.get(name))
        self.set_status(state.status)

    def add_run(self, record: RunRecord) -> None:
        """A run ended: keep its record in the run list (the oldest goes beyond core.runs.MAX_RUNS)."""
        add_run(self.runs, record)
        self.runsChanged.emit()
        self.mark_modified()

    # -- data and settings ----------------------------------------------------------------
    def set_dataset(self, dataset: Dataset, dirty: bool = True) -> None:
        self.dataset = dataset
        self._rebuild()
        self.datasetChanged.emit()
        if dirty:
            self.mark_modified()

    def set_dataset_and_sizes(self, dataset: Dataset, sizes: dict[str, int]) -> None:
        """New data and new layer sizes that fit it (feature inputs chosen): the network is rebuilt once it fits."""
        self.dataset = dataset
        for layer_id, size in sizes.items():
            self.graph.set_layer(layer_id, size=size)
        if not sizes:
            self._rebuild()
        self.datasetChanged.emit()

    def set_settings(self, settings: TrainSettings, dirty: bool = True) -> None:
        """New training settings (``dirty=False`` from undo commands: the undo stack tracks the change)."""
        settings.validate()
        self.settings = settings
        self.settingsChanged.emit()
        if dirty:
            self.mark_modified()
