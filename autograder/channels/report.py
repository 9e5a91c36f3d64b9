"""Reports of a graded submission: the score table for people and
Gradescope's results.json for machines."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from autograder.channels.feedback import render, render_check
from autograder.engine.outcomes import Outcome, SubmissionResult


def _num(x: float) -> str:
    return f"{x:g}"


def _shown(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return path


def score_table(result: SubmissionResult) -> str:
    """One row per exercise and the total, with what to do next."""
    rows = [f"Graded {_shown(result.submission)} (seed {result.seed})", "",
            f"{'exercise':<18} {'score':>9}   status"]
    for e in result.exercises:
        kinds = [c.outcome for c in e.checks]
        if all(k is Outcome.PASSED for k in kinds):
            status = "all checks passed"
        elif all(k is Outcome.NOT_ATTEMPTED for k in kinds):
            status = f"not attempted: edit {_shown(e.path)}"
        else:
            parts = []
            for k in Outcome:
                n = kinds.count(k)
                if n and k is not Outcome.PASSED:
                    parts.append(f"{n} {k.label}")
            status = ", ".join(parts)
        rows.append(f"{e.module:<18} {_num(e.score) + '/' + _num(e.max_score):>9}   {status}")
    rows.append(f"{'total':<18} {_num(result.score) + '/' + _num(result.max_score):>9}")
    rows.extend(f"note: {n}" for n in result.notes)
    return "\n".join(rows)


def details(result: SubmissionResult, failed_only: bool = True) -> str:
    """Every check that did not pass, with its feedback."""
    blocks = []
    for e in result.exercises:
        for c in e.checks:
            if failed_only and c.outcome is Outcome.PASSED and not c.verdict.feedback.note:
                continue
            blocks.append(render_check(c))
    return "\n\n".join(blocks)


def gradescope(result: SubmissionResult) -> dict:
    """Gradescope's autograder results format: top-level score and tests,
    each test with name, score, max_score, output and tags (module first).
    Each test's ``extra_data`` (Gradescope keeps it, shows it to nobody)
    holds the same facts by name -- module, function, outcome,
    misconception -- for programs that read results back (the class
    report): the tags are for people filtering in Gradescope."""
    tests = []
    for e in result.exercises:
        for c in e.checks:
            tests.append({
                "name": f"{e.module}: {c.name}",
                "score": c.score,
                "max_score": c.points,
                "output": render(c.verdict.feedback),
                "tags": [e.module, c.function, c.outcome.value] +
                        ([f"misconception:{c.verdict.misconception}"]
                         if c.verdict.misconception else []),
                "status": "passed" if c.outcome is Outcome.PASSED else "failed",
                "extra_data": {"module": e.module, "function": c.function,
                               "outcome": c.outcome.value,
                               "misconception": c.verdict.misconception},
            })
    return {
        "score": result.score,
        "output": " ".join((f"Seed {result.seed}: regrade with --seed {result.seed} for the "
                            "same checks.",) + result.notes),
        "tests": tests,
        "extra_data": {"seed": result.seed, "submission": result.submission,
                       "max_score": result.max_score},
    }


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write ``text`` (or bytes) to ``path`` whole or not at all (temp file +
    rename), with the permissions a plain ``open()`` would give (the umask's)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with (os.fdopen(fd, "wb") if isinstance(text, bytes)
              else os.fdopen(fd, "w", encoding="utf-8")) as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_json_atomic(path: Path, data: dict) -> None:
    """``data`` as JSON at ``path``, whole or not at all."""
    write_atomic(path, json.dumps(data, indent=2, allow_nan=False) + "\n")
