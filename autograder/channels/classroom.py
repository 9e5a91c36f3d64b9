"""Generate an nbgrader course from ``solutions/<assignment>/`` and the exercises.

    python -m autograder classroom COURSE_DIR [--assignment calculus] [--seed N]

writes ``COURSE_DIR/nbgrader_config.py`` and one notebook per exercise of
the assignment in ``COURSE_DIR/source/<assignment>/``.  Each notebook opens
with the exercise's lesson (:attr:`autograder.engine.spec.Exercise.lesson`),
then for every function: the text that introduces it, a solution cell (the
reference code between nbgrader's ``### BEGIN/END SOLUTION`` markers), one
autograded test cell per check with the contract's points, and the
lesson's picture, if it has one there.  A test cell
calls :func:`autograder.channels.notebook.require` with the public seed, then, in a
``### BEGIN HIDDEN TESTS`` block, with the course's secret seed.

A refresh rewrites only what this command wrote and nobody changed since:
``COURSE_DIR/.autograder-classroom.json`` keeps the seed and a hash of every
file written, and a file edited since is kept (``--force`` replaces it).
"""

from __future__ import annotations

import ast
import hashlib
import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from autograder.course import assignment as find_assignment
from autograder.channels.report import write_atomic
from autograder.engine.spec import Exercise

MANIFEST = ".autograder-classroom.json"
COURSE_ID = "calculus-for-deep-learning"
SOLUTION = "### BEGIN SOLUTION"

# After every lesson's opening: how a classroom notebook works.
HOW_TO = """\
**How this notebook works.** Run the first code cell, then work from top
to bottom. Replace each `raise NotImplementedError()` with your code. After
each function a grey *test cell* runs the grader's checks on it and tells
you what is right or wrong; you can also call `check("<function>")` in any
cell, and `hint("<function>")` when you are stuck (the idea first; ask
again for more). Each hint you ask for is noted in the notebook you hand
in. The grader also tries
inputs you have not seen, so write the general rule, not the worked
example."""

CONFIG = '''\
# nbgrader's settings for this course, written by `python -m autograder classroom`.
# Yours to edit: a refresh leaves this file alone once you have changed it.
c = get_config()  # noqa: F821  (nbgrader provides get_config)

c.CourseDirectory.course_id = "{course_id}"

# The test cells call the grading engine, which runs each notebook's code in
# its own sandbox with the contract's limits (10 s per exercise by default;
# AUTOGRADER_TIMEOUT in the environment nbgrader runs in sets another); the
# first check of a notebook also starts the sandbox.  Give a cell time.
c.Execute.timeout = 120

# What replaces each solution region in the released notebooks.
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}

# Feedback shows each test cell without its hidden part, so the secret seed
# stays secret; the cell's output still says what went wrong.
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import ClearHiddenTests, GetGrades  # noqa: E402

c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]
'''


class ClassroomError(ValueError):
    """The course cannot be written (bad folder, missing solutions)."""


# ------------------------------------------------------------ the solutions

@dataclass(frozen=True)
class Piece:
    """A top-level piece of a solution module: its code and, for a function
    the student writes, the function's name."""
    code: str
    graded_function: str | None


