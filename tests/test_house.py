"""The shape of the package: imports only go down the layers, no import circles, short modules with a docstring.

Layers, lowest first: core (and paths) <- io <- ui.model, ui.theme <- {ui.canvas, ui.training} <- ui.learning
<- ui (app.py, main_window.py, actions.py, files.py) <- the entry points.  A module may import its own group
and lower layers; every import counts, those inside functions too (for the layers, ``TYPE_CHECKING`` ones too).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "nnstudio"
MAX_LINES = 500
KNOWN_PRIVATE_IMPORTS: set[tuple[str, str]] = set()

# group (a module name prefix) -> layer; the longest matching prefix decides
LAYERS = {
    "nnstudio": 0, "nnstudio.paths": 0, "nnstudio.core": 0,
    "nnstudio.io": 1,
    "nnstudio.ui.model": 2, "nnstudio.ui.theme": 2,
    "nnstudio.ui.canvas": 3, "nnstudio.ui.training": 3,
    "nnstudio.ui.learning": 4,
    "nnstudio.ui": 5,
    "entry points": 6,
}
ENTRY_POINTS = {"nnstudio.app", "nnstudio.cli", "nnstudio.__main__"}


def module_name(path: Path) -> str:
    name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    return name.removesuffix(".__init__")


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in PACKAGE.rglob("*.py")}


def group(name: str) -> str:
    if name in ENTRY_POINTS:
        return "entry points"
    return max((prefix for prefix in LAYERS if name == prefix or name.startswith(prefix + ".")), key=len)


def imports(name: str, path: Path, known: set[str], type_checking: bool = True) -> set[str]:
    """The nnstudio modules ``name`` imports anywhere in its text (inside functions too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    hidden = set() if type_checking else {
        id(inner) for node in ast.walk(tree) if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name and not target.startswith(name + "."):
                found.add(target)
    return found


def import_graph(type_checking: bool = True) -> dict[str, set[str]]:
    mods = modules()
    return {name: imports(name, path, set(mods), type_checking) for name, path in mods.items()}


def test_the_layers_are_what_the_architecture_says():
    names = set(modules())
    for expected in ("nnstudio.ui.app", "nnstudio.ui.main_window", "nnstudio.ui.actions", "nnstudio.ui.files",
                     "nnstudio.ui.model.document", "nnstudio.ui.model.commands", "nnstudio.ui.model.editor",
                     "nnstudio.ui.canvas.scene", "nnstudio.ui.training.controller", "nnstudio.ui.learning.tools",
                     "nnstudio.core.layout"):
        assert expected in names, expected
    assert group("nnstudio.ui.canvas.scene") == "nnstudio.ui.canvas"
    assert group("nnstudio.ui.app") == "nnstudio.ui"


def test_imports_only_go_down_the_layers():
    wrong = []
    for name, targets in import_graph().items():
        for target in targets:
            here, there = group(name), group(target)
            if there != here and LAYERS[there] >= LAYERS[here]:
                wrong.append(f"{name} imports {target}")
    assert not wrong, "\n".join(sorted(wrong))


def test_training_and_canvas_do_not_know_each_other_or_the_learning_tools():
    for name, targets in import_graph().items():
        if group(name) in ("nnstudio.ui.training", "nnstudio.ui.canvas"):
            assert not {group(t) for t in targets} & {"nnstudio.ui.learning", "nnstudio.ui"}, name


def test_no_import_circles():
    graph = import_graph(type_checking=False)  # a type-only import runs nothing
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            raise AssertionError("import circle: " + " -> ".join(path[path.index(name):] + [name]))
        if name in done:
            return
        for target in sorted(graph[name]):
            visit(target, path + [name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])


def test_modules_are_short_and_say_what_they_are_for():
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        long = len(text.splitlines()) > MAX_LINES
        assert not long, f"{path.name} is too long"
        assert text.startswith('"""') and len(text.split("\n", 1)[0]) > 6, f"{path} starts without a docstring"


def test_no_private_names_cross_modules():
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("nnstudio")):
                private = [a.name for a in node.names if a.name.startswith("_") and a.name != "__version__"
                           and (name, a.name) not in KNOWN_PRIVATE_IMPORTS]
                assert not private, f"{name} imports {private}"
