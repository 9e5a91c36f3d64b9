"""Pictures for the classroom notebooks (matplotlib, an optional extra).

Each ``show_*`` function draws the reference run of an exercise (from the
exercise's own reference functions in :mod:`autograder.course`) and,
when given one, the student's own function beside it, and returns a
:class:`Plot` that a notebook displays as a PNG.  An exercise's lesson
names the ones it shows (:class:`autograder.engine.spec.Picture`): after a
function, and beside the feedback of a failed check.

Figures are built with matplotlib's object-oriented API on the Agg canvas:
no pyplot, no global backend, so they work the same in Jupyter, under
nbgrader and in tests.  These pictures run the student's function in the student's own kernel:
they teach, they never grade.  A function that raises or returns something
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

from autograder.course.calculus import gradient_descent as gd
from autograder.course.calculus import neuron

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


def call_quietly(function: Callable, *args) -> tuple[Any, str]:
    """(value, "") or (None, why): the student's function, bounded in time,
    with what it prints kept out of the notebook's output."""
    sink = io.StringIO()
    try:
        with _time_limit(PICTURE_SECONDS), contextlib.redirect_stdout(sink), \
                contextlib.redirect_stderr(sink):
            return function(*args), ""
    except NotImplementedError:
        return None, "not written yet"
    except Exception as exc:   # the picture only teaches: any failure is a note
        return None, f"raised {type(exc).__name__}"


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
    axes = figure.subplots(1, panels, squeeze=False)[0]
    if gradient_descent is not None:
        value, why = call_quietly(gradient_descent, gd.quadratic_grad, x0, learning_rate, steps)
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
    ``gradient_descent`` where it works, the reference elsewhere."""
    caption = "the learning rate decides: converge, oscillate, diverge"
    figure = new_figure(8.0, 4.2)
    if figure is None:
        return Missing(caption)
    ax = figure.subplots()
    source = "reference"
    for rate in rates:
        xs = None
        if gradient_descent is not None:
            value, _ = call_quietly(gradient_descent, gd.quadratic_grad, x0, rate, steps)
            xs = as_floats(value, steps + 1) if value is not None else None
            if xs is not None:
                source = "your gradient_descent"
        xs = xs or reference_iterates(x0, rate, steps)
        ax.plot(range(len(xs)), [max(min(x, 60.0), -52.0) for x in xs], "o-", ms=3,
                label=f"η = {rate:g}: {regime(rate)}")
    ax.axhline(4.0, color="0.5", ls="--", lw=1)
    ax.set_ylim(-52, 60)
    ax.set_xlabel("step t")
    ax.set_ylabel("x_t (clipped to the frame)")
    ax.set_title(f"{caption} ({source})")
    ax.legend(fontsize=8, loc="lower left")
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
    for k in range(steps + 1):
        value, _ = call_quietly(minimize_quadratic, x0, learning_rate, k)
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
                  checkpoints: Sequence[int] = (0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
                  ) -> Plot | Missing:
    """Where the student's ``train`` ends after 0, 1, 2, 5, … epochs, on the
    loss surface beside the reference path."""
    caption = "where your train ends after more and more epochs"
    figure = new_figure(6.5, 5.0)
    if figure is None:
        return Missing(caption)
    ax = figure.subplots()
    mine = []
    for epochs in checkpoints:
        value, _ = call_quietly(train, w0, b0, list(neuron.X), list(neuron.Y), learning_rate,
                                epochs)
        pair = as_floats(value, 2) if value is not None else None
        if pair is None:
            break
        mine.append(tuple(pair))
    _neuron_surface(ax, [Path2D("reference path", reference_path(
                         w0, b0, learning_rate, max(checkpoints)), "white"),
                         Path2D("your train", mine, "tab:orange")])
    figure.suptitle(caption)
    return Plot(figure, caption)
