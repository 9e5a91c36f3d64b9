"""What a class gets: one assignment's stubs, without the answers.

``python -m autograder handout OUT --assignment NAME`` writes the folder
(or the template repository) students start from:

- the assignment's stubs, copied from ``exercises/NAME/`` (made from the
  reference by ``make-stubs``: every solution region replaced by
  ``raise NotImplementedError()``), byte for byte;
- ``README.md`` for students: what to write, how to install the grader,
  how to grade (``python -m autograder grade .`` or ``pytest``), where the
  hints are;
- ``requirements.txt`` naming the grader's package spec, and a
  ``pyproject.toml`` that only tells pytest what to grade;
- with GitHub Classroom, ``.github/workflows/classroom.yml`` as
  :mod:`autograder.channels.github_classroom` writes it.

No solution goes in: the stubs are refused when they differ from what
``make-stubs`` makes of the reference, or hold a solution marker, and the
folder is searched for every solution region of the reference (as syntax
trees, so re-indenting or reformatting does not hide one) before it is
moved into place.  The folder is built in a temporary folder beside OUT and
renamed into place, so OUT is whole or untouched.
"""

from __future__ import annotations

import ast
import contextlib
import os
import re
import shutil
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

from autograder.channels.report import write_atomic

DIST = "calculus-autograder"
GITIGNORE = ".venv/\n__pycache__/\n.pytest_cache/\n*.pyc\n"
KEEP = ".git"   # kept when --force replaces an OUT (a clone of the template repository)


class HandoutError(ValueError):
    """The handout cannot be written; the message says what to do."""


@dataclass(frozen=True)
class Handout:
    """What to hand out: the assignment's name and where its stubs and
    reference are; ``package_spec`` is what students' pip installs;
    ``workflow`` is the GitHub Classroom workflow's text, or None."""
    assignment: str
    exercises: Path
    solutions: Path | None
    package_spec: str
    workflow: str | None = None


def default_package_spec() -> str:
    """This grader, pinned to the installed version (it installs only
    where an index serves it: give a wheel's URL otherwise)."""
    from importlib.metadata import PackageNotFoundError, version
    try:
        return f"{DIST}=={version(DIST)}"
    except PackageNotFoundError:
        return DIST


# ------------------------------------------------------------- the files

def stub_files(assignment, exercises: Path, solutions: Path | None) -> dict[str, bytes]:
    """``{module.py: stub}`` for every module of ``assignment``, read from
    ``exercises``; HandoutError when one is missing, holds a solution
    marker, or (where the reference is at hand) is not what ``make-stubs``
    makes of it."""
    from autograder.course.stubs import _MARKER, render_stub
    files = {}
    for module in assignment.modules:
        path = exercises / f"{module}.py"
        if path.is_symlink() or not path.is_file():
            raise HandoutError(f"{path}: no such stub; run `python -m autograder make-stubs` "
                               "in the repository (or give --exercises)")
        data = path.read_bytes()
        text = data.decode("utf-8", "replace")
        if any(_MARKER.match(line) for line in text.splitlines()):
            raise HandoutError(f"{path} holds a solution marker: it is not a stub; run "
                               "`python -m autograder make-stubs`")
        if solutions is not None:
            reference = solutions / f"{module}.py"
            if not reference.is_file():
                raise HandoutError(f"{reference}: no such reference solution; give "
                                   "--solutions, the folder holding the reference")
            try:
                expected = render_stub(reference.read_bytes().decode("utf-8")).encode("utf-8")
            except ValueError as exc:
                raise HandoutError(f"{reference}: {exc}") from None
            if data != expected:
                raise HandoutError(f"{path} is out of date with {reference}; run "
                                   "`python -m autograder make-stubs` and commit the result")
        files[path.name] = data
    return files


