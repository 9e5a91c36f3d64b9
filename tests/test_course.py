"""The course is complete: every exercise of every assignment carries what
each channel needs of it, so a missing piece fails here, named, and never
as a KeyError in a student's notebook or in the middle of a classroom build."""

from __future__ import annotations

import ast
import importlib

import pytest

from autograder.course import ASSIGNMENTS
from autograder.engine.spec import Exercise

from conftest import ROOT

EXERCISES = [(a.name, e) for a in ASSIGNMENTS.values() for e in a.exercises]


def defined_functions(path) -> set[str]:
    return {n.name for n in ast.parse(path.read_text(encoding="utf-8")).body
            if isinstance(n, ast.FunctionDef)}


def gaps(assignment: str, exercise: Exercise) -> list[str]:
    """What ``exercise`` lacks, each in words that say where to add it."""
    where = f"{assignment}/{exercise.module}"
    found = []
    lesson = exercise.lesson
    if lesson is None:
        found.append(f"{where}: no lesson: give its Exercise a Lesson(intro=..., hints=...) "
                     "in its course module")
    else:
        if not lesson.intro.strip():
            found.append(f"{where}: its lesson has no intro")
        for function in exercise.functions:
            if not lesson.hints.get(function, "").strip():
                found.append(f"{where}: no hint for {function} in its lesson's hints")
        for table in ("before", "hints", "pictures", "on_failure"):
            for function in set(getattr(lesson, table)) - set(exercise.functions):
                found.append(f"{where}: lesson.{table} names {function!r}, which no check "
                             "grades")
        for function, picture in [*lesson.pictures.items(), *lesson.on_failure.items()]:
            try:
                drawn = getattr(importlib.import_module(picture.module), picture.draw, None)
            except ImportError:
                drawn = None
            if not callable(drawn):
                found.append(f"{where}: the picture after {function} draws with "
                             f"{picture.module}.{picture.draw}, which does not exist")
            for argument in set(picture.arguments) - set(exercise.functions):
                found.append(f"{where}: the picture after {function} is handed {argument!r}, "
                             "which is not one of the exercise's functions")
    solution = ROOT / "solutions" / assignment / f"{exercise.module}.py"
    if not solution.is_file():
        found.append(f"{where}: no reference solution {solution.relative_to(ROOT)}")
    else:
        for function in sorted(set(exercise.functions) - defined_functions(solution)):
            found.append(f"{where}: {solution.relative_to(ROOT)} does not define {function}")
    stub = ROOT / "exercises" / assignment / f"{exercise.module}.py"
    if not stub.is_file():
        found.append(f"{where}: no stub {stub.relative_to(ROOT)} (python -m autograder "
                     "make-stubs writes it from the solution)")
    return found


@pytest.mark.parametrize("assignment, exercise", EXERCISES,
                         ids=[f"{a}-{e.module}" for a, e in EXERCISES])
def test_every_exercise_has_a_lesson_hints_a_solution_and_a_stub(assignment, exercise):
    found = gaps(assignment, exercise)
    assert not found, "\n".join(found)


def test_a_missing_lesson_or_hint_is_named():
    """The check above can fail, and says what is missing where."""
    import dataclasses
    name, exercise = EXERCISES[0]
    bare = dataclasses.replace(exercise, lesson=None)
    assert gaps(name, bare)[0].startswith(f"{name}/{exercise.module}: no lesson")
    one_short = dataclasses.replace(exercise, lesson=dataclasses.replace(
        exercise.lesson, hints={f: h for f, h in exercise.lesson.hints.items()
                                if f != exercise.functions[0]}))
    assert gaps(name, one_short) == [f"{name}/{exercise.module}: no hint for "
                                     f"{exercise.functions[0]} in its lesson's hints"]
    elsewhere = dataclasses.replace(exercise, module="nowhere")
    assert any("no reference solution" in g for g in gaps(name, elsewhere))
    assert any("no stub" in g for g in gaps(name, elsewhere))


def test_questions_are_unique_in_the_course():
    """check("<function>") and the test cells' require("<check name>") find
    their exercise in whichever assignment it is: no name may be in two."""
    seen: dict[str, str] = {}
    for assignment, exercise in EXERCISES:
        names = set(exercise.functions) | {c.name for c in exercise.checks}
        for name in names:
            assert name not in seen, (f"{name!r} is in {seen[name]} and in "
                                      f"{assignment}/{exercise.module}")
            seen[name] = f"{assignment}/{exercise.module}"


def test_the_engine_is_told_what_to_grade():
    """The engine's entry points take the assignment (or its exercises) as
    an argument; anything else there (seeds in the wrong place, say) is a
    TypeError before any grading starts."""
    from autograder.course import CALCULUS
    from autograder.engine.runner import as_exercises, grade_seeds, grade_submission, parse_only
    assert as_exercises(CALCULUS) == as_exercises(list(CALCULUS.exercises)) == CALCULUS.exercises
    with pytest.raises(TypeError, match="expected an Assignment or Exercises"):
        grade_seeds(ROOT / "solutions" / "calculus", (0, 71), (0, 71))
    with pytest.raises(TypeError, match="expected an Assignment or Exercises"):
        grade_submission(ROOT / "solutions" / "calculus", ())
    optimizers = ASSIGNMENTS["optimizers"]
    assert parse_only(["adaptive:2", "momentum"], optimizers) == {"adaptive": (2,),
                                                                 "momentum": None}
    with pytest.raises(ValueError, match="no exercise 'neuron' .one of momentum, minibatch"):
        parse_only(["neuron"], optimizers)
