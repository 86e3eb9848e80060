"""The ``nnstudio`` command.

Bare (or with a project path) it opens the GUI; subcommands work headless::

    nnstudio new OUT.nnstudio --data FILE [--target COL ...] [--hidden 16,8] [--activation tanh]
                 [--test-split 0.2] [--scale standard|minmax|none] [--classes] [--seed S] [--features x1^2,x2^2]
    nnstudio train FILE [--epochs N] [--rate R] [--seed S] [--reset] [--out TRAINED.nnstudio] [--json [--all-rows]]
                                      (--out also adds the run to the project's run list)
    nnstudio predict FILE X1 X2 ... [--json]      (raw inputs: the project's input scaling and features are applied)
    nnstudio export FILE OUT          (OUT's extension picks the format: .json .npz .onnx .py .h .csv)
    nnstudio export FILE OUT.json --format synaptic|brain   (a file the JavaScript library loads)
    nnstudio export FILE OUT.onnx [--dtype float32|float64]   (float32 by default)
    nnstudio import FILE OUT.nnstudio (a Synaptic.js or brain.js toJSON file, or an ONNX MLP)

A bad file or argument prints one line to stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from . import __version__
from .core import STOP_REASONS, TrainingRun
from .core.activations import ACTIVATIONS
from .core.datasets import DatasetError
from .core.features import FEATURES, parse_features
from .core.graph import TopologyError
from .core.history import ErrorHistory
from .core.metrics import accuracy, percent_text
from .core.runs import add_run, record_run
from .core.scaling import SCALINGS
from .io.export import EXPORT_FORMATS, export_format, export_project
from .io.export_js import JS_FORMATS
from .io.from_data import project_from_data
from .io.importers import import_file
from .io.limits import MAX_INT
from .io.project import Project, ProjectError, load_project, save_project

JSON_ROWS = 1000  # train --json lists inputs, targets and outputs per row up to this many rows (digits: 1,437)
TEXT_ROWS = 20  # rows in the text table of train

SUBCOMMANDS: dict[str, str] = {
    "new": "create a project fitted to a data file (CSV, .npz or MNIST IDX)",
    "train": "train a project headless and report the result",
    "predict": "print the outputs of a project's network for one input row",
    "export": "write a project's network (or error history) to another format, chosen by OUT's extension",
    "import": "turn a Synaptic.js or brain.js network JSON file, or an ONNX MLP, into a project",
}


class CliError(Exception):
    """A problem to report in one line, without a traceback."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, status 2, as for every other bad argument
        raise CliError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="nnstudio", description="Build and train small neural networks visually.")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    new = sub.add_parser("new", help=SUBCOMMANDS["new"])
    new.add_argument("out", help="the .nnstudio project to write")
    new.add_argument("--data", required=True, help="a CSV, .npz or IDX (.idx, .gz) file")
    new.add_argument("--target", nargs="+", action="extend",
                     help="target column(s) of a CSV (default: the last column); for IDX images, the labels file")
    new.add_argument("--hidden", default="16", type=_sizes, help="hidden layer sizes, e.g. 16,8 (default 16)")
    new.add_argument("--activation", default="tanh", help="activation of the hidden layers (default tanh)")
    new.add_argument("--test-split", type=float, default=0.2, help="fraction of rows held out (default 0.2)")
    new.add_argument("--scale", choices=SCALINGS, default="standard", help="input scaling (default standard)")
    new.add_argument("--classes", action="store_true", help="read numeric CSV targets as class labels")
    new.add_argument("--seed", type=int, default=0, help="seed of the train/test split (default 0)")
    new.add_argument("--features", type=_features,
                     help="feed a two-input network these features of x1, x2 instead: a comma-separated list of "
                     + ", ".join(FEATURES))

    train = sub.add_parser("train", help=SUBCOMMANDS["train"])
    train.add_argument("file", help="a .nnstudio project")
    train.add_argument("--epochs", type=int, help="maximum epochs (default: the project's setting)")
    train.add_argument("--rate", type=float, help="learning rate (default: the project's setting)")
    train.add_argument("--dtype", choices=("float64", "float32"),
                       help="precision of the training arithmetic (default: the project's setting)")
    train.add_argument("--seed", type=int, help="start from fresh weights drawn with this init seed")
    train.add_argument("--reset", action="store_true",
                       help="start from the project's initial weights, not its trained ones")
    train.add_argument("--out", help="save the trained project here")
    train.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    train.add_argument("--all-rows", action="store_true",
                       help=f"with --json, list inputs, targets and outputs even for more than {JSON_ROWS:,} rows")

    predict = sub.add_parser("predict", help=SUBCOMMANDS["predict"])
    predict.add_argument("file", help="a .nnstudio project")
    predict.add_argument("inputs", nargs="+", type=float, help="one value per network input")
    predict.add_argument("--json", action="store_true", help="print JSON instead of text")

    export = sub.add_parser("export", help=SUBCOMMANDS["export"])
    export.add_argument("file", help="a .nnstudio project")
    export.add_argument("out", help="the file to write: " + ", ".join(EXPORT_FORMATS))
    export.add_argument("--dtype", choices=("float32", "float64"),
                        help="number type of an ONNX model's inputs and outputs (default float32)")
    export.add_argument("--format", choices=JS_FORMATS,
                        help="write a .json that this JavaScript library loads instead of nnstudio weights: "
                        + "; ".join(f"{k}: {v}" for k, v in JS_FORMATS.items()))

    import_ = sub.add_parser("import", help=SUBCOMMANDS["import"])
    import_.add_argument("file", help="a Synaptic.js network.toJSON() or brain.js net.toJSON() file, or a .onnx "
                         "multilayer perceptron")
    import_.add_argument("out", help="the .nnstudio project to write")
    return parser


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected sizes like 16,8, not {text!r}") from None
    if any(not 1 <= size <= 100_000 for size in sizes):
        raise argparse.ArgumentTypeError("layer sizes must be from 1 to 100000")
    return sizes


