"""The class at a glance: one self-contained HTML page, ``OUT/report.html``.

Drawn once at the end of a class run (or by ``class-report``) from the
same data as the CSV tables -- the students' results and their
:class:`~autograder.channels.class_report.Tally` --, never per student:

- the distribution of totals, and of each exercise's score (histograms);
- each check's passed / wrong / crashed / hit a limit / not attempted (and
  undecided, not graded) as stacked bars;
- the misconceptions, most frequent first, with the students who showed
  each (linked to their feedback): whom to help;
- hint use, where the students' notebooks recorded it (students per
  function, by the highest level asked for);
- every student's row, linked to their ``feedback.txt`` and
  ``results.json`` (relative links: the page works wherever OUT is
  copied).

The page asks for nothing over the network: its pictures are PNGs drawn by
matplotlib (Agg, no display) inlined as ``data:`` URIs, its style is in the
page, and it runs no script.  Importing this module needs the ``html``
extra (matplotlib and Jinja2); class grading writes the CSVs without it.
"""

from __future__ import annotations

import io
import statistics
from pathlib import Path
from urllib.parse import quote

import jinja2  # noqa: F401  (the html extra: its absence is an ImportError here)
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from autograder.channels import pages
from autograder.channels.pages import png_uri
from autograder.channels.class_report import NOT_GRADED, Tally, misconception_texts, ranked
from autograder.engine.outcomes import Outcome
from autograder.engine.spec import Assignment

REPORT = "report.html"
TEMPLATE = "class_report.html.j2"
# Stacked in this order, left to right: what went well first, what did not after.
OUTCOME_COLOURS = (
    (Outcome.PASSED.value, Outcome.PASSED.label, "#2e7d32"),
    (Outcome.FAILED.value, Outcome.FAILED.label, "#ef6c00"),
    (Outcome.ERROR.value, Outcome.ERROR.label, "#c62828"),
    (Outcome.LIMIT.value, Outcome.LIMIT.label, "#6a1b9a"),
    (Outcome.UNDECIDED.value, Outcome.UNDECIDED.label, "#9e9d24"),
    (Outcome.NOT_ATTEMPTED.value, Outcome.NOT_ATTEMPTED.label, "#bdbdbd"),
    (NOT_GRADED, "not graded", "#546e7a"),
)
BAR = "#3f6fb5"
DPI = 100


def write_report(out: Path, names: list[str], results: list[dict], course: Assignment,
                 counted: Tally, write) -> Path:
    """Draw and write ``out/report.html`` with ``write(path, text)`` (an
    atomic writer); returns its path."""
    path = Path(out) / REPORT
    write(path, render(names, results, course, counted))
    return path


def render(names: list[str], results: list[dict], course: Assignment, counted: Tally) -> str:
    """The page's HTML for the students ``names`` with ``results`` (in the
    same order)."""
    rows = [_row(name, data, course) for name, data in zip(names, results)]
    totals = [r["total"] for r in rows]
    texts = misconception_texts(course)
    misconceptions = [{
        "title": texts.get(ident, (ident, ""))[0] or ident, "id": ident, "check": check,
        "hint": texts.get(ident, ("", ""))[1], "count": n,
        "students": [{"name": s, "href": _href(s, "feedback.txt")}
                     for s in counted.who.get((ident, check), ())],
    } for (ident, check), n in ranked(counted)]
    hints = [{"function": function, "students": sum(levels.values()),
              "levels": sorted(levels.items())}
             for function, levels in sorted(counted.hints.items(),
                                            key=lambda kv: (-sum(kv[1].values()), kv[0]))]
    summary = {
        "students": len(rows),
        "graded": sum(1 for r in rows if r["graded"]),
        "mean": statistics.fmean(totals) if totals else None,
        "median": statistics.median(totals) if totals else None,
    }
    figures = {}
    if rows:
        figures = {
            "totals": _png(_totals_figure(totals, course.points)),
            "exercises": _png(_exercises_figure(rows, course)),
            "checks": _png(_checks_figure(counted, course)),
        }
    return pages.render(
        TEMPLATE, course=course, rows=rows, summary=summary, figures=figures,
        misconceptions=misconceptions, hints=hints, max_level=max(
            (level for h in hints for level, _ in h["levels"]), default=0),
        outcomes=OUTCOME_COLOURS)


