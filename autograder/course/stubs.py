"""Student stubs generated from the reference solutions.

The reference solutions in ``solutions/`` mark the body of every graded
function with nbgrader's solution markers::

    def df(x):
        \"\"\"...\"\"\"
        ### BEGIN SOLUTION
        return 9 * x**2 - 4 * x + 1
        ### END SOLUTION

The student stub in ``exercises/`` is the same file with each marked region,
markers included, replaced by nbgrader's own stub text at the marker's
indentation::

        # YOUR CODE HERE
        raise NotImplementedError()

Everything outside the markers (docstrings, signatures, given code,
imports) is copied byte for byte. ``exercises/`` is committed; regenerate it
after editing a solution with::

    python -m autograder make-stubs

A test fails when the committed stubs differ from what this module makes.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from pathlib import Path

BEGIN_MARKER = "### BEGIN SOLUTION"
END_MARKER = "### END SOLUTION"
STUB_LINES = ("# YOUR CODE HERE", "raise NotImplementedError()")

# A marker is a comment line on its own. Any number of '#' is accepted so
# that a mistyped "## BEGIN SOLUTION" is still a marker, not leaked code.
_MARKER = re.compile(r"^([ \t]*)#+[ \t]*(BEGIN|END) SOLUTION[ \t]*$")


def _split_eol(line: str) -> tuple[str, str]:
    """Split ``line`` into its text and its line ending ('' on the last line)."""
    text = line.rstrip("\r\n")
    return text, line[len(text):]


def render_stub(source: str) -> str:
    """Return ``source`` with every solution region replaced by the stub lines.

    Raises ValueError, naming the line number, on an END marker without a
    BEGIN, a BEGIN inside an open region, or a BEGIN that is never closed.
    """
    out: list[str] = []
    open_line = 0  # line number of the open BEGIN marker, 0 when none
    indent = begin_eol = ""
    # StringIO(newline='') splits where Python does (\n, \r\n, \r) and keeps the
    # line endings; str.splitlines() would also split at \f, \x1c, \u2028, ...
    for number, line in enumerate(io.StringIO(source, newline=""), start=1):
        text, eol = _split_eol(line)
        match = _MARKER.match(text)
        kind = match.group(2) if match else None
        if kind == "BEGIN":
            if open_line:
                raise ValueError(
                    f"line {number}: {BEGIN_MARKER!r} inside the solution region "
                    f"opened on line {open_line}; add {END_MARKER!r} before it"
                )
            open_line, indent, begin_eol = number, match.group(1), eol
        elif kind == "END":
            if not open_line:
                raise ValueError(
                    f"line {number}: {END_MARKER!r} without a matching "
                    f"{BEGIN_MARKER!r} before it"
                )
            out.append(f"{indent}{STUB_LINES[0]}{begin_eol}")
            out.append(f"{indent}{STUB_LINES[1]}{eol}")
            open_line = 0
        elif not open_line:
            out.append(line)
    if open_line:
        raise ValueError(
            f"line {open_line}: {BEGIN_MARKER!r} is never closed; "
            f"add {END_MARKER!r} after the solution"
        )
    return "".join(out)


def _render_file(path: Path) -> str:
    # Bytes in, bytes out: read_text() would translate line endings.
    try:
        return render_stub(path.read_bytes().decode("utf-8"))
    except ValueError as err:  # UnicodeDecodeError is a ValueError too
        raise ValueError(f"{path}: {err}") from err


def _write_atomically(path: Path, text: str) -> None:
    # A temporary file in the same directory, then a rename: a reader sees
    # the old stub or the new one, never half of one.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; stubs are ordinary files
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def write_stubs(solutions_dir: Path, exercises_dir: Path) -> list[Path]:
    """Render every ``*.py`` of ``solutions_dir`` (and of its subfolders,
    one per assignment) into the same place under ``exercises_dir``.

    All files are rendered before any is written, so a bad marker leaves
    ``exercises_dir`` untouched; its ValueError names the file. Each stub is
    written atomically. Returns the paths written, in sorted order.
    """
    solutions_dir, exercises_dir = Path(solutions_dir), Path(exercises_dir)
    if not solutions_dir.is_dir():
        raise FileNotFoundError(f"{solutions_dir}: no such directory of solutions")
    stubs = {
        exercises_dir / name: _render_file(source)
        for name, source in sorted(_sources(solutions_dir).items())
    }
    for path, text in stubs.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(path, text)
    return list(stubs)


def _sources(folder: Path) -> dict[str, Path]:
    """The ``*.py`` files of ``folder`` and of its subfolders one level down
    (one per assignment: ``solutions/calculus/``, ``solutions/optimizers/``),
    by their path relative to ``folder``."""
    return {path.relative_to(folder).as_posix(): path
            for pattern in ("*.py", "*/*.py") for path in folder.glob(pattern)
            if path.is_file()}


def stub_differences(solutions_dir: Path, exercises_dir: Path) -> list[str]:
    """Return the sorted relative paths of ``*.py`` files (``calculus/neuron.py``)
    where ``exercises_dir`` is stale.

    A name is listed when its stub differs from what ``render_stub`` makes
    of the solution, when the stub is missing, or when ``exercises_dir``
    holds a ``.py`` file that has no solution.
    """
    solutions_dir, exercises_dir = Path(solutions_dir), Path(exercises_dir)
    solutions = _sources(solutions_dir)
    exercises = _sources(exercises_dir)
    stale = []
    for name in sorted(solutions.keys() | exercises.keys()):
        if name not in solutions or name not in exercises:
            stale.append(name)
            continue
        expected = _render_file(solutions[name]).encode("utf-8")
        if exercises[name].read_bytes() != expected:
            stale.append(name)
    return stale
