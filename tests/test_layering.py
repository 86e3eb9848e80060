"""The core and io never load Qt; nothing below the entry points imports the ui package."""

import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "nnstudio"


def test_core_and_io_load_no_qt() -> None:
    code = (
        "import sys, nnstudio.core, nnstudio.io, nnstudio.cli;"
        "import nnstudio.core.datasets, nnstudio.core.training, nnstudio.io.project;"
        "qt_names = ('PySide6', 'shiboken6', 'pyqtgraph', 'PyQt5', 'PyQt6');"
        "qt = sorted(m for m in sys.modules if m.split('.')[0] in qt_names);"
        "print(qt); sys.exit(1 if qt else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_core_imports_only_numpy_and_stdlib() -> None:
    for path in (PACKAGE / "core").rglob("*.py"):
        text = path.read_text()
        for word in ("PySide6", "pyqtgraph", "from ..io", "from ..ui", "import nnstudio.ui", "import nnstudio.io"):
            assert word not in text, f"{path.name} mentions {word}"


def test_io_does_not_import_ui() -> None:
    for path in (PACKAGE / "io").rglob("*.py"):
        text = path.read_text()
        assert "PySide6" not in text and "from ..ui" not in text, path.name
