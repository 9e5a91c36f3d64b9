"""Every picture an exercise's lesson declares draws a real image, from the
reference solution's functions and from broken ones alike, and the
student's path lies on the reference's when their code is right."""

from __future__ import annotations

import importlib
import io

import numpy as np
import pytest

from autograder.course import ASSIGNMENTS

from conftest import ROOT

PICTURES = sorted({(a.name, e.module, picture.module, picture.draw, picture.arguments)
                   for a in ASSIGNMENTS.values() for e in a.exercises
                   for picture in [*e.lesson.pictures.values(), *e.lesson.on_failure.values()]})


def reference_functions(assignment: str, module: str) -> dict:
    namespace: dict = {}
    path = ROOT / "solutions" / assignment / f"{module}.py"
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
    return namespace


def pixels(png: bytes) -> np.ndarray:
    from matplotlib.image import imread
    assert png.startswith(b"\x89PNG")
    return imread(io.BytesIO(png), format="png")


def assert_drawn(png: bytes) -> None:
    """Not blank: a real image, with many colours, and drawn on: at least 2%
    of it differs from its background (its most common colour)."""
    image = pixels(png)
    assert image.shape[0] > 200 and image.shape[1] > 300, image.shape
    colours, counts = np.unique(image.reshape(-1, image.shape[-1]).round(2), axis=0,
                                return_counts=True)
    assert len(colours) > 50 and counts.max() < 0.98 * counts.sum()


@pytest.mark.parametrize("assignment, module, where, draw, arguments", PICTURES,
                         ids=[f"{p[1]}-{p[3]}-{len(p[4])}" for p in PICTURES])
def test_each_declared_picture_draws_from_the_reference_and_from_broken_code(
        assignment, module, where, draw, arguments):
    show = getattr(importlib.import_module(where), draw)
    reference = reference_functions(assignment, module)
    plot = show(*(reference[name] for name in arguments))
    assert_drawn(plot.png())

    def stub(*args):
        raise NotImplementedError()
    broken = show(*(stub for _ in arguments))
    assert_drawn(broken.png())
    if where == "autograder.course.optimizer_plots":       # each function that could not draw is named
        title = broken.figure.axes[0].get_title()
        assert all(f"your {name}: not written yet" in title for name in arguments), title


def lines(plot) -> dict:
    return {line.get_label(): line for line in plot.figure.axes[0].lines}


def path_of(plot, prefix: str):
    (line,) = [l for label, l in lines(plot).items() if label.startswith(prefix)]
    return np.column_stack([line.get_xdata(), line.get_ydata()])


def test_a_right_optimiser_walks_the_reference_path_and_a_wrong_one_does_not():
    from autograder.course import optimizer_plots
    momentum = reference_functions("optimizers", "momentum")
    plot = optimizer_plots.show_flat_start(momentum["momentum_descent"],
                                           momentum["nesterov_descent"])
    for mine, theirs in (("your momentum_descent", "momentum"),
                         ("your nesterov_descent", "Nesterov")):
        assert path_of(plot, mine) == pytest.approx(path_of(plot, theirs), abs=1e-9)
    # The lesson's numbers: after 100 epochs from (-2, -2).
    labels = set(lines(plot))
    assert {"gradient descent, η = 1: loss 0.018", "momentum, β = 0.9: loss 0.014",
            "Nesterov, β = 0.9: loss 8.5e-06"} <= labels

    def moving_average(grad, x0, learning_rate, beta, steps):
        x, v, xs = np.array(x0, dtype=float), 0.0, [np.array(x0, dtype=float)]
        for _ in range(steps):
            v = beta * v + (1 - beta) * grad(x)
            x = x - learning_rate * v
            xs.append(x)
        return xs
    wrong = optimizer_plots.show_flat_start(moving_average)
    assert path_of(wrong, "your momentum_descent")[-1] != pytest.approx(
        path_of(wrong, "momentum")[-1], abs=1e-3)


def test_the_narrow_bowl_shows_what_the_lesson_says():
    from autograder.course import optimizer_plots
    plot = optimizer_plots.show_narrow_bowl()
    ends = {label.split(":")[0]: line.get_xydata()[-1] for label, line in lines(plot).items()
            if not label.startswith("_")}
    assert ends["gradient descent"] == pytest.approx((-0.943, 0.0), abs=1e-3)
    assert ends["AdaGrad"] == pytest.approx((-2.38, -0.16), abs=1e-2)
    assert ends["RMSProp, β = 0.9"] == pytest.approx((-0.0106, 0.0), abs=1e-3)
