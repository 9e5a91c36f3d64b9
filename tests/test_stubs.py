"""Tests of the stub generator, the committed stubs and the reference solutions."""

from __future__ import annotations

import importlib.util
import inspect
import itertools
from pathlib import Path

import numpy as np
import pytest
import sympy

from autograder.course.stubs import render_stub, stub_differences, write_stubs

ROOT = Path(__file__).parents[1]
SOLUTIONS = ROOT / "solutions" / "calculus"
EXERCISES = ROOT / "exercises" / "calculus"

# The graded functions of each module, as CURRICULUM.md names them.
GRADED = {
    "derivatives": ["df", "slope_at_2", "numerical_derivative"],
    "gradient_descent": [
        "gradient_descent",
        "quadratic_grad",
        "minimize_quadratic",
        "critical_learning_rate",
    ],
    "weight_updates": ["update_weights", "sweep_learning_rates"],
    "neuron": ["sigmoid", "predict", "loss", "gradients", "train"],
}

_unique = itertools.count()


def load(path: Path):
    """Import the file at ``path`` under a fresh module name, bypassing sys.path."""
    name = f"_loaded_{path.stem}_{next(_unique)}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- render_stub --------------------------------------------------------------

SOLUTION = '''\
import math

X = [1, 2]  # given


def square(x):
    """Return x squared."""
    ### BEGIN SOLUTION
    y = x * x
    return y
    ### END SOLUTION


class Model:
    def fit(self):
        ### BEGIN SOLUTION
        return 1
        ### END SOLUTION
'''

STUB = '''\
import math

X = [1, 2]  # given


def square(x):
    """Return x squared."""
    # YOUR CODE HERE
    raise NotImplementedError()


class Model:
    def fit(self):
        # YOUR CODE HERE
        raise NotImplementedError()
'''


def test_render_stub_replaces_regions_at_marker_indentation():
    assert render_stub(SOLUTION) == STUB


def test_render_stub_keeps_everything_outside_markers_exactly():
    source = "a = 1  \r\n\tb = '\f\u2028'\n\n# ### not a marker\rno newline at end"
    assert render_stub(source) == source
    solution = "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n"
    expected = "def f():\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"
    crlf = lambda text: text.replace("\n", "\r\n")  # noqa: E731
    assert render_stub(crlf(solution)) == crlf(expected)


def test_render_stub_handles_end_marker_on_last_line_without_newline():
    source = "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION"
    expected = "def f():\n    # YOUR CODE HERE\n    raise NotImplementedError()"
    assert render_stub(source) == expected


@pytest.mark.parametrize(
    ("source", "line", "words"),
    [
        ("x = 1\n### BEGIN SOLUTION\ny = 2\n", 2, "never closed"),
        ("x = 1\ny = 2\n    ### END SOLUTION\n", 3, "without a matching"),
        (
            "### BEGIN SOLUTION\nx = 1\n"
            "### BEGIN SOLUTION\n### END SOLUTION\n"
            "### END SOLUTION\n",
            3,
            "opened on line 1",
        ),
        # A mistyped marker is still a marker: its code must not leak.
        ("## BEGIN SOLUTION\nsecret = 1\n", 1, "never closed"),
    ],
    ids=["unmatched-begin", "unmatched-end", "nested", "mistyped"],
)
def test_render_stub_rejects_bad_markers_naming_the_line(source, line, words):
    with pytest.raises(ValueError, match=f"^line {line}: .*{words}"):
        render_stub(source)


# --- write_stubs and stub_differences ----------------------------------------


def test_write_stubs_renders_every_solution(tmp_path):
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    solutions.mkdir()
    (solutions / "b.py").write_text(SOLUTION)
    (solutions / "a.py").write_text("A = 1\n")
    (solutions / "notes.txt").write_text("### BEGIN SOLUTION\n")

    written = write_stubs(solutions, exercises)

    assert written == [exercises / "a.py", exercises / "b.py"]
    assert (exercises / "a.py").read_text() == "A = 1\n"
    assert (exercises / "b.py").read_text() == STUB
    # No temporary files are left behind.
    assert sorted(p.name for p in exercises.iterdir()) == ["a.py", "b.py"]
    assert stub_differences(solutions, exercises) == []


