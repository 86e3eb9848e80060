"""Before Qt starts: is there a display, and can Qt's platform plugin load? One line saying what is missing, or None.

Qt aborts the process (status 134, "could not load the Qt platform plugin") when its xcb plugin lacks a system
library, and blames ``libxcb-cursor0`` whatever is really missing. This module reads the plugin's ELF dependency
list, tries each system library, and names the missing ones with their Debian/Ubuntu packages. No Qt is imported.
"""

from __future__ import annotations

import ctypes
import os
import re
import socket
import struct
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

# Platform plugins that draw without a screen: nothing to connect to.
HEADLESS_PLATFORMS = frozenset({"offscreen", "minimal", "vnc", "linuxfb", "eglfs", "minimalegl", "vkkhrdisplay"})
# Debian package names that do not follow from the soname by the usual rule.
PACKAGE_EXCEPTIONS = {
    "libglib-2.0.so.0": "libglib2.0-0", "libgthread-2.0.so.0": "libglib2.0-0", "libz.so.1": "zlib1g",
    "libgcc_s.so.1": "libgcc-s1", "libc.so.6": "libc6", "libm.so.6": "libc6", "libdl.so.2": "libc6",
    "libpthread.so.0": "libc6",
}
HEADLESS_HINT = "the train, predict, export and import commands need no display"


def platform_plugin(env: Mapping[str, str]) -> str:
    """The platform plugin Qt will try first on Linux, as its own rules choose it."""
    requested = env.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if requested:
        return requested
    if env.get("WAYLAND_DISPLAY") and env.get("XDG_SESSION_TYPE") == "wayland":
        return "wayland"
    return "xcb"


def debian_package(soname: str) -> str:
    """The Debian/Ubuntu package that ships a library: libxcb-icccm.so.4 -> libxcb-icccm4."""
    if soname in PACKAGE_EXCEPTIONS:
        return PACKAGE_EXCEPTIONS[soname]
    match = re.fullmatch(r"(lib.+?)\.so\.(\d+)(?:\..*)?", soname)
    if not match:
        return soname
    name, major = match.group(1).lower(), match.group(2)
    return f"{name}-{major}" if name[-1].isdigit() else f"{name}{major}"


def needed_libraries(path: Path) -> list[str]:
    """The DT_NEEDED entries of an ELF shared object (the libraries it links against), [] if it is no ELF file."""
    data = path.read_bytes()
    if data[:4] != b"\x7fELF":
        return []
    wide, endian = data[4] == 2, "<" if data[5] == 1 else ">"
    if wide:
        shoff, = struct.unpack_from(endian + "Q", data, 0x28)
        shentsize, shnum = struct.unpack_from(endian + "HH", data, 0x3A)
        section, entry = endian + "IIQQQQIIQQ", endian + "qQ"
    else:
        shoff, = struct.unpack_from(endian + "I", data, 0x20)
        shentsize, shnum = struct.unpack_from(endian + "HH", data, 0x2E)
        section, entry = endian + "IIIIIIIIII", endian + "iI"
    sections = [struct.unpack_from(section, data, shoff + i * shentsize) for i in range(shnum)]
    names: list[str] = []
    for _, kind, _, _, offset, size, link, *_ in sections:
        if kind != 6:  # SHT_DYNAMIC
            continue
        strtab_offset = sections[link][4]
        for start in range(offset, offset + size, struct.calcsize(entry)):
            tag, value = struct.unpack_from(entry, data, start)
            if tag == 0:  # DT_NULL ends the table
                break
            if tag == 1:  # DT_NEEDED: an offset into the string table
                end = data.index(b"\0", strtab_offset + value)
                names.append(data[strtab_offset + value:end].decode("ascii", "replace"))
    return names


def load_error(soname: str) -> str | None:
    """Why the dynamic loader cannot load a library (the soname it could not find), or None when it loads."""
    try:
        ctypes.CDLL(soname, mode=os.RTLD_LAZY)
    except OSError as exc:
        missing = re.match(r"([^:\s]+\.so[^:\s]*)", str(exc))
        return missing.group(1) if missing else soname
    return None