def readme(assignment, spec: str, classroom: bool) -> str:
    """The students' README.md."""
    rows = []
    for exercise in assignment.exercises:
        rows.append(f"| `{exercise.module}.py` | {exercise.points:g} | "
                    + ", ".join(f"`{f}`" for f in exercise.functions) + " |")
    first = assignment.exercises[0]
    pushed = ("\nEvery push to this repository is graded too (GitHub Classroom: the "
              "*Actions* tab shows each check's feedback, the *Autograding* step the "
              "points). The hidden inputs there are the course's, not yours: the score "
              "you see locally is a rehearsal.\n" if classroom else "")
    return f"""# {assignment.title}

Write the functions in the files below, in this order. Each file's opening
text teaches the idea; each function's docstring says what to compute,
with a worked example. Replace each `raise NotImplementedError()` with your
code.

| file | points | what you write |
|---|---|---|
{chr(10).join(rows)}

## Install (once)

Python 3.10 or newer:

```bash
python3 -m venv .venv
.venv/bin/pip install -r requirements.txt
```

`requirements.txt` installs the grader (`{spec}`), with numpy, sympy and
pytest.

## Grade your work

```bash
.venv/bin/python -m autograder grade .     # the score table and what went wrong
.venv/bin/pytest                           # the same checks, as pytest tests
.venv/bin/python -m autograder grade . --only {first.module}   # one file
```

A function you have not written yet is *not attempted*, with the line of
the `raise NotImplementedError()` to replace. Every check that fails says
what your code returned, what was expected *for that input*, and, when the
grader recognises the mistake, a **hint** about it; `--only
{first.module}:1` grades just one check. The checks use random inputs you
have not seen, so hard-coding the examples does not pass; the seed is
printed, and `--seed N` grades again with the same inputs.
{pushed}"""


def pyproject() -> str:
    return ("# pytest grades this folder (the grader's pytest plugin reads these keys).\n"
            "[tool.pytest.ini_options]\n"
            'submission = "."\n'
            'assignment = "{assignment}"\n')


def build(folder: Path, handout: Handout) -> list[Path]:
    """Write the handout's files into the (existing, empty) ``folder``."""
    from autograder.course import assignment as course_of
    course = course_of(handout.assignment)
    folder = Path(folder)
    written = []

    def put(name: str, data: str | bytes) -> None:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data)
        written.append(path)

    for name, data in stub_files(course, handout.exercises, handout.solutions).items():
        put(name, data)
    put("README.md", readme(course, handout.package_spec, handout.workflow is not None))
    put("requirements.txt", f"{handout.package_spec}\n")
    put("pyproject.toml", pyproject().replace("{assignment}", course.name))
    put(".gitignore", GITIGNORE)
    if handout.workflow is not None:
        from autograder.channels.github_classroom import WORKFLOW, write_workflow
        write_workflow(folder, handout.workflow)
        written.append(folder / WORKFLOW)
    return written


# ------------------------------------------------------ no solution in it

def solution_regions(source: str) -> list[str]:
    """The code of each solution region of a reference file (between
    nbgrader's begin and end markers, see :mod:`autograder.course.stubs`),
    dedented."""
    from autograder.course.stubs import _MARKER
    regions, current = [], None
    for line in source.splitlines():
        match = _MARKER.match(line)
        if match and match.group(2) == "BEGIN":
            current = []
        elif match and match.group(2) == "END":
            if current is not None:
                regions.append(textwrap.dedent("\n".join(current)))
            current = None
        elif current is not None:
            current.append(line)
    return regions


def _statement_lists(tree: ast.AST):
    """Every list of statements in ``tree`` (module, function, class and
    block bodies), docstrings left out."""
    for node in ast.walk(tree):
        for name in ("body", "orelse", "finalbody"):
            body = getattr(node, name, None)
            if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
                if (isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                        and isinstance(body[0].value.value, str)):
                    body = body[1:]
                yield body


def _code_lines(text: str) -> list[str]:
    return [s for line in text.splitlines()
            if (s := re.sub(r"\s+", " ", line.split("#", 1)[0]).strip())]


