"""Saves and exports are atomic, keep file modes and clean up after a killed save (issue 12, items 6 and 7)."""

import errno
import os
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nnstudio.cli import main
from nnstudio.io import atomic
from nnstudio.io.atomic import remove_leftovers, write_atomic
from nnstudio.io.export import EXPORT_FORMATS, export_project
from nnstudio.io.project import load_project, save_project

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


@pytest.fixture
def project():
    project = load_project(SAMPLES / "xor.nnstudio")
    project.weights = project.build_network().param_dict()
    project.history.extend(1, np.array([0.3, 0.2]))
    return project


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_new_file_gets_the_umask_mode(tmp_path, project) -> None:
    old = os.umask(0o022)
    try:
        save_project(project, tmp_path / "a.nnstudio")
        os.umask(0o077)
        save_project(project, tmp_path / "b.nnstudio")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "a.nnstudio") == 0o644
    assert _mode(tmp_path / "b.nnstudio") == 0o600


def test_existing_file_keeps_its_mode(tmp_path, project) -> None:
    path = tmp_path / "shared.nnstudio"
    save_project(project, path)
    path.chmod(0o664)
    save_project(project, path)
    assert _mode(path) == 0o664
    out = tmp_path / "net.py"
    export_project(project, out)
    out.chmod(0o755)
    export_project(project, out)
    assert _mode(out) == 0o755


def test_symlink_stays_a_link_to_the_saved_file(tmp_path, project) -> None:
    real = tmp_path / "real.nnstudio"
    save_project(project, real)
    link = tmp_path / "link.nnstudio"
    link.symlink_to(real)
    project.name = "through the link"
    save_project(project, link)
    assert link.is_symlink() and load_project(real).name == "through the link"


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_leftovers_of_a_killed_save_are_removed_on_the_next_save(tmp_path, project) -> None:
    path = tmp_path / "work.nnstudio"
    save_project(project, path)
    dead = tmp_path / f".work.nnstudio.{_dead_pid()}-0123abcd.tmp"
    dead.write_bytes(b"x" * 10_000)
    alive = tmp_path / f".work.nnstudio.{os.getppid()}-89abcdef.tmp"  # a running process: may be mid-save
    alive.write_bytes(b"y")
    old_style = tmp_path / ".work.nnstudio.ab_cd123.tmp"  # an older nnstudio's mkstemp name, an hour old
    old_style.write_bytes(b"z")
    os.utime(old_style, (0, 0))
    other = tmp_path / f".other.nnstudio.{_dead_pid()}-0123abcd.tmp"  # another file's: not this save's business
    other.write_bytes(b"w")
    save_project(project, path)
    assert not dead.exists() and not old_style.exists()
    assert alive.exists() and other.exists()
    assert load_project(path).name == project.name


def test_remove_leftovers_reports_what_it_removed(tmp_path) -> None:
    target = tmp_path / "x.json"
    leftover = tmp_path / f".x.json.{_dead_pid()}-00000000.tmp"
    leftover.write_text("partial")
    assert remove_leftovers(target) == [leftover]


@pytest.mark.parametrize("ext", sorted(EXPORT_FORMATS))
def test_failed_export_leaves_the_old_file_and_no_temp(tmp_path, project, monkeypatch, ext) -> None:
    if ext == ".onnx":
        pytest.importorskip("onnx")
    path = tmp_path / f"out{ext}"
    path.write_bytes(b"the previous export")

    def full_disk(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space left"):
        export_project(project, path)
    assert path.read_bytes() == b"the previous export"
    assert _temp_files(tmp_path) == []


def test_writer_failing_half_way_leaves_the_old_file(tmp_path) -> None:
    path = tmp_path / "net.py"
    path.write_text("old = 1\n")

    def half(fh):
        fh.write(b"x = [1, 2,")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError):
        write_atomic(path, half)
    assert path.read_text() == "old = 1\n" and _temp_files(tmp_path) == []


def test_cli_export_on_a_full_disk_is_one_line_and_keeps_the_file(tmp_path, project, monkeypatch, capsys) -> None:
    src = tmp_path / "xor.nnstudio"
    save_project(project, src)
    out = tmp_path / "net.py"
    out.write_text("previous = True\n")
    monkeypatch.setattr(atomic.os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(errno.ENOSPC, "No space left")))
    assert main(["export", str(src), str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No space left" in err and "nothing was changed" in err
    assert out.read_text() == "previous = True\n"


def test_read_only_folder_save_says_so_and_keeps_the_file(tmp_path, project, monkeypatch, capsys) -> None:
    path = tmp_path / "work.nnstudio"
    save_project(project, path)
    before = path.read_bytes()
    real_open = os.open

    def read_only(file, flags, *args):  # the folder refuses new files (as a read-only mount does, even for root)
        if flags & os.O_CREAT and Path(file).parent == tmp_path:
            raise PermissionError(errno.EROFS, "Read-only file system", str(file))
        return real_open(file, flags, *args)

    monkeypatch.setattr(atomic.os, "open", read_only)
    project.name = "changed"
    with pytest.raises(PermissionError):
        save_project(project, path)
    assert path.read_bytes() == before
    assert main(["train", str(path), "--epochs", "1", "--out", str(path)]) == 2
    assert "cannot save" in capsys.readouterr().err and path.read_bytes() == before


def test_unencodable_text_fails_before_any_file_is_made(tmp_path) -> None:
    from nnstudio.io.atomic import write_text_atomic

    with pytest.raises(UnicodeEncodeError):
        write_text_atomic(tmp_path / "bad.txt", "lone \ud800")
    assert list(tmp_path.iterdir()) == []


def test_readable_json_is_the_same_value_with_compact_number_rows() -> None:
    import json

    from nnstudio.io.json_text import dumps_readable

    doc = {"a": [[1.5, 2], [3, -0.0]], "b": [], "c": [[]], "d": ["@@table-0@@", {"e": [1, [2, 3]]}], "f": [True, 1],
           "g": 10**300, "h": [[1], ["x"]]}
    text = dumps_readable(doc)
    assert json.loads(text) == doc
    assert "[1.5, 2],\n[3, -0.0]" in text
    with pytest.raises(ValueError):
        dumps_readable({"x": [float("nan")]})
