"""The start-up check: no display or a missing Qt library gives one line and status 2, never Qt's abort."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from nnstudio import cli
from nnstudio.startup_check import (
    debian_package,
    missing_libraries,
    needed_libraries,
    platform_plugin,
    qt_paths,
    startup_problem,
    x11_address,
)

ROOT = Path(__file__).resolve().parents[1]
QT = qt_paths()
everything_loads = lambda soname: None  # noqa: E731
reachable = lambda address: True  # noqa: E731


def test_no_display_is_named_with_the_way_out() -> None:
    problem = startup_problem({}, system="linux", can_connect=reachable, load_error=everything_loads)
    assert problem is not None and "DISPLAY is not set" in problem and "QT_QPA_PLATFORM=offscreen" in problem


def test_an_unreachable_x_display_is_named() -> None:
    asked: list[str] = []
    problem = startup_problem({"DISPLAY": ":7"}, system="linux", load_error=everything_loads,
                              can_connect=lambda address: asked.append(address) or False)
    assert asked == ["/tmp/.X11-unix/X7"] and problem is not None and "':7'" in problem


def test_missing_libraries_are_named_with_their_packages_and_the_install_line() -> None:
    absent = {"libxcb-icccm.so.4", "libxcb-keysyms.so.1"}
    problem = startup_problem({"DISPLAY": ":0"}, system="linux", can_connect=reachable,
                              load_error=lambda soname: soname if soname in absent else None)
    assert problem is not None
    assert "libxcb-icccm.so.4" in problem and "libxcb-keysyms.so.1" in problem
    assert problem.endswith("sudo apt-get install libxcb-icccm4 libxcb-keysyms1")
    assert "libxcb-cursor" not in problem  # Qt's own message blames this one whatever is missing


def test_a_library_whose_own_dependency_is_missing_names_the_dependency() -> None:
    loader = lambda soname: "libxcb-util.so.1" if soname == "libxcb-image.so.0" else None  # noqa: E731
    problem = startup_problem({"DISPLAY": ":0"}, system="linux", can_connect=reachable, load_error=loader)
    assert problem is not None and "libxcb-util.so.1" in problem and "libxcb-util1" in problem


def test_nothing_missing_or_no_screen_needed_or_not_linux_passes() -> None:
    assert startup_problem({"DISPLAY": ":0"}, system="linux", can_connect=reachable,
                           load_error=everything_loads) is None
    assert startup_problem({"QT_QPA_PLATFORM": "offscreen"}, system="linux") is None
    assert startup_problem({}, system="win32") is None and startup_problem({}, system="darwin") is None


def test_the_platform_is_chosen_as_qt_chooses_it() -> None:
    assert platform_plugin({}) == "xcb"
    assert platform_plugin({"QT_QPA_PLATFORM": "offscreen"}) == "offscreen"
    assert platform_plugin({"QT_QPA_PLATFORM": "wayland;xcb"}) == "wayland"
    assert platform_plugin({"WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}) == "wayland"
    problem = startup_problem({"WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland",
                               "XDG_RUNTIME_DIR": "/run/user/1000"}, system="linux", can_connect=lambda a: False)
    assert problem is not None and "Wayland" in problem


def test_display_addresses() -> None:
    assert x11_address(":0") == "/tmp/.X11-unix/X0"
    assert x11_address(":1.0") == "/tmp/.X11-unix/X1"
    assert x11_address("localhost:10.0") == "localhost:6010"


def test_package_names_follow_debian_rules() -> None:
    assert debian_package("libxcb-icccm.so.4") == "libxcb-icccm4"
    assert debian_package("libxkbcommon-x11.so.0") == "libxkbcommon-x11-0"
    assert debian_package("libX11-xcb.so.1") == "libx11-xcb1"
    assert debian_package("libglib-2.0.so.0") == "libglib2.0-0"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Qt's Linux plugin is an ELF file")
def test_the_real_xcb_plugin_is_read_and_the_readme_lists_every_package_it_needs() -> None:
    assert QT is not None
    plugins, qt_lib = QT
    assert "libxcb-icccm.so.4" in needed_libraries(plugins / "libqxcb.so") + needed_libraries(
        qt_lib / "libQt6XcbQpa.so.6")
    needed = missing_libraries(plugins / "libqxcb.so", qt_lib, load_error=lambda soname: soname)
    packages = {debian_package(s) for s in needed} - {"libc6", "libgcc-s1", "libstdc++6", "zlib1g", "libzstd1"}
    packages -= {p for p in packages if p.startswith("ld-linux")}
    quick_start = (ROOT / "README.md").read_text().split("## Quick start", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"lib[\w.+-]+\d", quick_start))
    assert packages <= listed, sorted(packages - listed)


def test_the_command_says_it_in_one_line_and_exits_2(monkeypatch, capsys) -> None:
    monkeypatch.setattr("nnstudio.startup_check.startup_problem", lambda: "no display: DISPLAY is not set")
    assert cli.main([]) == 2
    assert capsys.readouterr().err == "nnstudio: no display: DISPLAY is not set\n"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="DISPLAY is how Linux names a screen")
def test_a_real_start_without_a_display_does_not_abort(tmp_path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "nnstudio"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "DISPLAY is not set" in done.stderr and len(done.stderr.splitlines()) == 1
