"""Hostile: recovers the reference solution from the repository's git
objects (ROOT/.git is not among the folders the sandbox hides).

The test writes the repository root into ROOT.  Loose objects are zlib
streams; packs are scanned for zlib streams too (bounded: packs up to
64 MiB).  A blob holding the neuron reference (it has "def train" and the
solution markers) is executed and its functions answer; with nothing found
every function answers 0.0.  Prints "FOUND git" when it found one.
"""

import os
import zlib

ROOT = "@ROOT@"
_NEEDLES = (b"def train(", b"BEGIN SOLUTION", b"def gradients(")


def _blobs():
    objects = os.path.join(ROOT, ".git", "objects")
    for sub in sorted(os.listdir(objects)):
        folder = os.path.join(objects, sub)
        if len(sub) == 2 and os.path.isdir(folder):
            for name in os.listdir(folder):
                with open(os.path.join(folder, name), "rb") as fh:
                    try:
                        yield zlib.decompress(fh.read())
                    except zlib.error:
                        pass
    packs = os.path.join(objects, "pack")
    for name in sorted(os.listdir(packs)) if os.path.isdir(packs) else []:
        path = os.path.join(packs, name)
        if not name.endswith(".pack") or os.path.getsize(path) > 64 * 1024 * 1024:
            continue
        with open(path, "rb") as fh:
            data = fh.read()
        view, start = memoryview(data), 0
        while True:
            i = data.find(b"x", start)      # 0x78 0x9c: how a zlib stream starts
            if i < 0:
                break
            start = i + 1
            if data[i + 1:i + 2] not in (b"\x01", b"\x5e", b"\x9c", b"\xda"):
                continue
            try:
                yield zlib.decompressobj().decompress(view[i:i + (1 << 16)])
            except zlib.error:
                pass


def _steal():
    for blob in _blobs():
        if b"\0" in blob[:40]:
            blob = blob.split(b"\0", 1)[1]          # loose object: "blob <size>\0"
        if all(n in blob for n in _NEEDLES) and b"def sigmoid(" in blob:
            namespace = {}
            exec(compile(blob.decode("utf-8"), "stolen", "exec"), namespace)
            return namespace
    return None


try:
    _reference = _steal()
except OSError as exc:
    _reference = None
    print(f"hidden git: {type(exc).__name__}")
print("FOUND git" if _reference else "FOUND NOTHING")

X = [0.5, 2.5]
Y = [0.2, 0.9]


def sigmoid(z):
    return _reference["sigmoid"](z) if _reference else 0.0


def predict(w, b, x):
    return _reference["predict"](w, b, x) if _reference else 0.0


def loss(w, b, xs, ys):
    return _reference["loss"](w, b, xs, ys) if _reference else 0.0


def gradients(w, b, xs, ys):
    return _reference["gradients"](w, b, xs, ys) if _reference else (0.0, 0.0)


def train(w, b, xs, ys, learning_rate, epochs):
    return _reference["train"](w, b, xs, ys, learning_rate, epochs) if _reference else (0.0, 0.0)
