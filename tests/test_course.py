"""The course is complete: every exercise of every assignment carries what
each channel needs of it, so a missing piece fails here, named, and never
as a KeyError in a student's notebook or in the middle of a classroom build."""

from __future__ import annotations

import ast
import importlib
import re

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
            levels = lesson.hints.get(function, ())
            if isinstance(levels, str) or not all(isinstance(h, str) and h.strip()
                                                  for h in levels):
                found.append(f"{where}: the hints for {function} are not a sequence of "
                             "texts, one per level")
            elif not levels:
                found.append(f"{where}: no hint for {function} in its lesson's hints")
            elif len(levels) < 2:
                found.append(f"{where}: {function} has {len(levels)} hint level; give at "
                             "least two (a nudge first, then more)")
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
    first = exercise.functions[0]
    one_level = dataclasses.replace(exercise, lesson=dataclasses.replace(
        exercise.lesson, hints={**exercise.lesson.hints,
                                first: exercise.lesson.hints[first][:1]}))
    assert gaps(name, one_level) == [f"{name}/{exercise.module}: {first} has 1 hint level; "
                                     "give at least two (a nudge first, then more)"]
    a_string = dataclasses.replace(exercise, lesson=dataclasses.replace(
        exercise.lesson, hints={**exercise.lesson.hints, first: "one text"}))
    assert "not a sequence of texts" in gaps(name, a_string)[0]
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


# ------------------------------------------------------------------ hints

# What reads as code rather than as a sentence: a Python call of a named
# function (``np.exp(``, ``sigmoid(``, ``range(``; one-letter names such as
# the f(x) and σ(z) of mathematics are prose), a return, a module's
# attribute, Python's operators and keywords of a loop.
CODE = re.compile(r"\b[A-Za-z_][A-Za-z_0-9]+\(|\breturn\b|\b(np|math|numpy)\.|\*\*|"
                  r"\blambda\b|[+\-*/]=|==|\bfor \w+ in\b|\bdef\b|\[:|:\]")


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def reference_code(assignment: str, function: str) -> set[str]:
    """Every statement, and every expression of some size, in the body of
    ``function`` of the assignment's reference solution, without spaces."""
    path = ROOT / "solutions" / assignment
    for file in path.glob("*.py"):
        source = file.read_text(encoding="utf-8")
        for node in ast.parse(source).body:
            if isinstance(node, ast.FunctionDef) and node.name == function:
                pieces = set()
                for inner in ast.walk(node):
                    if inner is node or isinstance(inner, (ast.Name, ast.Constant, ast.arg,
                                                           ast.arguments, ast.Load, ast.Store)):
                        continue
                    if isinstance(inner, (ast.expr, ast.stmt)) and inner is not node.body[0]:
                        text = squeezed(ast.get_source_segment(source, inner) or "")
                        if len(text) >= 5:
                            pieces.add(text)
                return pieces
    raise LookupError(f"{function} not in {path}")


HINTS = [(a, e.module, f, h) for a, e in EXERCISES for f, h in e.lesson.hints.items()]


@pytest.mark.parametrize("assignment, module, function, levels", HINTS,
                         ids=[f"{a}-{f}" for a, _, f, _ in HINTS])
def test_no_hint_level_gives_the_reference_code(assignment, module, function, levels):
    """Every level of every hint is prose: none holds a line or an
    expression of the reference's body, and none reads as Python."""
    code = reference_code(assignment, function)
    assert code, f"found no code in the reference's {function}"
    for level, text in enumerate(levels, 1):
        assert not CODE.search(text), (f"{function}, hint level {level} reads as code: "
                                       f"{CODE.search(text).group()!r} in {text!r}")
        given = [piece for piece in code if piece in squeezed(text)]
        assert not given, f"{function}, hint level {level} holds the reference's {given}"


def test_the_code_detector_catches_answers():
    """The check above would catch today's answers (before hints were
    graduated) and passes prose."""
    for answer in ("Return sigmoid(w * x + b).", "1 / (1 + np.exp(-z)) works for arrays",
                   "A dict comprehension: {rate: update_weights(weights, gradients, rate) "
                   "for rate in learning_rates}.", "x ** 2", "dw += delta"):
        assert CODE.search(answer), answer
    assert "1.0/(1.0+np.exp(-z))" in reference_code("calculus", "sigmoid")
    assert "sigmoid(w*x+b)" in reference_code("calculus", "predict")
    assert not CODE.search("σ(z) is one over one plus e to the power minus z; f(x) = 3x³.")


def test_a_function_not_attempted_gets_its_nudge_once(grade):
    """The stubs' feedback carries each function's first hint level (the
    idea, no code) on its first check, and never a later level."""
    from autograder.course import CALCULUS
    from autograder.channels.report import details
    from conftest import EXERCISES as STUBS
    result = grade(STUBS)
    text = details(result)
    for exercise in CALCULUS.exercises:
        checks = result.exercise(exercise.module).checks
        for function in exercise.functions:
            levels = exercise.lesson.hints[function]
            hints = [c.verdict.feedback.hint for c in checks if c.function == function]
            assert hints[0] == levels[0] and not any(hints[1:]), function
            assert text.count(levels[0]) == 1
            assert not any(level in text for level in levels[1:]), function