def split_solution(source: str, path: Path) -> list[Piece]:
    """The module's top-level statements in order, each with the comment
    lines right above it; the docstring is left out (the lesson replaces it)."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ClassroomError(f"{path}: line {exc.lineno}: {exc.msg}; fix the solution file") \
            from None
    lines = source.splitlines()
    pieces = []
    for i, node in enumerate(tree.body):
        if i == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        while first > 1 and lines[first - 2].lstrip().startswith("#"):
            first -= 1
        last = node.end_lineno
        # Comments indented under the last statement still belong to it
        # (a function's closing ### END SOLUTION, say).
        while last < len(lines) and lines[last][:1] in (" ", "\t") \
                and lines[last].lstrip().startswith("#"):
            last += 1
        code = "\n".join(lines[first - 1:last])
        graded = node.name if isinstance(node, ast.FunctionDef) and SOLUTION in code else None
        pieces.append(Piece(code, graded))
    return pieces


# ------------------------------------------------------------------ cells

def _meta(grade_id: str, *, grade=False, solution=False, locked=False, points=None) -> dict:
    data = {"grade": grade, "grade_id": grade_id, "locked": locked,
            "schema_version": 3, "solution": solution}
    if points is not None:
        data["points"] = points
    return {"nbgrader": data}


def test_cell_source(check_name: str, function: str, points: float, seed: int) -> str:
    return (f"# Test cell: {check_name!r} ({points:g} points).\n"
            f"# It runs the grader's check on your {function}; check({function!r}) shows "
            "the same feedback.\n"
            "from autograder.channels.notebook import require   # the grader's own, whatever a cell "
            "defined\n"
            f"require({check_name!r})\n"
            "### BEGIN HIDDEN TESTS\n"
            f"require({check_name!r}, seed={seed})\n"
            "### END HIDDEN TESTS")


def setup_source(drawn: dict[str, set[str]], show_solutions: bool) -> str:
    """The notebook's first code cell: the grader's commands, the course's
    setting for ``solution()``, and the picture functions."""
    imports = ["from autograder.channels.notebook import check, hint, require, set_course, "
               "solution"]
    imports += [f"from {module} import {', '.join(sorted(names))}"
                for module, names in sorted(drawn.items())]
    setting = (f"set_course(solutions={show_solutions})   # the course's setting: "
               + ("solution() shows the reference" if show_solutions
                  else "solution() shows nothing"))
    return ("# Run this cell first: it loads the grader (check, hint, require, solution).\n"
            + "\n".join(imports) + "\n" + setting)


def build_notebook(exercise: Exercise, pieces: list[Piece], seed: int, origin: Path, *,
                   show_solutions: bool = False):
    """The exercise's notebook from the ``pieces`` of its reference
    solution (read from ``origin``, named in errors); ``show_solutions``:
    whether ``solution()`` shows the reference in it."""
    import nbformat.v4 as v4
    lesson = exercise.lesson
    if lesson is None:
        raise ClassroomError(f"exercise {exercise.module} has no lesson; give its Exercise "
                             "a Lesson in its course module")
    cells = [v4.new_markdown_cell(f"{lesson.intro}\n\n{HOW_TO}")]
    drawn: dict[str, set[str]] = {}
    for picture in lesson.pictures.values():
        drawn.setdefault(picture.module, set()).add(picture.draw)
    cells.append(v4.new_code_cell(setup_source(drawn, show_solutions),
                                  metadata=_meta(f"setup-{exercise.module}", locked=True)))
    given = [p.code for p in pieces if p.graded_function is None]
    if given:
        cells.append(v4.new_markdown_cell("Given code (read-only): run it, do not change it."))
        cells.append(v4.new_code_cell("\n\n\n".join(given),
                                      metadata=_meta(f"given-{exercise.module}", locked=True)))
    written = set()
    for piece in pieces:
        function = piece.graded_function
        if function is None:
            continue
        written.add(function)
        if function in lesson.before:
            cells.append(v4.new_markdown_cell(lesson.before[function]))
        cells.append(v4.new_code_cell(piece.code, metadata=_meta(function, solution=True)))
        checks = [c for c in exercise.checks if c.function == function]
        for k, c in enumerate(checks):
            grade_id = f"test-{function}" + (f"-{k + 1}" if k else "")
            cells.append(v4.new_code_cell(test_cell_source(c.name, function, c.points, seed),
                                          metadata=_meta(grade_id, grade=True, locked=True,
                                                         points=c.points)))
        if function in lesson.pictures:
            picture = lesson.pictures[function]
            cells.append(v4.new_markdown_cell(picture.text))
            cells.append(v4.new_code_cell(picture.code))
    missing = set(exercise.functions) - written
    if missing:
        raise ClassroomError(f"{origin}: no solution region in "
                             f"{', '.join(sorted(missing))}; every graded function needs "
                             "### BEGIN SOLUTION / ### END SOLUTION")
    cells.append(v4.new_markdown_cell(
        "## Before you submit\n\nRestart the kernel and run all cells (Kernel → Restart & "
        "Run All): the grader sees the cells as they run from top to bottom. "
        "`check(\"<function>\")` shows the feedback on any function of this notebook."))
    for i, cell in enumerate(cells):   # stable ids: a refresh changes only what changed
        cell["id"] = cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell-{i}"
    notebook = v4.new_notebook(cells=cells)
    notebook.metadata.update({
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    })
    return notebook


# ----------------------------------------------------------------- writing

@dataclass(frozen=True)
class Written:
    path: Path
    action: str   # created, updated, unchanged, kept


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _load_manifest(course: Path) -> dict:
    path = course / MANIFEST
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("files", {}), dict):
            raise ValueError("not an object with a 'files' table")
        return data
    except (ValueError, OSError) as exc:
        raise ClassroomError(f"{path}: cannot read it ({exc}); it records what this command "
                             "wrote. Restore it, or delete it to start over (every file "
                             "then counts as yours and is kept unless you pass --force)") from None


def _place(course: Path, relative: str, text: str, manifest: dict, force: bool) -> Written:
    path = course / relative
    files = manifest.setdefault("files", {})
    if path.exists():
        current = path.read_text(encoding="utf-8", errors="replace")
        if current == text:
            files[relative] = _digest(text)
            return Written(path, "unchanged")
        if not force and files.get(relative) != _digest(current):
            return Written(path, "kept")
        action = "updated"
    else:
        action = "created"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text)
    files[relative] = _digest(text)
    return Written(path, action)


def make_course(course: Path, *, solutions: Path, assignment: str = "calculus",
                seed: int | None = None, force: bool = False,
                show_solutions: bool | None = None) -> tuple[int, list[Written]]:
    """Create or refresh the course's notebooks of ``assignment`` (one of
    the course's, by name) from its reference ``solutions``; returns the
    secret seed and what was done per file.  Every assignment of a course
    shares its seed, and its setting ``show_solutions`` (whether the
    notebooks' ``solution()`` shows the reference; None: kept from the last
    run, off the first time)."""
    import nbformat
    course = Path(course)
    try:
        graded = find_assignment(assignment)
    except ValueError as exc:
        raise ClassroomError(f"--assignment: {exc}") from None
    if course.exists() and not course.is_dir():
        raise ClassroomError(f"{course}: is a file; give a folder for the course")
    if not solutions.is_dir():
        raise ClassroomError(f"{solutions}: no such folder; give the folder of the reference "
                             f"solutions with --solutions (solutions/{assignment}/ in the "
                             "repository)")
    manifest = _load_manifest(course)
    if seed is None:
        seed = manifest.get("seed")
        if not isinstance(seed, int):
            seed = secrets.randbelow(2**31)
    manifest["seed"] = seed
    if show_solutions is None:
        show_solutions = manifest.get("show_solutions") is True
    manifest["show_solutions"] = bool(show_solutions)
    manifest["assignments"] = sorted({*manifest.get("assignments", ()), assignment})
    manifest.pop("assignment", None)     # written by earlier versions
    # Everything is made before anything is written: a solution that does
    # not parse stops the run with the course as it was.
    files = {"nbgrader_config.py": CONFIG.format(course_id=COURSE_ID)}
    for exercise in graded.exercises:
        path = solutions / f"{exercise.module}.py"
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ClassroomError(f"{path}: cannot read it ({exc})") from None
        notebook = build_notebook(exercise, split_solution(source, path), seed, path,
                                  show_solutions=show_solutions)
        files[f"source/{assignment}/{exercise.module}.ipynb"] = nbformat.writes(notebook) + "\n"
    course.mkdir(parents=True, exist_ok=True)
    done = []
    for relative, text in files.items():
        done.append(_place(course, relative, text, manifest, force))
        # Recorded after every file, so a run stopped half-way still knows
        # which files are its own.
        write_atomic(course / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return seed, done


def answer_release(release: Path, target: Path, modules: dict[str, str]) -> None:
    """Write into ``target`` the released notebooks answered with the
    functions of ``modules`` ({module: source of a .py submission}): the
    notebook form of a folder submission, for comparing the two ways of
    grading.  A solution cell whose function a module lacks stays a stub."""
    import nbformat
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(Path(release).glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        source = modules.get(path.stem, "")
        answers = {n.name: ast.get_source_segment(source, n) for n in ast.parse(source).body
                   if isinstance(n, ast.FunctionDef)}
        for cell in notebook.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if cell.metadata.get("nbgrader", {}).get("solution") and grade_id in answers:
                cell.source = answers[grade_id]
        nbformat.write(notebook, target / path.name)
