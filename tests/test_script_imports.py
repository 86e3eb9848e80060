"""Benchmarks and scripts import names that exist: a module moved inside nnstudio cannot leave them stale."""

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted([*ROOT.glob("benchmarks/*.py"), *ROOT.glob("scripts/*.py"), *ROOT.glob("samples/*.py")])


def nnstudio_imports(path: Path) -> list[tuple[str, str | None, int]]:
    """(module, name or None, line) of every ``import nnstudio…`` / ``from nnstudio… import …``, nested ones too."""
    found: list[tuple[str, str | None, int]] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("nnstudio"):
            found += [(node.module or "", alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, None, node.lineno) for alias in node.names if alias.name.startswith("nnstudio")]
    return found


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_nnstudio_import_resolves(path: Path) -> None:
    stale = []
    for module_name, name, line in nnstudio_imports(path):
        try:
            module = importlib.import_module(module_name)
            if name is not None and not hasattr(module, name):
                importlib.import_module(f"{module_name}.{name}")  # ``from package import submodule``
        except ImportError as exc:
            stale.append(f"{path.name}:{line}: {exc}")
    assert not stale
