"""Pictures for the classroom notebooks (matplotlib, an optional extra).

Each ``show_*`` function draws the reference run of an exercise (from the
exercise's own reference functions in :mod:`autograder.course`) and,
when given one, the student's own function beside it, and returns a
:class:`Plot` that a notebook displays as a PNG.  An exercise's lesson
names the ones it shows (:class:`autograder.engine.spec.Picture`): after a
function, and beside the feedback of a failed check.

Figures are built with matplotlib's object-oriented API on the Agg canvas:
no pyplot, no global backend, so they work the same in Jupyter, under
nbgrader and in tests.  In a notebook these pictures run the student's function in the
student's own kernel; on the HTML page (:mod:`autograder.channels.html_page`)
each function is a stand-in answered from the grader's sandbox, and what
the course hands to student code (a gradient, ``f``) is a :class:`Given`,
which crosses into the sandbox as its expression tree.  They teach, they
never grade.  A function that raises or returns something
unusable just leaves its panel with a note; without matplotlib every
``show_*`` returns a :class:`Missing` that says how to install it.
"""

from __future__ import annotations

import contextlib
import io
import math
import signal
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from autograder.course.calculus import derivatives
from autograder.course.calculus import gradient_descent as gd
from autograder.course.calculus import neuron, weight_updates
from autograder.engine.expressions import X, add, func, mul, power

PICTURE_SECONDS = 5     # the most a student's function may take for a picture


# ------------------------------------------------- running a student's function

@contextlib.contextmanager
def _time_limit(seconds: int):
    """SIGALRM on the main thread (where a kernel runs cells); elsewhere no limit."""
    import threading
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGALRM"):
        yield
        return

    def stop(signum, frame):
        raise TimeoutError(f"took longer than {seconds} s")
    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def call_quietly(function: Callable, *args, **kwargs) -> tuple[Any, str]:
    """(value, "") or (None, why): the student's function, bounded in time,
    with what it prints kept out of the notebook's output."""
    sink = io.StringIO()
    try:
        with _time_limit(PICTURE_SECONDS), contextlib.redirect_stdout(sink), \
                contextlib.redirect_stderr(sink):
            return function(*args, **kwargs), ""
    except NotImplementedError:
        return None, "not written yet"
    except Exception as exc:   # the picture only teaches: any failure is a note
        # A function whose answer came back from the grader's sandbox says
        # what became of it (``why``); one run here, what it raised.
        return None, getattr(exc, "why", None) or f"raised {type(exc).__name__}"


def as_floats(value: Any, length: int | None = None) -> list[float] | None:
    try:
        numbers = [float(v) for v in value]
    except (TypeError, ValueError, OverflowError):
        return None
    if length is not None and len(numbers) != length:
        return None
    return numbers


def as_points(value: Any, steps: int, dim: int) -> list[tuple[float, ...]] | None:
    """A student's iterates as ``steps + 1`` points of ``dim`` numbers, or
    None when they are not that."""
    try:
        points = [tuple(float(v) for v in x) for x in value]
    except (TypeError, ValueError, OverflowError):
        return None
    if len(points) != steps + 1 or any(len(p) != dim for p in points):
        return None
    return points


@dataclass(frozen=True)
class Given:
    """A function the course hands to a student's function (the gradient
    ``gradient_descent`` follows, the ``f`` a numerical derivative
    differentiates): callable like the function itself, and carrying its
    expression tree (:class:`autograder.sandbox.protocol.Func`), the form in
    which it crosses into the grader's sandbox when the student's function
    runs there (the HTML page) instead of in the student's kernel."""
    function: Callable
    tree: Any

    def __call__(self, *args):
        return self.function(*args)


def check_cases(exercise, function: str, seed: int | None):
    """The cases of ``exercise``'s first check of ``function`` for ``seed``
    (None: seed 0), exactly as the grader makes them."""
    check = next(c for c in exercise.checks if c.function == function)
    return check, check.make_cases(0 if seed is None else seed, exercise.module)


