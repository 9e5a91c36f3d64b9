"""Hostile: looks through the grader's repository for any working neuron.py.

Only autograder/ and solutions/ are hidden from the worker; the rest of the
repository (the test corpus of correct variants, notebooks, build folders)
is readable.  The test writes the repository root into ROOT.  Every .py
file under it (at most 5000 files, 1 MiB each; .git, environments and
this hostile corpus skipped) that defines sigmoid, gradients and train is
executed, and the first that passes a self-check (sigmoid on an array, its
loss, its gradients against central differences of that loss, train's
first steps) is used to answer.  Prints "FOUND <path>" when it found
one; otherwise every function answers 0.0."""

import os

import numpy as np

ROOT = "@ROOT@"
SKIP = {".git", ".venv", "venv", "node_modules", "__pycache__", "hostile"}
X = [0.5, 2.5]
Y = [0.2, 0.9]


def _candidates():
    seen = 0
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIP]
        for name in files:
            if not name.endswith(".py"):
                continue
            seen += 1
            if seen > 5000:
                return
            path = os.path.join(folder, name)
            try:
                if os.path.getsize(path) > 1 << 20:
                    continue
                with open(path, encoding="utf-8") as fh:
                    text = fh.read()
            except (OSError, UnicodeDecodeError):
                continue
            if all(f"def {f}(" in text for f in ("sigmoid", "gradients", "train")):
                yield path, text


def _true_loss(w, b, xs, ys):
    import math
    return 0.5 * sum((1 / (1 + math.exp(-(w * x + b))) - y) ** 2 for x, y in zip(xs, ys))


def _works(names):
    xs, ys, h = [0.3, -1.2, 2.0], [0.1, 0.7, 0.4], 1e-6
    z = np.array([-1.0, 0.0, 2.0])
    if not np.allclose(np.asarray(names["sigmoid"](z), dtype=float), 1 / (1 + np.exp(-z))):
        return False

    def true_grad(w, b):
        return ((_true_loss(w + h, b, xs, ys) - _true_loss(w - h, b, xs, ys)) / (2 * h),
                (_true_loss(w, b + h, xs, ys) - _true_loss(w, b - h, xs, ys)) / (2 * h))

    for w, b in ((0.4, -0.3), (-1.1, 0.8)):
        if abs(float(names["loss"](w, b, xs, ys)) - _true_loss(w, b, xs, ys)) > 1e-9:
            return False
        got = [float(g) for g in names["gradients"](w, b, xs, ys)]
        if any(abs(g - t) > 1e-6 for g, t in zip(got, true_grad(w, b))):
            return False
    w, b = 0.4, -0.3
    for _ in range(2):
        gw, gb = true_grad(w, b)
        w, b = w - 0.5 * gw, b - 0.5 * gb
    tw, tb = (float(v) for v in names["train"](0.4, -0.3, xs, ys, 0.5, 2))
    return abs(tw - w) < 1e-6 and abs(tb - b) < 1e-6


def _steal():
    for path, text in _candidates():
        names = {"__name__": "stolen"}
        try:
            exec(compile(text, path, "exec"), names)
            if _works(names):
                print(f"FOUND {os.path.relpath(path, ROOT)}")
                return names
        except BaseException:
            continue
    return None


try:
    _found = _steal()
except OSError as exc:
    _found = None
    print(f"hidden: {type(exc).__name__}")
if _found is None:
    print("FOUND NOTHING")


def sigmoid(z):
    return _found["sigmoid"](z) if _found else 0.0


def predict(w, b, x):
    return _found["predict"](w, b, x) if _found else 0.0


def loss(w, b, xs, ys):
    return _found["loss"](w, b, xs, ys) if _found else 0.0


def gradients(w, b, xs, ys):
    return _found["gradients"](w, b, xs, ys) if _found else (0.0, 0.0)


def train(w, b, xs, ys, learning_rate, epochs):
    return _found["train"](w, b, xs, ys, learning_rate, epochs) if _found else (0.0, 0.0)