def reference_leaks(folder: Path, solutions: Path) -> list[str]:
    """Where a solution region of ``solutions/*.py`` appears in a file
    under ``folder`` (as the same statements, however laid out; or, for a
    region that is no whole statement, as the same lines of code), and any
    solution marker or ``solutions`` folder there.  Empty when none does."""
    regions = []
    for reference in sorted(Path(solutions).glob("*.py")):
        for region in solution_regions(reference.read_text(encoding="utf-8")):
            try:
                statements = tuple(ast.dump(s) for s in ast.parse(region).body)
            except SyntaxError:
                statements = None
            regions.append((reference.name, region, statements))
    found = []
    for path in sorted(Path(folder).rglob("*")):
        rel = path.relative_to(folder)
        if path.is_dir():
            if path.name == "solutions":
                found.append(f"{rel}: a solutions folder")
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if "BEGIN SOLUTION" in text or "END SOLUTION" in text:
            found.append(f"{rel}: a solution marker")
        try:
            lists = [tuple(ast.dump(s) for s in body)
                     for body in _statement_lists(ast.parse(text))]
        except (SyntaxError, ValueError):
            lists = []
        lines = " \n ".join(_code_lines(text))
        for name, region, statements in regions:
            if statements:
                n = len(statements)
                hit = any(body[i:i + n] == statements
                          for body in lists for i in range(len(body) - n + 1))
            else:
                code = " \n ".join(_code_lines(region))
                hit = bool(code) and code in lines
            if hit:
                first = _code_lines(region)[0] if _code_lines(region) else region
                found.append(f"{rel}: the solution of {name} ({first!r})")
    return found


# --------------------------------------------------------- into its place

def check_out(out: Path, *, force: bool) -> None:
    out = Path(out)
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise HandoutError(f"{out}: not a folder; give a new or empty folder for the handout")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise HandoutError(f"{out} is not empty; give a new or empty folder, or --force to "
                           f"replace what is in it (a {KEEP} folder is kept)")


def write_handout(out: Path, handout: Handout, *, force: bool = False) -> list[Path]:
    """Build the handout in a temporary folder beside ``out``, check that
    no reference code is in it, and move it into place: ``out`` is then
    the handout, whole (with ``force``, what was in it is replaced, but
    its ``.git``), or, on any error, as it was.  Returns the files, under
    ``out``."""
    out = Path(out)
    check_out(out, force=force)
    parent = out.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.handout-", dir=parent))
    except OSError as exc:
        raise HandoutError(f"{out}: cannot write there ({exc.strerror or exc}); give a "
                           "folder you may write to") from None
    try:
        os.chmod(tmp, 0o777 & ~_umask())
        written = build(tmp, handout)
        if handout.solutions is not None:
            leaks = reference_leaks(tmp, handout.solutions)
            if leaks:
                raise HandoutError("reference code in the handout, nothing written: "
                                   + "; ".join(leaks))
        _move_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [out / p.relative_to(tmp) for p in written]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _move_into_place(tmp: Path, out: Path) -> None:
    """``tmp`` becomes ``out``: a rename (which replaces an empty folder
    in one step); a non-empty ``out`` (``--force``) is moved aside first,
    its ``.git`` moved over, and removed only once the new one is there."""
    if not out.exists():
        os.rename(tmp, out)
        return
    if not any(out.iterdir()):
        os.rename(tmp, out)          # rename(2) replaces an empty folder
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=tmp.parent))
    os.rmdir(aside)
    os.rename(out, aside)
    try:
        if (aside / KEEP).exists():
            os.rename(aside / KEEP, tmp / KEEP)
        os.rename(tmp, out)
    except BaseException:
        with contextlib.suppress(OSError):
            if (tmp / KEEP).exists():
                os.rename(tmp / KEEP, aside / KEEP)
        os.rename(aside, out)        # put the old one back
        raise
    shutil.rmtree(aside, ignore_errors=True)

