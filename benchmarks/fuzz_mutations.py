"""Hostile mutations of valid files for fuzz_files.py: huge integers, deep nesting, huge strings and sizes.

Every mutator takes a ``random.Random`` and returns bytes (the file to try).
Project and import documents are mutated as JSON values (a few random paths
replaced, deleted, duplicated or resized), then sometimes damaged as bytes.
The JSON is written with ``ensure_ascii`` so lone surrogates survive as
``\\ud800`` escapes, and big integers as their full digits.
"""

from __future__ import annotations

import copy
import io
import json
import random
import re
import zipfile
from typing import Any

import numpy as np

HUGE_INT = 10**400
DEEP = "@@deep-nesting@@"


def _hostile_value(rng: random.Random) -> Any:
    """One value of the kinds that broke nnstudio before issue 12."""
    choice = rng.randrange(22)
    if choice == 0:
        return rng.choice([HUGE_INT, -HUGE_INT, 10**309, 2**64, 2**63, 2**31, -(2**63)])
    if choice == 1:
        return rng.choice([1e308, -1e308, 5e-324, -0.0, 1.7976931348623157e308])
    if choice == 2:
        return "x" * rng.choice([257, 10_000, 100_000, 2_000_000])
    if choice == 3:
        return rng.choice(["\ud800", "a\udfffb", "\x00", "nul\x00name", "*/", "\u202e", "\n\r", "??/"])
    if choice == 4:  # deep nesting: spliced into the JSON text by to_bytes (json.dumps itself would recurse)
        return f"{DEEP}{rng.choice([65, 200, 900, 5000, 100_000])}"
    if choice == 5:
        return [0.0] * rng.choice([10_000, 200_000])
    if choice == 6:
        return {str(i): i for i in range(rng.choice([100, 20_000]))}
    if choice == 7:
        return rng.choice([100_000, 20_000, 100_001, 10**9, 0, -1])
    if choice == 8:
        return [[HUGE_INT]]
    if choice == 9:
        return rng.choice([None, True, False, [], {}, ""])
    if choice == 10:
        return rng.random() * 10 ** rng.randint(-5, 300)
    if choice == 11:
        return -rng.randint(1, 10**6)
    if choice == 12:
        return {"kind": "step", "every": rng.choice([1, 0, HUGE_INT]), "factor": rng.choice([1e300, 10.0, -1, 0.5])}
    if choice == 13:
        return [[rng.random() for _ in range(rng.randint(0, 4))] for _ in range(rng.randint(0, 4))]
    if choice == 14:
        return rng.choice(["softmax", "relu", "identity", "step", "leaky-relu", "sigmoid", ["sigmoid"]])
    if choice == 15:
        return rng.choice(["L1", "L2", "L3", "L1->L2", "input", "output", "hidden"])
    if choice == 16:
        return rng.randint(-3, 10)
    if choice == 17:
        return rng.random()
    if choice == 18:
        return [rng.choice([1e308, HUGE_INT, 1.5, None]) for _ in range(3)]
    if choice == 19:
        return "A" * rng.choice([4, 8, 100, 4 * 10**6])  # base64-ish
    if choice == 20:
        return 2 ** rng.randint(31, 70)
    return rng.choice([0.5, 1, 2, 3, 1e6, 0.999, 1.0])


def _paths(node: Any, prefix: tuple = (), depth: int = 8) -> list[tuple]:
    """Key/index paths inside a document (long lists are sampled by their first and last items)."""
    out = [prefix] if prefix else []
    if depth == 0:
        return out
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k), depth - 1)
    elif isinstance(node, list) and node:
        for i in sorted({0, len(node) - 1, min(1, len(node) - 1)}):
            out += _paths(node[i], (*prefix, i), depth - 1)
    return out


def _parent(doc: Any, path: tuple) -> Any:
    for key in path[:-1]:
        doc = doc[key]
    return doc


def _nearby_value(old: Any, rng: random.Random) -> Any:
    """A value of the same kind as ``old``: files that still load reach the paths after the loader."""
    if isinstance(old, bool):
        return not old
    if isinstance(old, int):
        return rng.choice([old + 1, old - 1, old * 2, 0, 1, 2, 3])
    if isinstance(old, float):
        return old * rng.choice([0.5, 2.0, -1.0, 10.0, 0.0])
    if isinstance(old, str):
        return rng.choice([old + " 2", old.upper(), "", "L1", "L2", "Hidden", "softmax", "identity", "relu"])
    if isinstance(old, list):
        return rng.sample(old, len(old)) if rng.random() < 0.5 else old[: rng.randint(0, len(old))]
    return old


def mutate_value(doc: Any, rng: random.Random) -> Any:
    """A deep copy of ``doc`` with 1–3 random paths changed: to hostile values, or to nearby ones."""
    doc = copy.deepcopy(doc)
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        paths = _paths(doc)
        if not paths:
            break
        path = rng.choice(paths)
        parent, key = _parent(doc, path), path[-1]
        action = rng.randrange(10)
        if action == 0:
            del parent[key]
        elif action == 1 and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))  # duplicated: parallel connections, duplicate ids
        elif action == 2 and isinstance(parent[key], list):
            parent[key] = parent[key] * rng.choice([0, 2, 50])
        elif action < 6:
            parent[key] = _nearby_value(parent[key], rng)
        else:
            parent[key] = _hostile_value(rng)
    return doc