def _row(name: str, data: dict, course: Assignment) -> dict:
    per_module = dict.fromkeys(course.modules, 0.0)
    for test in data.get("tests", []):
        per_module[test["tags"][0]] += test["score"]
    extra = data.get("extra_data", {}) if isinstance(data.get("extra_data"), dict) else {}
    return {"name": name, "modules": [per_module[m] for m in course.modules],
            "total": float(data.get("score", 0)), "status": str(extra.get("status", "")),
            "graded": str(extra.get("status", "")).startswith("graded"),
            "feedback": _href(name, "feedback.txt"), "results": _href(name, "results.json")}


def _href(student: str, file: str) -> str:
    """A relative link from OUT/report.html to the student's file."""
    return f"{quote(student)}/{file}"


# ------------------------------------------------------------ the pictures

def _png(figure: Figure) -> str:
    """``figure`` as a data: URI of a PNG (no metadata: the same data draws
    the same bytes)."""
    buffer = io.BytesIO()
    FigureCanvasAgg(figure)
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return png_uri(buffer.getvalue())


def _edges(points: float, most: int) -> list[float]:
    """Equal bins from 0 to ``points``: as many as possible up to ``most``
    that each span a whole number of points (25 points: 5 bins of 5)."""
    whole = float(points).is_integer() and points >= 1
    bins = max((n for n in range(1, most + 1) if points % n == 0), default=most) \
        if whole else most
    return [points * i / bins for i in range(bins + 1)]


def _style(ax, xlabel: str, ylabel: str = "students") -> None:
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.yaxis.get_major_locator().set_params(integer=True)


def _totals_figure(totals: list[float], points: float) -> Figure:
    figure = Figure(figsize=(7.2, 2.8))
    figure.subplots_adjust(left=0.08, right=0.98, top=0.88, bottom=0.17)
    ax = figure.subplots()
    ax.hist(totals, bins=_edges(points, 20), color=BAR, edgecolor="white")
    ax.set_xlim(0, points)
    ax.set_title(f"Totals (out of {points:g})", loc="left", fontsize=11)
    _style(ax, "total points")
    return figure


def _exercises_figure(rows: list[dict], course: Assignment) -> Figure:
    n = len(course.exercises)
    figure = Figure(figsize=(2.6 * n, 2.5))
    figure.subplots_adjust(left=0.22 / n, right=0.99, top=0.87, bottom=0.18, wspace=0.3)
    axes = figure.subplots(1, n, squeeze=False)[0]
    for i, (ax, exercise) in enumerate(zip(axes, course.exercises)):
        scores = [r["modules"][i] for r in rows]
        ax.hist(scores, bins=_edges(exercise.points, 10), color=BAR, edgecolor="white")
        ax.set_xlim(0, exercise.points)
        ax.set_title(f"{exercise.module} ({exercise.points:g})", loc="left", fontsize=10)
        _style(ax, "points", "students" if i == 0 else "")
    return figure


def _checks_figure(counted: Tally, course: Assignment) -> Figure:
    labels = [f"{e.module}: {c.name}" for e in course.exercises for c in e.checks]
    # Fixed margins (a layout engine would measure every label, twice the
    # drawing's cost): room on the left for the longest label, at ~0.062 in
    # a character of 8.5 pt.
    width, height = 10.0, 0.34 * len(labels) + 1.1
    left = min(0.6, (0.062 * max(map(len, labels), default=10) + 0.25) / width)
    figure = Figure(figsize=(width, height))
    figure.subplots_adjust(left=left, right=0.98, top=1 - 0.55 / height,
                           bottom=0.5 / height)
    ax = figure.subplots()
    ys = range(len(labels))
    left = [0] * len(labels)
    for value, label, colour in OUTCOME_COLOURS:
        counts = [counted.outcomes[name][value] for name in labels]
        if not any(counts):
            continue
        ax.barh(ys, counts, left=left, color=colour, label=label, height=0.7)
        left = [a + b for a, b in zip(left, counts)]
    ax.set_yticks(list(ys), labels, fontsize=8.5)
    ax.invert_yaxis()
    ax.set_xlim(0, max(counted.students, 1))
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("students")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=7, frameon=False,
              fontsize=8.5)
    return figure