def _features(text: str) -> tuple[str, ...]:
    try:
        return parse_features(text)
    except DatasetError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def cmd_new(args: argparse.Namespace) -> int:
    if not args.out.endswith(".nnstudio"):
        raise CliError(f"the output must be a .nnstudio project, not {args.out}")
    if args.activation not in ACTIVATIONS:
        raise CliError(f"unknown activation {args.activation!r}; choose one of: {', '.join(ACTIVATIONS)}")
    try:
        project = project_from_data(args.data, args.target, args.hidden, args.activation, args.test_split,
                                    args.scale, args.seed, args.classes, args.features)
    except (DatasetError, TopologyError) as exc:
        raise CliError(f"{args.data}: {exc}") from None
    try:
        save_project(project, args.out)
    except OSError as exc:
        raise CliError(f"cannot save {args.out}: {exc.strerror or exc}") from None
    print(f"wrote {args.out}: {project.description}")
    return 0


def _load(path: str) -> Project:
    try:
        return load_project(path)
    except ProjectError as exc:
        raise CliError(f"{path}: {exc}") from None


def _save(project: Project, path: str) -> None:
    try:
        save_project(project, path)
    except OSError as exc:
        raise CliError(f"cannot save {path}: {exc.strerror or exc} (nothing was changed there)") from None
    except ValueError as exc:
        raise CliError(f"cannot save {path}: {exc}") from None