def test_write_stubs_error_names_the_file_and_writes_nothing(tmp_path):
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    solutions.mkdir()
    (solutions / "a.py").write_text("A = 1\n")
    (solutions / "broken.py").write_text("x = 1\n### BEGIN SOLUTION\n")

    with pytest.raises(ValueError, match=r"broken\.py: line 2: "):
        write_stubs(solutions, exercises)
    assert not exercises.exists() or not any(exercises.iterdir())


def test_stub_differences_lists_changed_missing_and_extra_files(tmp_path):
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    solutions.mkdir()
    for name in ("changed.py", "missing.py", "same.py"):
        (solutions / name).write_text(SOLUTION)
    write_stubs(solutions, exercises)
    (exercises / "changed.py").write_text(SOLUTION)  # a solution leaked into a stub
    (exercises / "missing.py").unlink()
    (exercises / "extra.py").write_text("")

    stale = stub_differences(solutions, exercises)
    assert stale == ["changed.py", "extra.py", "missing.py"]


# --- the committed stubs ------------------------------------------------------


def test_write_stubs_keeps_each_assignments_folder(tmp_path):
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    (solutions / "first").mkdir(parents=True)
    (solutions / "second").mkdir()
    (solutions / "first" / "a.py").write_text(SOLUTION)
    (solutions / "second" / "a.py").write_text("A = 1\n")
    written = write_stubs(solutions, exercises)
    assert written == [exercises / "first" / "a.py", exercises / "second" / "a.py"]
    assert (exercises / "first" / "a.py").read_text() == STUB
    assert stub_differences(solutions, exercises) == []
    (exercises / "second" / "a.py").write_text("A = 2\n")
    assert stub_differences(solutions, exercises) == ["second/a.py"]


def test_committed_exercises_match_the_solutions():
    """Both assignments' stubs (exercises/calculus/, exercises/optimizers/)."""
    stale = stub_differences(ROOT / "solutions", ROOT / "exercises")
    if stale:
        extra = [name for name in stale if not (ROOT / "solutions" / name).exists()]
        message = (
            f"exercises/ is out of date with solutions/ for: {', '.join(stale)}. "
            "Run `python -m autograder make-stubs` and commit the result"
        )
        if extra:
            paths = ", ".join(f"exercises/{name}" for name in extra)
            message += f"; also delete {paths}, which have no solution"
        pytest.fail(message, pytrace=False)


@pytest.mark.parametrize("module", sorted(GRADED))
def test_every_stub_function_is_unattempted(module):
    stub = load(EXERCISES / f"{module}.py")
    for name in GRADED[module]:
        func = getattr(stub, name)
        required = [
            p
            for p in inspect.signature(func).parameters.values()
            if p.default is inspect.Parameter.empty
        ]
        with pytest.raises(NotImplementedError):
            func(*[None] * len(required))


@pytest.mark.parametrize("module", sorted(GRADED))
def test_stubs_keep_the_given_code_and_hide_every_solution(module):
    solution, stub = load(SOLUTIONS / f"{module}.py"), load(EXERCISES / f"{module}.py")
    public = lambda m: {n for n in vars(m) if not n.startswith("_")}  # noqa: E731
    assert public(stub) == public(solution)
    assert "SOLUTION" not in (EXERCISES / f"{module}.py").read_text(encoding="utf-8")


# --- the reference solutions reproduce the contract's worked figures ----------


@pytest.fixture(scope="module")
def solutions():
    return {module: load(SOLUTIONS / f"{module}.py") for module in GRADED}


