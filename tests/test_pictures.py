"""Every picture an exercise's lesson declares draws a real image, from the
reference solution's functions and from broken ones alike, and the
student's path lies on the reference's when their code is right."""

from __future__ import annotations

import importlib
import io
import re

import numpy as np
import pytest

from autograder.course import ASSIGNMENTS

from conftest import CORPUS, ROOT, SEED


def to_rgb(name: str):
    from matplotlib.colors import to_rgb as rgb
    return rgb(name)

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
    # Each pixel's channels rounded to two decimals, as one integer (base
    # 101, one digit a channel): the same colours as rows of rounded
    # floats, counted by a sort of plain integers instead of one of rows.
    digits = np.rint(image.reshape(-1, image.shape[-1]) * 100).astype(np.int64)
    packed = digits @ (101 ** np.arange(digits.shape[1], dtype=np.int64))
    colours, counts = np.unique(packed, return_counts=True)
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


# ------------------------------------------------ the pictures issue 13 asked for

def corpus_functions(path) -> dict:
    namespace: dict = {}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
    return namespace


def test_the_functions_handed_to_students_cross_as_their_own_trees():
    """quadratic_grad and f go to the sandbox as trees: the trees compute
    the course's own functions."""
    from autograder.course import plots
    from autograder.course.calculus import derivatives, gradient_descent
    from autograder.engine.expressions import evaluator
    for given, function in ((plots.QUADRATIC_GRAD, gradient_descent.quadratic_grad),
                            (plots.F, derivatives.f)):
        tree = evaluator(given.tree)
        for x in (-3.5, 0.0, 0.25, 2.0, 7.0):
            assert tree(x) == pytest.approx(function(x), rel=1e-12, abs=1e-12)
            assert given(x) == function(x)


def test_the_learning_rate_picture_keeps_the_converging_rates_in_view():
    """η = 1.1 grows like 1.2^t: its line leaves the frame, marked, instead
    of squashing the other four; every converging walk is whole in view."""
    from autograder.course import plots
    gd = reference_functions("calculus", "gradient_descent")["gradient_descent"]
    plot = plots.show_learning_rates(gd)
    assert_drawn(plot.png())
    ax = plot.figure.axes[0]
    lo, hi = ax.get_ylim()
    assert -6 < lo < 4 < 10 < hi < 14           # the frame of x0 = 10 and the bowl at 4
    walks = {label: line for label, line in lines(plot).items() if label.startswith("η")}
    assert len(walks) == 5
    for label, line in walks.items():
        if "diverges" in label:
            assert "leaves the frame at t = 2" in label and "|x_20 − 4| = 2.3e+02" in label
            assert len(line.get_ydata()) == 2
        else:
            assert len(line.get_ydata()) == 21 and "leaves" not in label
    assert "your gradient_descent" in ax.get_title()
    # A wrong gradient_descent (one step too many) cannot be drawn: the
    # picture says the reference is drawn, and why.
    wrong = corpus_functions(CORPUS / "misconceptions" / "gd-extra-step" / "gradient_descent.py")
    title = plots.show_learning_rates(wrong["gradient_descent"]).figure.axes[0].get_title()
    assert "drawn with the reference" in title and "did not return 21 numbers" in title


def test_the_training_picture_says_what_the_check_says(grade, submission):
    """Batches of two on two points are the full batch: the lesson's run ends
    on the reference point, yet the check fails. The picture's cases panel
    has exactly the check's failed cases, and it says the run misleads."""
    from autograder.course import plots
    wrong_file = CORPUS / "wrong" / "train-batches-of-two-counter" / "neuron.py"
    train = corpus_functions(wrong_file)["train"]
    plot = plots.show_training(train, seed=SEED)
    assert_drawn(plot.png())
    surface_ax, cases_ax = plot.figure.axes[0], plot.figure.axes[1]
    mine, reference = path_of(plot, "your train"), path_of(plot, "reference path")
    assert mine[-1] == pytest.approx(reference[-1], abs=1e-6)
    result = grade(submission({"neuron": wrong_file}), only=("neuron",))
    check = next(c for c in result.checks() if c.function == "train")
    failed, total = map(int, re.search(r"wrong in (\d+) of (\d+) cases",
                                       check.verdict.feedback.summary).groups())
    bars = [p for p in cases_ax.patches]
    assert len(bars) == total
    red = [b for b in bars if b.get_facecolor()[:3] == pytest.approx(to_rgb("tab:red"))]
    assert len(red) == failed
    assert f"{total - failed} of {total} right" in cases_ax.get_title()
    assert any(f"but {failed} of the check's cases do not" in t.get_text()
               for t in surface_ax.texts)
    # The reference: every case right, no warning.
    right = plots.show_training(reference_functions("calculus", "neuron")["train"], seed=SEED)
    assert f"{total} of {total} right" in right.figure.axes[1].get_title()
    assert not right.figure.axes[0].texts