def as_given(arg: Any) -> Any:
    """A probe's argument as the student's function receives it: NumPy
    arrays, tuples, fresh lists (never the course's own), test functions."""
    from autograder.engine.expressions import evaluator
    from autograder.sandbox.protocol import Array, Func, Tuple
    if isinstance(arg, Array):
        return np.array(arg.values, dtype=float)
    if isinstance(arg, Tuple):
        return tuple(as_given(a) for a in arg.values)
    if isinstance(arg, Func):
        return Given(evaluator(arg), arg)
    if isinstance(arg, (list, tuple)):
        return [as_given(a) for a in arg]
    return arg


Row = tuple[str, "float | None", bool, str]   # case label, distance, accepted, why no answer


def judged_cases(student: Callable, exercise, function: str, seed: int | None,
                 tolerance) -> tuple[Any, list[Row]]:
    """The check of ``function`` (vector answers), case by case as the
    grader makes them for ``seed``: the student's function called with each
    case's own arguments, and how far its answer lies from the expected one
    (accepted within the case's tolerance, else ``tolerance``)."""
    check, cases = check_cases(exercise, function, seed)
    rows = []
    for case in cases:
        probe = case.probe
        value, why = call_quietly(student, *(as_given(a) for a in probe.args),
                                  **{k: as_given(v) for k, v in probe.kwargs.items()})
        got = as_floats(value, len(case.expected)) if value is not None else None
        if got is None:
            rows.append((case.label, None, False, why or f"not {len(case.expected)} numbers"))
            continue
        tol = case.tolerance or tolerance
        gap = max(abs(g - e) for g, e in zip(got, case.expected))
        rows.append((case.label, gap if math.isfinite(gap) else math.inf,
                     all(tol.close(g, e) for g, e in zip(got, case.expected)), ""))
    return check, rows


# ------------------------------------------------------------------ drawing

@dataclass
class Plot:
    """A finished figure; Jupyter shows it through ``_repr_png_``."""
    figure: Any
    caption: str = ""

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=80, bbox_inches="tight")
        return buffer.getvalue()

    def _repr_png_(self) -> bytes:
        return self.png()

    def __repr__(self) -> str:
        return f"<picture: {self.caption}>" if self.caption else "<picture>"


@dataclass
class Missing:
    """What a ``show_*`` function returns when matplotlib is not installed."""
    caption: str

    def __repr__(self) -> str:
        return (f"[{self.caption}: install matplotlib to see this picture, e.g. "
                "pip install 'calculus-autograder[classroom]']")


