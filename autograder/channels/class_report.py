"""What a class got right and wrong, check by check, from its results files.

Two tables for the instructor, rebuilt from every student's results.json
(like grades.csv, so a resumed run counts nobody twice):

- ``checks.csv``: per check, how many students passed it, got it wrong,
  crashed, hit a limit, left it untouched, could not be decided, or handed
  in something that could not be graded at all, and the mean score;
- ``misconceptions.csv``: per recognised misconception, how many students
  showed it, in which check, with its title and the hint they were given:
  what to go over again in class; and who they are (``student_names``,
  appended last, so that programs reading the columns before it by
  position still work): whom to help.

Both for the one assignment the class was graded on.  Outcomes and
misconceptions are read from each test's named fields (its ``extra_data``,
see :func:`autograder.channels.report.gradescope`), never from the tags' positions.
Pure functions on the results' data; the CSV text is written by the caller.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass

from autograder.engine.outcomes import Outcome
from autograder.engine.spec import Assignment

NOT_GRADED = "not_graded"   # handed something in that could not be graded (a broken zip, ...)
CHECK_COLUMNS = ("check", "exercise", "points", "students",
                 *(o.label.replace(" ", "_") for o in Outcome), NOT_GRADED, "mean_score")
MISCONCEPTION_COLUMNS = ("misconception", "check", "students", "title", "hint",
                         "student_names")
NAMES_SEPARATOR = "; "     # between student_names (a folder name may hold a comma)


@dataclass(frozen=True)
class Tally:
    """The class's outcomes per check and its misconceptions, in ``course``."""
    course: Assignment
    outcomes: dict[str, Counter]                 # "module: check name" -> outcome value counts
    scores: dict[str, float]                     # "module: check name" -> summed score
    misconceptions: Counter                      # (misconception id, test name) -> students
    students: int
    who: dict[tuple[str, str], list[str]]        # (misconception id, test name) -> names
    hints: dict[str, Counter]                    # function -> {highest level: students}


def tally(results: list[dict], course: Assignment,
          names: list[str] | None = None) -> Tally:
    """Count outcomes and misconceptions of ``course``'s checks over
    results.json contents (one per student; a student with no tests, say an
    empty folder, counts as not attempted everywhere, and one whose work
    could not be graded at all, a broken zip say, as not graded).
    ``names``: the students' (folder) names, in the order of ``results``,
    to say who showed each misconception.  Hint use is read from each
    results' ``extra_data.hints`` (see :mod:`autograder.channels.hint_log`)."""
    from autograder.intake.submission import EMPTY
    from autograder.channels.hint_log import valid_hints
    outcomes = {name: Counter() for name in _check_names(course)}
    scores = dict.fromkeys(outcomes, 0.0)
    misconceptions: Counter = Counter()
    who: dict[tuple[str, str], list[str]] = {}
    hints: dict[str, Counter] = {}
    names = list(names) if names is not None else [""] * len(results)
    for student, data in zip(names, results):
        extra = data.get("extra_data")
        for function, level in valid_hints(extra.get("hints") if isinstance(extra, dict)
                                           else None).items():
            hints.setdefault(function, Counter())[level] += 1
        seen = set()
        for test in data.get("tests", []):
            name, facts = test.get("name"), test.get("extra_data")
            if name not in outcomes or not isinstance(facts, dict) or "outcome" not in facts:
                continue
            seen.add(name)
            outcomes[name][facts["outcome"]] += 1
            scores[name] += float(test.get("score", 0))
            if facts.get("misconception"):
                misconceptions[(facts["misconception"], name)] += 1
                if student:
                    who.setdefault((facts["misconception"], name), []).append(student)
        status = str(data.get("extra_data", {}).get("status", ""))
        unseen = NOT_GRADED if not seen and not status.startswith(EMPTY) \
            else Outcome.NOT_ATTEMPTED.value
        for name in outcomes.keys() - seen:
            outcomes[name][unseen] += 1
    return Tally(course, outcomes, scores, misconceptions, len(results),
                 {key: sorted(v) for key, v in who.items()}, hints)


def checks_csv(t: Tally) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CHECK_COLUMNS)
    for exercise in t.course.exercises:
        for check in exercise.checks:
            name = f"{exercise.module}: {check.name}"
            counts = t.outcomes[name]
            mean = t.scores[name] / t.students if t.students else 0.0
            writer.writerow([check.name, exercise.module, f"{check.points:g}", t.students,
                             *(counts[o.value] for o in Outcome), counts[NOT_GRADED],
                             f"{mean:.2f}"])
    return buffer.getvalue()


def misconceptions_csv(t: Tally) -> str:
    """Most frequent first."""
    known = _misconceptions(t.course)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(MISCONCEPTION_COLUMNS)
    for (ident, name), n in ranked(t):
        title, hint = known.get(ident, ("", ""))
        writer.writerow([ident, name, n, title, hint,
                         NAMES_SEPARATOR.join(t.who.get((ident, name), ()))])
    return buffer.getvalue()


def ranked(t: Tally) -> list[tuple[tuple[str, str], int]]:
    """((misconception id, test name), students) most frequent first, then by name."""
    return sorted(t.misconceptions.items(), key=lambda kv: (-kv[1], kv[0]))


def most_common(t: Tally, n: int = 3) -> list[str]:
    """Lines such as '12 students: steps taken along the gradient (ascent)
    (gradient_descent: gradient_descent returns the iterates)'."""
    known = _misconceptions(t.course)
    return [f"{count} student{'s' if count != 1 else ''}: "
            f"{known.get(ident, (ident, ''))[0]} ({name})"
            for (ident, name), count in ranked(t)[:n]]


def _check_names(course: Assignment) -> list[str]:
    return [f"{e.module}: {c.name}" for e in course.exercises for c in e.checks]


def misconception_texts(course: Assignment) -> dict[str, tuple[str, str]]:
    """misconception id -> (title, hint) in ``course``."""
    return _misconceptions(course)


def _misconceptions(course: Assignment) -> dict[str, tuple[str, str]]:
    return {m.id: (m.title, m.hint) for e in course.exercises for c in e.checks
            for m in c.misconceptions}