def test_the_secant_picture_tells_the_central_difference_from_a_one_sided_one():
    from autograder.course import plots
    from autograder.course.calculus import derivatives
    reference = reference_functions("calculus", "derivatives")
    plot = plots.show_secant(reference["df"], reference["numerical_derivative"])
    assert_drawn(plot.png())
    left, right = plot.figure.axes[0], plot.figure.axes[1]
    labels = {l.get_label(): l for l in left.lines}
    assert "your df(2) = 29" in labels and "tangent: slope f′(2) = 29" in labels
    slopes = [float(l.split("slope ")[1]) for l in labels if l.startswith("secant")]
    assert slopes == sorted(slopes, reverse=True) and all(s > 29 for s in slopes)
    assert slopes[-1] - 29 < 0.1 * (slopes[0] - 29)          # the secants close in

    def errors(ax, prefix):
        (line,) = [l for l in ax.lines if l.get_label().startswith(prefix)]
        return np.asarray(line.get_ydata())
    assert errors(right, "your") == pytest.approx(errors(right, "central"), rel=1e-3, abs=1e-9)
    forward = corpus_functions(CORPUS / "misconceptions" / "nd-forward-difference" /
                               "derivatives.py")
    wrong = plots.show_secant(forward["df"], forward["numerical_derivative"]).figure.axes[1]
    assert errors(wrong, "your") == pytest.approx(errors(wrong, "one-sided"), rel=1e-6)
    # The one-sided error shrinks like h, the central one like h².
    hs = np.array(plots.STEPS_H)
    assert np.polyfit(np.log(hs), np.log(errors(wrong, "one-sided")), 1)[0] == \
        pytest.approx(1, abs=0.05)
    assert np.polyfit(np.log(hs), np.log(errors(wrong, "central")), 1)[0] == \
        pytest.approx(2, abs=0.05)
    assert derivatives.f_prime(2.0) == 29


def test_the_weight_sweep_picture_shows_each_rate_from_the_same_weights():
    from autograder.course import plots
    from autograder.course.calculus import weight_updates
    reference = reference_functions("calculus", "weight_updates")["sweep_learning_rates"]
    plot = plots.show_weight_sweep(reference)
    assert_drawn(plot.png())
    weights, gradients, _ = weight_updates.EXAMPLE
    ax = plot.figure.axes[0]
    mine = [l for l in ax.lines if l.get_marker() == "x"]      # the student's crosses
    assert len(mine) == len(weights)
    for i, line in enumerate(mine):
        want = [weights[i] - r * gradients[i] for r in plots.SWEEP_RATES]
        assert list(line.get_ydata()) == pytest.approx(want, rel=1e-12)
    one_rate = corpus_functions(CORPUS / "misconceptions" / "sweep-one-rate" /
                                "weight_updates.py")["sweep_learning_rates"]
    wrong = plots.show_weight_sweep(one_rate).figure.axes[0]
    crosses = [l for l in wrong.lines if l.get_marker() == "x"]
    assert any(list(c.get_ydata()) != pytest.approx(
        [weights[i] - r * gradients[i] for r in plots.SWEEP_RATES], rel=1e-9)
        for i, c in enumerate(crosses))


def test_the_notebooks_failure_picture_shows_the_cases_of_the_check_it_follows(monkeypatch):
    """check("train") in a notebook draws show_training beside the feedback:
    its panel of cases must be the check's own, for the seed the check was
    graded with (not seed 0), as on the grade --html page."""
    from types import SimpleNamespace

    from autograder.channels import notebook
    from autograder.course import CALCULUS
    from autograder.engine.outcomes import CheckResult, Feedback, Outcome, Verdict
    from autograder.course import plots

    drawn = []
    def show_training(train, seed=None):                     # records what it was asked
        drawn.append((train, {"seed": seed}))
        return "picture"
    monkeypatch.setattr(plots, "show_training", show_training)

    def train(w, b, xs, ys, learning_rate, epochs):          # the student's (wrong) train
        return w, b
    monkeypatch.setattr(notebook, "session",
                        lambda: SimpleNamespace(shell=SimpleNamespace(user_ns={"train": train})))
    neuron = CALCULUS.exercise("neuron")
    failed = CheckResult("neuron", "train runs full-batch gradient descent", "train", 8,
                         Verdict(Outcome.FAILED, Feedback("wrong")))
    assert notebook._picture_for(neuron, "train", (failed,), 4242) == "picture"
    assert drawn == [(train, {"seed": 4242})]
    passed = CheckResult("neuron", "train runs full-batch gradient descent", "train", 8,
                         Verdict(Outcome.PASSED, Feedback("all agree")))
    assert notebook._picture_for(neuron, "train", (passed,), 4242) is None