def _special(doc: dict, rng: random.Random) -> None:
    """Targeted changes the random paths rarely hit: parallel connections, duplicate ids, wide layers."""
    graph = doc.get("graph", {})
    layers, conns = graph.get("layers", []), graph.get("connections", [])
    choice = rng.randrange(8)
    if choice == 0 and conns:
        conns.append({**conns[0], "id": conns[0]["id"] + "-twin"})
    elif choice == 1 and len(layers) > 1:
        layers[1]["id"] = layers[0]["id"]
    elif choice == 2 and layers:
        for layer in layers:
            layer["size"] = rng.choice([20_000, 100_000, 3000])
        doc["weights"] = None
    elif choice == 3:
        doc["snapshots"] = mutate_value(doc.get("snapshots") or {"format": "nnstudio-snapshots"}, rng)
    elif choice == 4 and layers:
        rng.choice(layers)["name"] = _hostile_value(rng) if rng.random() < 0.3 else rng.choice(
            ["\ud800", "n\x00ul", "y" * 100_000, "*/ x /*", "\u202eevil"])
    elif choice == 5:
        doc.setdefault("history", {})["stride"] = rng.choice([10**30, 2**63, HUGE_INT])
    elif choice == 6:
        doc.setdefault("settings", {})["schedule"] = {"kind": "step", "every": 1, "factor": 1e300}
    elif choice == 7 and layers:
        rng.choice(layers)["activation"] = "softmax"


def to_bytes(doc: Any, rng: random.Random) -> bytes:
    """JSON text of ``doc``; sometimes truncated or with bytes inserted."""
    raw = json.dumps(doc, allow_nan=True).encode()
    while (at := raw.find(DEEP.encode())) >= 0:  # the whole string holding the marker becomes the nesting
        start, end = raw.rfind(b'"', 0, at), raw.index(b'"', at)
        depth = int(re.match(rb"\d*", raw[at + len(DEEP):]).group() or b"100")  # type: ignore[union-attr]
        raw = raw[:start] + b"[" * depth + b"0" + b"]" * depth + raw[end + 1:]
    damage = rng.randrange(20)
    if damage == 0:
        return raw[: rng.randrange(len(raw) + 1)]
    if damage == 1:
        at = rng.randrange(len(raw) + 1)
        return raw[:at] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 8))) + raw[at:]
    return raw


def mutate_project(doc: dict, rng: random.Random) -> bytes:
    doc = mutate_value(doc, rng) if rng.random() < 0.8 else copy.deepcopy(doc)
    if rng.random() < 0.5 and isinstance(doc, dict):
        try:
            _special(doc, rng)
        except (KeyError, TypeError, AttributeError, IndexError):
            pass  # the random mutation already broke the part this one changes
    return to_bytes(doc, rng)


def mutate_json_import(doc: dict, rng: random.Random) -> bytes:
    """A Synaptic.js, brain.js or weights JSON document, mutated."""
    doc = mutate_value(doc, rng)
    if rng.random() < 0.2 and isinstance(doc, dict) and "sizes" in doc:
        doc["sizes"] = [rng.choice([2, 100_000, 20_000]), rng.choice([1, 100_000])]
    if rng.random() < 0.2 and isinstance(doc, dict) and "neurons" in doc:
        doc["neurons"] = [{"layer": "input"}] * 20_000 + [{"layer": "output"}] * 20_000
    return to_bytes(doc, rng)


def _npy(array: np.ndarray, shape: tuple | None = None) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=False)
    data = buffer.getvalue()
    if shape is not None:  # a header that lies about the shape: the data stays small
        header = np.lib.format.header_data_from_array_1_0(array)
        header["shape"] = shape
        fake = io.BytesIO()
        np.lib.format.write_array_header_1_0(fake, header)
        data = fake.getvalue() + array.tobytes()
    return data


def mutate_npz(raw: bytes, rng: random.Random) -> bytes:
    """A weights ``.npz``: its meta JSON mutated, an array reshaped or lying about its size, or the zip damaged."""
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    choice = rng.randrange(5)
    if choice == 0:
        meta = json.loads(str(np.load(io.BytesIO(members["meta.npy"]))))
        members["meta.npy"] = _npy(np.array(json.dumps(mutate_value(meta, rng))))
    elif choice == 1:
        name = rng.choice([n for n in members if n != "meta.npy"])
        members[name] = _npy(np.zeros(2), shape=rng.choice([(10**6, 10**6), (2**40,), (100_000, 20_000)]))
    elif choice == 2:
        name = rng.choice([n for n in members if n != "meta.npy"])
        members[name] = _npy(rng.choice([np.zeros((7, 3)), np.array([np.inf]), np.array(["text"]),
                                         np.zeros(3, dtype=np.int8)]))
    elif choice == 3:
        members[f"W:{'z' * rng.choice([10, 60_000])}.npy"] = _npy(np.zeros(1))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    data = out.getvalue()
    if choice == 4:
        at = rng.randrange(len(data))
        data = data[:at] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 16))) + data[at + 8:]
    return data
