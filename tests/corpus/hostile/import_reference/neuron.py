"""Hostile: reaches for the reference solution and the grader's own code.

The test writes the repository root into ROOT (the module does not find it
from its own __file__, which is a temporary copy).  Every way that works
is reported on standard output as "FOUND <how>", and the first reference
found is used to answer; with nothing found every function answers wrongly
(0.0), so reaching the reference is what would earn points here.
"""

import importlib
import os
import sys

ROOT = "@ROOT@"
FOUND = []
_reference = None


def _try(how, action):
    global _reference
    try:
        result = action()
    except BaseException as exc:  # ImportError, OSError, PermissionError ...
        print(f"hidden {how}: {type(exc).__name__}")
        return
    if result:
        FOUND.append(how)
        print(f"FOUND {how}")
        if _reference is None and hasattr(result, "train"):
            _reference = result


def _import_solutions():
    sys.path.insert(0, ROOT)
    sys.modules.pop("solutions", None)
    importlib.invalidate_caches()
    return importlib.import_module("solutions.calculus.neuron")


def _import_curriculum():
    sys.path.insert(0, ROOT)
    importlib.invalidate_caches()
    return importlib.import_module("autograder.course.calculus.neuron")


class _Namespace:
    def __init__(self, names):
        self.__dict__.update(names)


def _load_file():
    path = os.path.join(ROOT, "solutions", "calculus", "neuron.py")
    with open(path, encoding="utf-8") as fh:
        names = {"__name__": "stolen_neuron"}
        exec(compile(fh.read(), path, "exec"), names)
    return _Namespace(names)


def _read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as fh:
        return "def " in fh.read()


def _listdir(path):
    return [n for n in os.listdir(os.path.join(ROOT, path)) if n.endswith(".py")]


_try("import solutions.calculus.neuron", _import_solutions)
_try("import autograder.course.calculus.neuron", _import_curriculum)
_try("exec solutions/calculus/neuron.py", _load_file)
_try("read solutions/calculus/neuron.py", lambda: _read("solutions/calculus/neuron.py"))
_try("read autograder/course/calculus/neuron.py", lambda: _read("autograder/course/calculus/neuron.py"))
_try("read autograder/sandbox/worker.py", lambda: _read("autograder/sandbox/worker.py"))
_try("list solutions/", lambda: _listdir("solutions"))
_try("list autograder/", lambda: _listdir("autograder"))
print("FOUND NOTHING" if not FOUND else "FOUND SOMETHING")

X = [0.5, 2.5]
Y = [0.2, 0.9]


def sigmoid(z):
    return _reference.sigmoid(z) if _reference else 0.0


def predict(w, b, x):
    return _reference.predict(w, b, x) if _reference else 0.0


def loss(w, b, xs, ys):
    return _reference.loss(w, b, xs, ys) if _reference else 0.0


def gradients(w, b, xs, ys):
    return _reference.gradients(w, b, xs, ys) if _reference else (0.0, 0.0)


def train(w, b, xs, ys, learning_rate, epochs):
    return _reference.train(w, b, xs, ys, learning_rate, epochs) if _reference else (0.0, 0.0)