def test_derivatives(solutions):
    mod = solutions["derivatives"]
    x = sympy.Symbol("x")
    assert sympy.simplify(mod.df(x) - sympy.diff(mod.f(x), x)) == 0
    assert mod.df(2) == 29
    assert mod.slope_at_2() == 29
    assert mod.numerical_derivative(lambda t: t**2, 2) == pytest.approx(4, rel=1e-9)
    estimate = mod.numerical_derivative(np.sin, 1.0, h=1e-3)
    assert estimate == pytest.approx(np.cos(1.0), rel=1e-6)  # error ~ h²


def test_gradient_descent(solutions):
    mod = solutions["gradient_descent"]
    iterates = mod.gradient_descent(lambda x: 2 * x, 10, 0.1, 10)
    assert iterates == pytest.approx([10 * 0.8**k for k in range(11)], rel=1e-12)
    assert iterates[:5] == pytest.approx([10, 8, 6.4, 5.12, 4.096])
    assert iterates[-1] == pytest.approx(1.073741824)
    assert all(type(x) is float for x in iterates)
    assert mod.gradient_descent(lambda x: 2 * x, 10, 0.1, 0) == [10.0]
    assert mod.quadratic_grad(7) == 6
    assert mod.minimize_quadratic() == pytest.approx(4)
    assert mod.minimize_quadratic(10.0, 0.1, 1) == pytest.approx(8.8)
    assert mod.minimize_quadratic(10.0, 0.5, 1) == pytest.approx(4)
    # At the critical rate the iterates bounce: 10, -2, 10, -2, ...
    assert mod.minimize_quadratic(10.0, 1.0, 3) == pytest.approx(-2)
    assert mod.critical_learning_rate() == 1.0


@pytest.mark.parametrize("kind", [list, tuple, np.array])
def test_update_weights(solutions, kind):
    mod = solutions["weight_updates"]
    weights = kind([0.5, -0.5, 0.3])
    new = mod.update_weights(weights, kind([0.1, -0.2, 0.05]), 0.01)
    assert new == pytest.approx([0.499, -0.498, 0.2995])
    assert list(weights) == [0.5, -0.5, 0.3]  # unchanged
    assert type(new) is list and all(type(w) is float for w in new)


def test_sweep_learning_rates(solutions):
    mod = solutions["weight_updates"]
    rates = [0.001, 0.01, 0.1, 1]
    sweep = mod.sweep_learning_rates([0.5, -0.5, 0.3], [0.1, -0.2, 0.05], rates)
    assert list(sweep) == rates
    assert sweep[0.01] == pytest.approx([0.499, -0.498, 0.2995])
    assert sweep[1] == pytest.approx([0.4, -0.3, 0.25])


def test_neuron(solutions):
    mod = solutions["neuron"]
    assert (mod.X, mod.Y) == ([0.5, 2.5], [0.2, 0.9])
    assert mod.sigmoid(0.0) == 0.5
    assert mod.sigmoid(np.array([0.0, 0.0])) == pytest.approx([0.5, 0.5])

    w, b = mod.train(-2, -2, mod.X, mod.Y, 1.0, 1000)
    assert type(w) is float and type(b) is float
    assert w == pytest.approx(1.79172, rel=1e-5)
    assert b == pytest.approx(-2.28212, rel=1e-5)
    assert mod.loss(w, b, mod.X, mod.Y) == pytest.approx(2.4e-11, rel=0.05)


def test_neuron_gradients_match_sympy(solutions):
    mod = solutions["neuron"]
    w, b = sympy.symbols("w b")
    xs, ys = [0.5, 2.5, -1.0], [0.2, 0.9, 0.4]
    L = sum((1 / (1 + sympy.exp(-(w * x + b))) - y) ** 2 for x, y in zip(xs, ys)) / 2
    point = {w: 0.3, b: -0.7}
    expected = [float(sympy.diff(L, v).subs(point)) for v in (w, b)]
    assert mod.loss(0.3, -0.7, xs, ys) == pytest.approx(float(L.subs(point)))
    assert mod.gradients(0.3, -0.7, xs, ys) == pytest.approx(expected)