def missing_libraries(plugin: Path, qt_lib_dir: Path,
                      load_error: Callable[[str], str | None] = load_error) -> list[str]:
    """System libraries the plugin (and Qt's own libraries it links) need but the loader cannot find."""
    bundled = {p.name for p in qt_lib_dir.iterdir()} if qt_lib_dir.is_dir() else set()
    to_read, seen, missing = [plugin], set(), []
    while to_read:
        for soname in needed_libraries(to_read.pop()):
            if soname in seen:
                continue
            seen.add(soname)
            if soname in bundled:
                to_read.append(qt_lib_dir / soname)  # Qt's own: its system dependencies count too
            elif (culprit := load_error(soname)) and culprit not in missing:
                missing.append(culprit)
    return missing


def display_problem(plugin: str, env: Mapping[str, str], can_connect: Callable[[str], bool]) -> str | None:
    """Why the chosen platform has no display to draw on, or None."""
    if plugin in HEADLESS_PLATFORMS:
        return None
    if plugin == "wayland":
        name = env.get("WAYLAND_DISPLAY", "")
        socket_path = name if name.startswith("/") else os.path.join(env.get("XDG_RUNTIME_DIR", ""), name)
        if not name or not can_connect(socket_path):
            return f"cannot reach the Wayland display {name!r}; {HEADLESS_HINT}"
        return None
    display = env.get("DISPLAY", "")
    if not display:
        return ("no display: DISPLAY is not set (start nnstudio inside a desktop session, or set "
                f"QT_QPA_PLATFORM=offscreen); {HEADLESS_HINT}")
    if not can_connect(x11_address(display)):
        return f"cannot reach the X display {display!r}; {HEADLESS_HINT}"
    return None


def x11_address(display: str) -> str:
    """The socket behind a DISPLAY value: a path for ':0', 'host:port' for 'host:0'."""
    host, _, rest = display.rpartition(":")
    number = rest.split(".")[0] or "0"
    if host in ("", "unix") or host.startswith("/"):
        return host if host.startswith("/") else f"/tmp/.X11-unix/X{number}"
    return f"{host}:{6000 + int(number) if number.isdigit() else 6000}"


def can_connect(address: str) -> bool:
    """Whether a Unix socket path or a 'host:port' accepts a connection within a second."""
    try:
        if address.startswith("/"):
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(1.0)
                sock.connect(address)
        else:
            host, _, port = address.rpartition(":")
            socket.create_connection((host, int(port)), timeout=1.0).close()
    except (OSError, ValueError):
        return False
    return True


def install_line(missing: Iterable[str]) -> str:
    """One sentence naming the missing libraries and the command that installs them."""
    missing = list(missing)
    packages = " ".join(dict.fromkeys(debian_package(name) for name in missing))
    return (f"Qt's platform plugin cannot load {', '.join(missing)}; on Debian/Ubuntu install them with: "
            f"sudo apt-get install {packages}")


def qt_paths() -> tuple[Path, Path] | None:
    """PySide6's platform-plugin folder and Qt library folder, found without importing Qt."""
    import importlib.util

    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    qt = Path(next(iter(spec.submodule_search_locations))) / "Qt"
    return qt / "plugins" / "platforms", qt / "lib"


def startup_problem(env: Mapping[str, str] | None = None, system: str = sys.platform,
                    can_connect: Callable[[str], bool] = can_connect,
                    load_error: Callable[[str], str | None] = load_error,
                    paths: tuple[Path, Path] | None = None) -> str | None:
    """What stops the window from opening on this machine, in one line; None when nothing does (or not Linux)."""
    if not system.startswith("linux"):
        return None
    env = os.environ if env is None else env
    plugin = platform_plugin(env)
    problem = display_problem(plugin, env, can_connect)
    if problem:
        return problem
    paths = paths or qt_paths()
    if paths is None:
        return None  # no PySide6: the import error that follows says so plainly
    plugin_file = paths[0] / f"libq{plugin}.so"
    if not plugin_file.is_file():
        return None  # an unknown or custom plugin: let Qt speak for it
    missing = missing_libraries(plugin_file, paths[1], load_error)
    return install_line(missing) if missing else None