def new_figure(width: float, height: float):
    """A figure on the Agg canvas, or None without matplotlib."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        return None
    figure = Figure(figsize=(width, height))
    FigureCanvasAgg(figure)
    return figure


def note(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center",
            fontsize=11, color="0.35", wrap=True)


@dataclass(frozen=True)
class Path2D:
    """A path over a plane: its label, its points and how it is drawn."""
    label: str
    points: Sequence[tuple[float, float]]
    colour: str
    style: str = ".-"


def surface(ax, f: Callable[[float, float], float], box: tuple[float, float, float, float],
            paths: Sequence[Path2D], start: tuple[float, float] | None = None,
            log: bool = False, labels: tuple[str, str] = ("w", "b"),
            colourbar: str = "L(w, b)", n: int = 121, legend: str = "upper right") -> None:
    """``f`` over ``box`` (x from, x to, y from, y to) as filled contours
    (with ``log``, of log₁₀ f down to 10⁻⁵ of its largest value), each path
    drawn on it up to where it leaves the box, a star where it ends."""
    x0, x1, y0, y1 = box
    xs = [x0 + (x1 - x0) * i / (n - 1) for i in range(n)]
    ys = [y0 + (y1 - y0) * i / (n - 1) for i in range(n)]
    grid = [[f(x, y) for x in xs] for y in ys]
    if log:
        floor = max(max(row) for row in grid) * 1e-5
        grid = [[math.log10(max(v, floor)) for v in row] for row in grid]
        colourbar = f"log₁₀ {colourbar}"
    contour = ax.contourf(xs, ys, grid, levels=30, cmap="viridis")
    ax.figure.colorbar(contour, ax=ax, label=colourbar)
    for path in paths:
        inside = []
        for x, y in path.points:
            if not (math.isfinite(x) and math.isfinite(y) and x0 <= x <= x1 and y0 <= y <= y1):
                break
            inside.append((x, y))
        if inside:
            ax.plot([p[0] for p in inside], [p[1] for p in inside], path.style,
                    color=path.colour, ms=2, lw=1.2, label=path.label)
            ax.plot([inside[-1][0]], [inside[-1][1]], "*", color=path.colour, ms=12)
    if start is not None:
        ax.plot([start[0]], [start[1]], "s", color="white", ms=6)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    if paths:
        ax.legend(fontsize=8, loc=legend)


# ------------------------------------- assignment 1: gradient descent on (x − 4)²

# The bowl's slope as handed to a student's gradient_descent: the exercise's
# own quadratic_grad, with the tree of its own case maker (2·1·(x − 4)).
QUADRATIC_GRAD = Given(gd.quadratic_grad, gd._quadratic(1.0, 4.0))


def reference_iterates(x0: float, learning_rate: float, steps: int) -> list[float]:
    """The reference's iterates on (x − 4)²."""
    return gd.descend(gd.quadratic_grad, x0, learning_rate, steps)


def regime(learning_rate: float) -> str:
    """What gradient descent on (x − 4)² does at this rate: |1 − 2η| decides."""
    factor = abs(1 - 2 * learning_rate)
    if factor < 1:
        return "converges" if 1 - 2 * learning_rate >= 0 else "oscillates, converges"
    return "bounces forever" if factor == 1 else "diverges"


def _draw_walk(ax, iterates: Sequence[float], title: str, colour: str) -> None:
    finite = [x for x in iterates if math.isfinite(x)]
    lo = min([-1.0, *finite]) if finite else -1.0
    hi = max([9.0, *finite]) if finite else 9.0
    lo, hi = max(lo, -40.0), min(hi, 48.0)
    grid = [lo + (hi - lo) * i / 200 for i in range(201)]
    ax.plot(grid, [gd.quadratic(x) for x in grid], color="0.6", lw=1.5, label="(x − 4)²")
    shown = [x for x in finite if lo <= x <= hi]
    ax.plot(shown, [gd.quadratic(x) for x in shown], "o-", color=colour, ms=4, lw=1,
            label="iterates")
    if shown:
        ax.plot([shown[0]], [gd.quadratic(shown[0])], "s", color="black", ms=6, label="start")
    ax.set_title(title)
    ax.set_xlabel("x")
    ax.legend(loc="upper center", fontsize=8)


def show_descent(gradient_descent: Callable | None = None, x0: float = 10.0,
                 learning_rate: float = 0.1, steps: int = 10) -> Plot | Missing:
    """Gradient descent on (x − 4)² drawn on its curve: the student's iterates
    (from their ``gradient_descent``) beside the reference."""
    caption = f"gradient descent on (x − 4)² from x0 = {x0:g}, η = {learning_rate:g}"
    panels = 2 if gradient_descent is not None else 1
    figure = new_figure(5.0 * panels, 3.8)
    if figure is None:
        return Missing(caption)
    figure.set_layout_engine("constrained")    # the caption above the panels' titles
    axes = figure.subplots(1, panels, squeeze=False)[0]
    if gradient_descent is not None:
        value, why = call_quietly(gradient_descent, QUADRATIC_GRAD, x0, learning_rate, steps)
        mine = as_floats(value) if value is not None else None
        if mine is None:
            note(axes[0], f"your gradient_descent: {why or 'did not return a list of numbers'}")
            axes[0].set_title("yours")
        else:
            _draw_walk(axes[0], mine, "yours", "tab:orange")
    _draw_walk(axes[-1], reference_iterates(x0, learning_rate, steps), "reference", "tab:blue")
    figure.suptitle(caption)
    return Plot(figure, caption)