def cmd_train(args: argparse.Namespace) -> int:
    project = _load(args.file)
    settings = project.settings
    if args.epochs is not None:
        settings = replace(settings, epochs=args.epochs)
    if args.rate is not None:
        settings = replace(settings, rate=args.rate)
    if args.dtype is not None:
        settings = replace(settings, dtype=args.dtype)
    if args.seed is not None:
        if not 0 <= args.seed <= MAX_INT:
            raise CliError(f"--seed must be from 0 to {MAX_INT}, not {args.seed}")
        project.init_seed = args.seed
    if args.seed is not None or args.reset:
        project.weights = None
        project.history.clear()
    try:
        settings.validate()
        net = project.build_network()
        run = TrainingRun(net, project.dataset, settings)
    except (ValueError, TopologyError, DatasetError) as exc:
        raise CliError(f"{args.file}: {exc}") from None
    # a trained project trains on: --epochs more epochs, numbered after those in its history
    before = project.history.last_epoch
    progress = _Progress(sys.stderr if sys.stderr.isatty() and not args.json else None, settings.epochs)
    snap = None
    curve = ErrorHistory()  # this run's errors, for the run list
    for snap in run.snapshots(max_rate=10):
        project.history.extend(before + snap.epoch - len(snap.errors) + 1, snap.errors)
        curve.extend(snap.epoch - len(snap.errors) + 1, snap.errors)
        if snap.test_error is not None:
            project.history.add_test(before + snap.epoch, snap.test_error)
            curve.add_test(snap.epoch, snap.test_error)
        progress.show(snap.epoch, snap.error)
    progress.close()

    project.weights = net.param_dict()
    project.settings = settings
    if args.out:
        add_run(project.runs, record_run(net, project.dataset, settings, curve, init=project.init,
                                         init_seed=project.init_seed, data_seed=project.data_seed,
                                         reason=snap.reason or "stopped", seconds=snap.elapsed))
        _save(project, args.out)
    outputs = net.predict(project.dataset.network_inputs())
    rows = len(outputs)
    # every row for small data (and --all-rows); 20 for the text table; none in the JSON of a big dataset
    listed = rows if args.all_rows or rows <= JSON_ROWS else 0
    listed = listed if args.json else min(rows, TEXT_ROWS)
    report = {
        "file": args.file,
        "error": None if not math.isfinite(run.last_error) else run.last_error,
        "cost": run.loss.name,
        "epochs": snap.epoch,
        "total_epochs": before + snap.epoch,
        "reason": snap.reason,
        "reason_text": STOP_REASONS[snap.reason],
        "time": snap.elapsed,
        "test_error": snap.test_error,
        "rows": rows,
        "saved": args.out,
    }
    if listed:
        report["inputs"] = project.dataset.raw_inputs(project.dataset.X[:listed]).tolist()  # as given, unscaled
        report["targets"] = project.dataset.Y[:listed].tolist()
        report["outputs"] = outputs[:listed].tolist()
    report.update(_accuracies(project, outputs, net))
    if args.json:
        print(json.dumps(report))
    else:
        print(_train_text(report, project))
    return 0


def _accuracies(project: Project, outputs: np.ndarray, net) -> dict:
    """``accuracy`` and ``test_accuracy`` (None without a test part) for classification, nothing otherwise."""
    ds = project.dataset
    if ds.kind != "classification" or (train := accuracy(outputs, ds.Y)) is None:
        return {}
    test = accuracy(net.predict(ds.network_inputs(ds.X_test)), ds.Y_test) if ds.has_test else None
    return {"accuracy": train, "test_accuracy": test}


def _train_text(r: dict, project: Project) -> str:
    err = "nan" if r["error"] is None else f"{r['error']:.6g}"
    total = f", {r['total_epochs']} in all" if r["total_epochs"] != r["epochs"] else ""
    lines = [
        f"{r['reason_text']} after {r['epochs']} epoch{'' if r['epochs'] == 1 else 's'}{total} ({r['time']:.2f} s)",
        f"final error ({r['cost']}): {err}"
        + (f", test error: {r['test_error']:.6g}" if r["test_error"] is not None else ""),
    ]
    if "accuracy" in r:
        test = r["test_accuracy"]
        lines.append(f"accuracy: {percent_text(r['accuracy'])}"
                     + (f", test accuracy: {percent_text(test)}" if test is not None else ""))
    if r["reason"] == "diverged":
        lines.append("the last finite weights were kept; try a lower learning rate (--rate)")
    ds = project.dataset
    shown = list(zip(r["inputs"], r["targets"], r["outputs"], strict=True))
    header = [*ds.input_names, *(f"target {n}" for n in ds.output_names), *(f"output {n}" for n in ds.output_names)]
    table = [[_fmt(v) for v in (*x, *t, *o)] for x, t, o in shown]
    widths = [max(len(h), *(len(row[i]) for row in table)) for i, h in enumerate(header)]
    lines.append("  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True)))
    lines += ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in table]
    if r["rows"] > len(shown):
        lines.append(f"… {r['rows'] - len(shown)} more rows")
    if r["saved"]:
        lines.append(f"saved {r['saved']}")
    return "\n".join(lines)


def _fmt(v: float) -> str:
    return f"{v:.4f}" if not float(v).is_integer() else f"{v:g}"


class _Progress:
    """A one-line progress bar on a terminal; silent otherwise."""

    def __init__(self, stream, total: int):
        self.stream, self.total = stream, max(total, 1)

    def show(self, epoch: int, error: float) -> None:
        if self.stream is None:
            return
        done = min(epoch / self.total, 1.0)
        bar = "#" * int(done * 30)
        self.stream.write(f"\r[{bar:<30}] epoch {epoch}/{self.total}  error {error:.5g}   ")
        self.stream.flush()

    def close(self) -> None:
        if self.stream is not None:
            self.stream.write("\n")


