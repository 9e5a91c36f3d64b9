"""The grader's reference maths, written for speed, computes exactly what
its plain form computes: every float the same, bit for bit (a grade rests on
them, and verdicts.json records the grades)."""
from __future__ import annotations

import math
import random

import pytest

from autograder.course.calculus import neuron


def test_neuron_gradients_are_sympys_bit_for_bit():
    """neuron.gradients shares exp(−b − w·x) between sympy's two printed
    derivatives; summed, they must equal sympy's lambdified functions' to
    the last bit, at the inputs the cases draw and far beyond them."""
    dw, db = neuron._point_gradient()
    rng = random.Random(20260)
    points = [(-2.0, -2.0, neuron.X, neuron.Y)]
    for _ in range(3000):
        n = rng.randint(1, 7)
        scale = rng.choice((1.0, 5.0, 15.0, 30.0))
        points.append((rng.uniform(-scale, scale), rng.uniform(-scale, scale),
                       [rng.uniform(-scale, scale) for _ in range(n)],
                       [rng.uniform(0, 1) for _ in range(n)]))
    points.append((3, -1, [1, 2], [0, 1]))           # ints, as a probe may pass them
    overflowed = 0
    for w, b, xs, ys in points:
        try:
            want = [math.fsum(dw(w, b, x, y) for x, y in zip(xs, ys)),
                    math.fsum(db(w, b, x, y) for x, y in zip(xs, ys))]
        except OverflowError:
            overflowed += 1
            with pytest.raises(OverflowError):
                neuron.gradients(w, b, xs, ys)
            continue
        got = neuron.gradients(w, b, xs, ys)
        assert [x.hex() for x in map(float, got)] == [x.hex() for x in map(float, want)], \
            (w, b, xs, ys)
        assert [type(g) for g in got] == [type(g) for g in want]
    assert 0 < overflowed < len(points) // 4     # both ways were tried


def test_neuron_gradients_overflow_as_sympys_do():
    """Where exp(−b − w·x) overflows, both raise the same error."""
    dw, _ = neuron._point_gradient()
    errors = []
    for fn in (lambda: dw(-1000.0, 0.0, 1.0, 0.5),
               lambda: neuron.gradients(-1000.0, 0.0, [1.0], [0.5])):
        try:
            fn()
        except Exception as exc:       # noqa: BLE001 - the type is what is compared
            errors.append(type(exc))
    assert errors == [OverflowError, OverflowError]