def show_learning_rates(gradient_descent: Callable | None = None,
                        rates: Sequence[float] = (0.05, 0.3, 0.9, 1.0, 1.1),
                        x0: float = 10.0, steps: int = 20) -> Plot | Missing:
    """x_t against t on (x − 4)² for several learning rates: slow, fast,
    oscillating, bouncing and diverging.  Uses the student's
    ``gradient_descent`` where it works, the reference elsewhere.

    The frame is that of the rates that do not run away (a diverging walk
    grows like |1 − 2η|ᵗ and would flatten every other line): a diverging
    walk is drawn until it leaves the frame, where a triangle marks the
    exit, and its legend says how far it got."""
    caption = "the learning rate decides: converge, oscillate, diverge"
    figure = new_figure(11.0, 4.2)
    if figure is None:
        return Missing(caption)
    ax = figure.subplots()
    walks = {}
    sources, why = set(), ""
    for rate in rates:
        xs = None
        if gradient_descent is not None:
            value, reason = call_quietly(gradient_descent, QUADRATIC_GRAD, x0, rate, steps)
            xs = as_floats(value, steps + 1) if value is not None else None
            if xs is None and not why:
                why = f"at η = {rate:g} yours {reason or f'did not return {steps + 1} numbers'}"
        sources.add("yours" if xs is not None else "reference")
        walks[rate] = xs or reference_iterates(x0, rate, steps)
    bounded = [x for rate, xs in walks.items() if regime(rate) != "diverges"
               for x in xs if math.isfinite(x) and abs(x - 4.0) <= 4 * abs(x0 - 4.0)]
    lo, hi = min([4.0, x0, *bounded]), max([4.0, x0, *bounded])
    margin = 0.12 * (hi - lo or 1.0)
    lo, hi = lo - margin, hi + margin
    for rate, xs in walks.items():
        inside = []
        for x in xs:
            if not (math.isfinite(x) and lo <= x <= hi):
                break
            inside.append(x)
        label = f"η = {rate:g}: {regime(rate)}"
        if len(inside) < len(xs):
            last = xs[-1]
            size = f"|x_{len(xs) - 1} − 4| = {abs(last - 4.0):.2g}" if math.isfinite(last) \
                else f"x_{len(xs) - 1} is not finite"
            label += f" (leaves the frame at t = {len(inside)}; {size})"
        line, = ax.plot(range(len(inside)), inside, "o-", ms=3, label=label)
        if len(inside) < len(xs):
            t, x = len(inside), xs[len(inside)]
            up = not math.isfinite(x) or x > hi
            ax.plot([t], [hi if up else lo], "^" if up else "v", color=line.get_color(),
                    ms=11, clip_on=False)
            if inside:
                ax.plot([t - 1, t], [inside[-1], hi if up else lo], ":",
                        color=line.get_color(), lw=1)
    ax.axhline(4.0, color="0.5", ls="--", lw=1)
    ax.set_ylim(lo, hi)
    ax.set_xlim(-0.5, steps + 0.5)
    ax.set_xlabel("step t")
    ax.set_ylabel("x_t")
    source = {frozenset({"yours"}): "your gradient_descent",
              frozenset({"reference"}): "the reference"}.get(
                  frozenset(sources), "yours where it ran, else the reference")
    ax.set_title(f"{caption}\ndrawn with {source}" + (f" ({why})" if why else ""), fontsize=9)
    ax.legend(fontsize=7.5, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return Plot(figure, caption)


def show_minimize(minimize_quadratic: Callable, x0: float = 10.0, learning_rate: float = 0.1,
                  steps: int = 20) -> Plot | Missing:
    """The student's ``minimize_quadratic`` after 0, 1, …, ``steps`` steps
    against the reference."""
    caption = f"minimize_quadratic({x0:g}, {learning_rate:g}, steps) for steps = 0 … {steps}"
    figure = new_figure(6.0, 3.8)
    if figure is None:
        return Missing(caption)
    ax = figure.subplots()
    reference = reference_iterates(x0, learning_rate, steps)
    mine = []
    # Every call first, then the values up to the first unusable one (so
    # that every call is known before any answer: see Given).
    for value, _ in [call_quietly(minimize_quadratic, x0, learning_rate, k)
                     for k in range(steps + 1)]:
        try:
            mine.append(float(value))
        except (TypeError, ValueError):
            break
    ax.plot(range(len(reference)), reference, "o-", color="tab:blue", ms=3, label="reference")
    if mine:
        ax.plot(range(len(mine)), mine, "s--", color="tab:orange", ms=3, label="yours")
    ax.axhline(4.0, color="0.5", ls=":", lw=1)
    ax.set_xlabel("steps")
    ax.set_ylabel("x reached")
    ax.set_title(caption, fontsize=9)
    ax.legend(fontsize=8)
    return Plot(figure, caption)


# ------------------------------------------------------------ the neuron

NEURON_BOX = (-6.0, 6.0, -6.0, 6.0)


def neuron_loss(w: float, b: float) -> float:
    """The neuron's loss on the exercise's two points."""
    return neuron.loss(w, b, neuron.X, neuron.Y)


def descent_path(gradients: Callable, w0: float, b0: float, learning_rate: float,
                 epochs: int) -> list[tuple[float, float]]:
    """(w, b) after 0, 1, …, ``epochs`` full-batch steps driven by
    ``gradients(w, b)``."""
    path = [(float(w0), float(b0))]
    w, b = w0, b0
    for _ in range(epochs):
        gw, gb = gradients(w, b)
        w, b = w - learning_rate * gw, b - learning_rate * gb
        path.append((float(w), float(b)))
    return path


def reference_path(w0: float = neuron.START[0], b0: float = neuron.START[1],
                   learning_rate: float = neuron.RATE,
                   epochs: int = neuron.EPOCHS) -> list[tuple[float, float]]:
    """The reference's training path on the two points."""
    return descent_path(lambda w, b: neuron.gradients(w, b, neuron.X, neuron.Y),
                        w0, b0, learning_rate, epochs)


def _neuron_surface(ax, paths: list[Path2D]) -> None:
    surface(ax, neuron_loss, NEURON_BOX, paths, start=neuron.START)


def show_loss_surface(gradients: Callable | None = None, w0: float = -2.0, b0: float = -2.0,
                      learning_rate: float = 1.0, epochs: int = 1000) -> Plot | Missing:
    """The neuron's loss over w, b ∈ [−6, 6] with the training path from
    (w0, b0): the student's ``gradients`` drive it when given and working."""
    caption = "the loss surface of the sigmoid neuron on the two points"
    figure = new_figure(6.5, 5.0)
    if figure is None:
        return Missing(caption)
    ax = figure.subplots()
    paths = [Path2D("reference path", reference_path(w0, b0, learning_rate, epochs), "white")]
    if gradients is not None:
        def student(w, b):
            value, why = call_quietly(gradients, w, b, list(neuron.X), list(neuron.Y))
            pair = as_floats(value, 2) if value is not None else None
            if pair is None:
                raise ValueError(why or "not a pair of numbers")
            return pair
        try:
            paths.append(Path2D("your gradients",
                                descent_path(student, w0, b0, learning_rate, epochs),
                                "tab:orange"))
        except (ValueError, OverflowError):
            ax.set_title("your gradients could not drive the path", fontsize=9)
    _neuron_surface(ax, paths)
    figure.suptitle(caption)
    return Plot(figure, caption)


def show_training(train: Callable, w0: float = -2.0, b0: float = -2.0,
                  learning_rate: float = 1.0,
                  checkpoints: Sequence[int] = (0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000),
                  seed: int | None = None) -> Plot | Missing:
    """Where the student's ``train`` ends after 0, 1, 2, 5, … epochs, on the
    loss surface beside the reference path (the run of the check's last
    case: the two points from (−2, −2), η = 1); and beside it, every case
    the check of ``train`` judges for ``seed`` (its other data sets, rates
    and epochs), each with how far the student's (w, b) lies from the
    expected one.  A path can end on the reference point while another case
    fails: the second panel shows that case, so the picture says what the
    check says."""
    caption = "where your train ends after more and more epochs, and every case the check judged"
    figure = new_figure(12.5, 5.2)
    if figure is None:
        return Missing(caption)
    figure.set_layout_engine("constrained")
    ax, cases_ax = figure.subplots(1, 2, gridspec_kw={"width_ratios": [1.2, 1]})
    calls = [call_quietly(train, w0, b0, list(neuron.X), list(neuron.Y), learning_rate, epochs)
             for epochs in checkpoints]
    mine, why = [], ""
    for value, reason in calls:
        pair = as_floats(value, 2) if value is not None else None
        if pair is None:
            why = reason or "did not return (w, b)"
            break
        mine.append(tuple(pair))
    reference = reference_path(w0, b0, learning_rate, max(checkpoints))
    _neuron_surface(ax, [Path2D("reference path", reference, "white"),
                         Path2D("your train", mine, "tab:orange")])
    ax.set_title(f"train({w0:g}, {b0:g}, the two points, η = {learning_rate:g}, epochs)\n"
                 f"for epochs = {', '.join(map(str, checkpoints[:4]))} … {checkpoints[-1]}"
                 + (f"; yours {why}" if why else ""), fontsize=9)

    check, rows = judged_cases(train, neuron.EXERCISE, "train", seed, neuron.TRAIN_TOLERANCE)
    draw_cases(cases_ax, rows, check.points)
    mark_contradiction(ax, mine, reference, len(checkpoints), rows, neuron.TRAIN_TOLERANCE)
    figure.suptitle(caption, fontsize=10)
    return Plot(figure, caption)


def mark_contradiction(ax, mine: Sequence, reference: Sequence, runs: int, rows: list[Row],
                       tolerance) -> None:
    """Where the drawn run ends on the reference point while cases of the
    check fail, say so on the picture (the cases panel shows which)."""
    wrong = sum(1 for row in rows if not row[2])
    if wrong and len(mine) == runs and \
            all(tolerance.close(a, b) for a, b in zip(mine[-1], reference[-1])):
        ax.text(0.02, 0.02, f"this run ends on the reference point,\nbut {wrong} of the "
                f"check's cases {'do' if wrong > 1 else 'does'} not (right)",
                transform=ax.transAxes, fontsize=8, color="white", va="bottom",
                bbox={"facecolor": "tab:red", "alpha": 0.85, "lw": 0})


def draw_cases(ax, rows: list[Row], points: float) -> None:
    """One bar per case: how far the student's answer lies from the expected
    one (log scale), green when the check accepts it, red when not; a case
    without an answer says why."""
    floor = 1e-17
    ys = list(range(len(rows)))[::-1]
    finite = [r[1] for r in rows if r[1] is not None and math.isfinite(r[1])]
    top = max([1.0, *finite]) * 10
    for y, (label, gap, right, why) in zip(ys, rows):
        colour = "tab:green" if right else "tab:red"
        if gap is None:
            ax.text(floor * 3, y, f"no answer: {why}", va="center", color=colour,
                    fontsize=8 if len(rows) <= 14 else 6)
            continue
        shown = min(max(gap, floor), top)
        ax.barh(y, shown, left=floor, color=colour, height=0.6)
        ax.text(shown * 1.5, y, "right" if right else (f"off by {gap:.2g}" if math.isfinite(gap)
                                                      else "off: not finite"),
                va="center", fontsize=8 if len(rows) <= 14 else 6)
    ax.set_xscale("log")
    ax.set_xlim(floor, top * 1e3)
    ax.set_yticks(ys)
    ax.set_yticklabels([r[0] if len(r[0]) <= 36 else r[0][:35] + "…" for r in rows],
                       fontsize=7.5 if len(rows) <= 14 else 6)
    ax.set_xlabel("largest |yours − expected| over (w, b)")
    passed = sum(1 for r in rows if r[2])
    ax.set_title(f"the cases of the check ({points:g} points): {passed} of {len(rows)} right",
                 fontsize=9)


# ------------------------------------------------- exercise 1: the derivative

# f as handed to a student's numerical_derivative: the exercise's own f,
# with its tree (tests hold the two to agree).
F = Given(derivatives.f, func(add(mul(3, power(X, 3)), mul(-2, power(X, 2)), X),
                              "f (3x³ − 2x² + x)"))
SECANT_RUNS = (1.0, 0.5, 0.25, 0.1)
STEPS_H = (1e-1, 3e-2, 1e-2, 3e-3, 1e-3, 3e-4, 1e-4)


def show_secant(df: Callable | None = None, numerical_derivative: Callable | None = None,
                x: float = 2.0) -> Plot | Missing:
    """The secants of f through x and x + h for h = 1, ½, ¼, 0.1 turning
    into the tangent of slope f′(x) (the student's ``df(x)`` drawn beside
    it); and how far the student's ``numerical_derivative(f, x, h)`` lies
    from f′(x) as h shrinks, beside the central and the one-sided
    difference."""
    caption = f"the secant turns into the tangent at x = {x:g}"
    figure = new_figure(11.0, 4.4)
    if figure is None:
        return Missing(caption)
    ax, err = figure.subplots(1, 2)
    f, slope = derivatives.f, derivatives.f_prime(x)
    grid = [x - 1.5 + 3.2 * i / 200 for i in range(201)]
    ax.plot(grid, [f(t) for t in grid], color="black", lw=2, label="f(x) = 3x³ − 2x² + x")
    for h, shade in zip(SECANT_RUNS, ("0.80", "0.65", "0.5", "0.35")):
        rise = (f(x + h) - f(x)) / h
        ax.plot([x - 0.6, x + h + 0.3], [f(x) + rise * (-0.6), f(x) + rise * (h + 0.3)],
                color=shade, lw=1, label=f"secant, run h = {h:g}: slope {rise:.4g}")
        ax.plot([x + h], [f(x + h)], "o", color=shade, ms=4)
    ax.plot([x - 0.8, x + 0.8], [f(x) - 0.8 * slope, f(x) + 0.8 * slope], color="tab:blue",
            lw=2, label=f"tangent: slope f′({x:g}) = {slope:g}")
    ax.plot([x], [f(x)], "s", color="black", ms=6)
    notes = []
    if df is not None:
        value, why = call_quietly(df, x)
        try:
            mine = float(value)
        except (TypeError, ValueError, OverflowError):
            notes.append(f"your df: {why or 'did not return a number'}")
        else:
            ax.plot([x - 0.8, x + 0.8], [f(x) - 0.8 * mine, f(x) + 0.8 * mine], "--",
                    color="tab:orange", lw=2, label=f"your df({x:g}) = {mine:.6g}")
    ax.set_ylim(min(f(t) for t in grid) - 5, max(f(t) for t in grid) + 5)
    ax.set_xlabel("x")
    ax.legend(fontsize=7, loc="upper left")
    ax.set_title("; ".join(notes) or "shrink the run h: the secant's slope settles on f′",
                 fontsize=9)

    hs = list(STEPS_H)
    err.loglog(hs, [abs(derivatives.central(f, x, h) - slope) for h in hs], "o-",
               color="tab:blue", label="central (f(x+h) − f(x−h)) / 2h: error ∝ h²")
    err.loglog(hs, [abs((f(x + h) - f(x)) / h - slope) for h in hs], "s-", color="0.6",
               label="one-sided (f(x+h) − f(x)) / h: error ∝ h")
    if numerical_derivative is not None:
        points, why = [], ""
        for h, (value, reason) in zip(hs, [call_quietly(numerical_derivative, F, x, h)
                                           for h in hs]):
            try:
                points.append((h, max(abs(float(value) - slope), 1e-16)))
            except (TypeError, ValueError, OverflowError):
                why = why or reason or "did not return a number"
        if points:
            err.loglog([p[0] for p in points], [p[1] for p in points], "x--",
                       color="tab:orange", ms=9, label="your numerical_derivative")
        if why:
            err.set_title(f"your numerical_derivative: {why}", fontsize=9)
    if not err.get_title():
        err.set_title(f"how far each estimate lies from f′({x:g}) = {slope:g}", fontsize=9)
    err.set_xlabel("step h")
    err.set_ylabel("|estimate − f′(x)|")
    err.legend(fontsize=7, loc="lower right")
    figure.suptitle(caption, fontsize=10)
    return Plot(figure, caption)


# ---------------------------------------------- exercise 3: the weight sweep

SWEEP_RATES = (0.001, 0.01, 0.1, 0.5, 1.0)


def show_weight_sweep(sweep_learning_rates: Callable | None = None) -> Plot | Missing:
    """The contract's weights [0.5, −0.5, 0.3] and gradients [0.1, −0.2,
    0.05] updated with η = 0.001 … 1: each new weight against η (the
    reference as lines, the student's ``sweep_learning_rates`` as crosses),
    and the size of each change, proportional to η."""
    caption = "one update, several learning rates: the change is η times the gradient"
    figure = new_figure(11.0, 4.2)
    if figure is None:
        return Missing(caption)
    ax, change = figure.subplots(1, 2)
    weights, gradients, _ = weight_updates.EXAMPLE
    rates = list(SWEEP_RATES)
    reference = {rate: weight_updates.update(weights, gradients, rate) for rate in rates}
    mine, why = {}, ""
    if sweep_learning_rates is not None:
        value, reason = call_quietly(sweep_learning_rates, list(weights), list(gradients),
                                     list(rates))
        items = value.items() if isinstance(value, dict) else None
        if items is None:
            why = reason or "did not return a dict"
        else:
            for key, new in items:
                try:
                    rate = next(r for r in rates if math.isclose(float(key), r))
                except (StopIteration, TypeError, ValueError):
                    continue
                numbers = as_floats(new, len(weights))
                if numbers is not None:
                    mine[rate] = numbers
            if not mine:
                why = "no rate mapped to a list of weights"
    colours = ("tab:blue", "tab:green", "tab:purple")
    for i, colour in enumerate(colours[:len(weights)]):
        ax.semilogx(rates, [reference[r][i] for r in rates], "o-", color=colour, ms=4,
                    label=f"w{i + 1} = {weights[i]:g}, g{i + 1} = {gradients[i]:g}")
        change.loglog(rates, [abs(reference[r][i] - weights[i]) for r in rates], "o-",
                      color=colour, ms=4, label=f"|Δw{i + 1}| = η·|g{i + 1}|")
        if mine:
            shown = [r for r in rates if r in mine]
            ax.semilogx(shown, [mine[r][i] for r in shown], "x", color="tab:orange", ms=10,
                        mew=2, label="yours" if i == 0 else None)
            change.loglog(shown, [max(abs(mine[r][i] - weights[i]), 1e-12) for r in shown],
                          "x", color="tab:orange", ms=10, mew=2,
                          label="yours" if i == 0 else None)
    ax.set_xlabel("learning rate η")
    ax.set_ylabel("new weight w − η·g")
    ax.legend(fontsize=7)
    ax.set_title(f"your sweep_learning_rates: {why}" if why else
                 "each rate starts from the same weights", fontsize=9)
    change.set_xlabel("learning rate η")
    change.set_ylabel("size of the change")
    change.legend(fontsize=7)
    change.set_title("ten times the rate, ten times the step", fontsize=9)
    figure.suptitle(caption, fontsize=10)
    return Plot(figure, caption)
