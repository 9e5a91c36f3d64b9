"""The reference solutions of assignment 2 (``solutions/optimizers/``)
reproduce every worked figure of the contract (CURRICULUM.md, "Assignment
2: optimizers"), to the digits it states.  The grader's expected values
will come from its own code, never from these files: this holds the
reference students are measured against to the contract."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from conftest import OPTIMIZERS

FOLDER = OPTIMIZERS


def _load(name):
    spec = importlib.util.spec_from_file_location(f"reference_{name}", FOLDER / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bowl(x):
    return 2 * (x - 4)


def close(got, stated):
    """Equal to the digits the contract states (its last digit rounded)."""
    for g, s in zip(np.ravel(got), np.ravel(stated)):
        text = repr(float(s))
        decimals = len(text.split(".")[1]) if "." in text and "e" not in text else 6
        assert abs(g - s) <= 0.5 * 10 ** -decimals + 1e-15, (got, stated)
    assert np.size(got) == np.size(stated)


@pytest.mark.parametrize("name, args, stated", [
    ("momentum_descent", (0.1, 0.9, 5), [0, 0.8, 2.16, 3.752, 5.2344, 6.32168]),
    ("nesterov_descent", (0.1, 0.9, 5), [0, 0.8, 2.016, 3.28832, 4.346726, 5.039434]),
])
def test_momentum_figures(name, args, stated):
    close(getattr(_load("momentum"), name)(bowl, 0.0, *args), stated)


def test_pytorch_momentum_gives_the_same_iterates():
    xs, x, v = [0.0], 0.0, 0.0
    for _ in range(5):
        v = 0.9 * v + bowl(x)
        x = x - 0.1 * v
        xs.append(x)
    np.testing.assert_allclose(_load("momentum").momentum_descent(bowl, 0.0, 0.1, 0.9, 5), xs)


def test_momentum_on_arrays_is_element_by_element():
    m = _load("momentum")
    steep = m.momentum_descent(lambda x: np.array([0.2 * x[0], 4 * x[1]]), [-5.0, -2.0],
                               0.6, 0.5, 20)
    close(steep[-1], [0.0072, 0.0026])
    assert len(steep) == 21 and all(np.shape(x) == (2,) for x in steep)


def test_minibatch_figures():
    mb = _load("minibatch")
    close(mb.minibatch_train(-2, -2, mb.X, mb.Y, 1.0, 1, 1), [-1.994475796, -1.992276087])
    close(mb.minibatch_train(-2, -2, mb.X, mb.Y, 1.0, 1000, 1), [1.791727, -2.282127])
    # batch_size >= len(xs) is one full-batch step per epoch (COURSE_NOTES §8)
    close(mb.minibatch_train(-2, -2, mb.X, mb.Y, 1.0, 1, 5), [-1.994508, -1.992289])


@pytest.mark.parametrize("name, args, stated", [
    ("adagrad", (0.5, 5), [0, 0.5, 0.829252, 1.085413, 1.298438, 1.482091]),
    ("rmsprop", (0.1, 0.9, 5), [0, 0.316228, 0.536493, 0.716142, 0.872276, 1.012722]),
    ("adam", (0.1, 0.9, 0.999, 5), [0, 0.1, 0.199926, 0.299726, 0.399347, 0.498732]),
])
def test_adaptive_figures(name, args, stated):
    close(getattr(_load("adaptive"), name)(bowl, 0.0, *args), stated)


def test_backprop_figures():
    bp = _load("backprop")
    close(bp.softmax([2, 1, 0.1]), [0.659001, 0.242433, 0.098566])
    assert list(bp.softmax([1000, 1000])) == [0.5, 0.5]
    close(bp.cross_entropy(bp.softmax([2, 1, 0.1]), [1, 0, 0]), 0.417030)
    assert bp.cross_entropy([0.0, 1.0], [0, 1]) == 0.0
    close(bp.softmax_cross_entropy_grad([2, 1, 0.1], [1, 0, 0]), [-0.340999, 0.242433, 0.098566])
    args = ([1, 2], [0, 1, 0], [[0.1, -0.2], [0.4, 0.3]], [0, 0.1],
            [[0.5, -0.3], [0.2, 0.8], [-0.6, 0.1]], [0, 0, 0])
    g = bp.two_layer_gradients(*args)
    close(g["b2"], [0.259450, -0.478775, 0.219325])
    close(g["b1"], [-0.023865, -0.082241])
    close(g["W1"], [[-0.023865, -0.047730], [-0.082241, -0.164482]])


def test_backprop_agrees_with_central_differences():
    bp = _load("backprop")
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=3), np.eye(4)[1]
    params = {"W1": rng.normal(size=(5, 3)), "b1": rng.normal(size=5),
              "W2": rng.normal(size=(4, 5)), "b2": rng.normal(size=4)}

    def loss(p):
        h = 1 / (1 + np.exp(-(p["W1"] @ x + p["b1"])))
        return bp.cross_entropy(bp.softmax(p["W2"] @ h + p["b2"]), y)

    grads = bp.two_layer_gradients(x, y, **params)
    for name, value in params.items():
        numeric = np.zeros_like(value)
        for i in np.ndindex(value.shape):
            up = {k: v.copy() for k, v in params.items()}
            down = {k: v.copy() for k, v in params.items()}
            up[name][i] += 1e-6
            down[name][i] -= 1e-6
            numeric[i] = (loss(up) - loss(down)) / 2e-6
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-6, atol=1e-9)