def cmd_predict(args: argparse.Namespace) -> int:
    project = _load(args.file)
    try:
        net = project.build_network()
    except (TopologyError, ValueError) as exc:
        raise CliError(f"{args.file}: {exc}") from None
    ds = project.dataset
    if ds.features is not None:  # the network is fed features of the raw x1, x2
        if net.n_inputs != ds.network_width:
            raise CliError(f"{args.file}: the network has {net.n_inputs} inputs but the dataset feeds it "
                           f"{ds.network_width} features ({', '.join(ds.features)}); fit the network to the data")
        if len(args.inputs) != ds.n_inputs:
            raise CliError(f"the network takes the features of {ds.n_inputs} raw inputs, "
                           f"{len(args.inputs)} values were given")
    elif len(args.inputs) != net.n_inputs:
        raise CliError(f"the network has {net.n_inputs} inputs, {len(args.inputs)} values were given")
    if not all(math.isfinite(v) for v in args.inputs):
        raise CliError("inputs must be finite numbers")
    names = ds.output_names
    if len(names) != net.n_outputs:
        raise CliError(f"{args.file}: the network has {net.n_outputs} outputs but its dataset names "
                       f"{len(names)} targets; fit the dataset to the network first")
    raw = np.array(args.inputs)
    scaled = ds.scale(raw) if ds.scaling and ds.scaling.width == len(raw) else raw
    out = net.predict(ds.network_inputs(scaled))
    label = ds.label(out) if len(ds.class_names) == len(out) else None
    if args.json:
        report = {"inputs": args.inputs, "outputs": out.tolist(), "names": ds.output_names}
        if label is not None:
            report["label"] = label
        print(json.dumps(report))
    else:
        for name, value in zip(names, out, strict=True):
            print(f"{name}: {value:.6g}")
        if label is not None:
            print(f"label: {label}")
    if project.weights is None:  # the samples ship so: an answer from random weights is easy to take for the real one
        print(f"nnstudio: note: {args.file} is untrained, so these outputs come from its initial weights; "
              f"train it first: nnstudio train {args.file} --out TRAINED.nnstudio", file=sys.stderr)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    try:
        export_format(args.out)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if args.format and not args.out.lower().endswith(".json"):
        raise CliError(f"--format {args.format} writes a .json file, not {args.out}")
    if args.dtype and not args.out.lower().endswith(".onnx"):
        raise CliError(f"--dtype is for ONNX models (.onnx), not {args.out}")
    project = _load(args.file)
    try:
        export_project(project, args.out, args.format, args.dtype or "float32")
    except OSError as exc:
        raise CliError(f"cannot write {args.out}: {exc.strerror or exc} (nothing was changed there)") from None
    except (ValueError, RuntimeError) as exc:
        raise CliError(f"{args.out}: {exc}") from None
    what = JS_FORMATS[args.format] if args.format else EXPORT_FORMATS[export_format(args.out)]
    print(f"wrote {args.out} ({what})")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    if not args.out.endswith(".nnstudio"):
        raise CliError(f"the output must be a .nnstudio project, not {args.out}")
    try:
        project = import_file(args.file)
    except OSError as exc:
        raise CliError(f"cannot read {args.file}: {exc.strerror or exc}") from None
    except (ValueError, RuntimeError) as exc:
        raise CliError(f"{args.file}: {exc}") from None
    _save(project, args.out)
    print(f"wrote {args.out}: {project.description}")
    return 0


COMMANDS = {"new": cmd_new, "train": cmd_train, "predict": cmd_predict, "export": cmd_export, "import": cmd_import}


def _gui_request(argv: list[str]) -> str | None:
    """Why ``argv`` is neither a command nor a project to open (None when it opens the GUI)."""
    if not argv:
        return None
    first = argv[0]
    if first.startswith("-"):
        return f"unknown option {first}"
    if not (Path(first).exists() or first.endswith(".nnstudio")):
        return f"unknown command {first!r}: use one of {', '.join(COMMANDS)}, or give a project file to open"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--version"]:
        print(f"nnstudio {__version__}")
        return 0
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")):
        problem = _gui_request(argv)
        if problem:
            print(f"nnstudio: {problem}", file=sys.stderr)
            return 2
        from .startup_check import startup_problem

        problem = startup_problem()
        if problem:  # say what is missing instead of letting Qt abort the process
            print(f"nnstudio: {problem}", file=sys.stderr)
            return 2
        from .app import run_gui

        return run_gui(argv)
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except CliError as exc:
        print(f"nnstudio: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("nnstudio: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (e.g. `| head`): stop quietly, without a traceback at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
