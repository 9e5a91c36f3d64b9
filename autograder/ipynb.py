"""Submitted notebooks read as modules, outside any kernel.

An nbgrader submission is ``<module>.ipynb`` where a folder submission has
``<module>.py``.  Graded here, the notebook's code cells become the module
in notebook order, as "Restart & Run All" would run them: each cell inside
``try/except`` (a cell that raises stops there, the next still runs, as
nbgrader runs it), without its test cells, displays and ``%magics``
(see :mod:`autograder.cells`).  No kernel runs, so nothing in the notebook
can touch the judgement: this is the grade no notebook can forge.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import tempfile
import tokenize
from pathlib import Path

from .cells import LINE_END, Cell, assemble_cells, without_cell_magic
from .curriculum import MODULES

def to_python(source: str) -> str:
    """A cell's text without IPython syntax, on the same lines: a line magic
    or shell escape becomes ``pass``; a %%time or %%capture cell keeps its
    body; any other cell magic gives nothing.  A line that starts with % or
    ! inside a string or brackets is Python, and stays."""
    out: list[str] = []
    for line in LINE_END.split(without_cell_magic(source)):
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")) and not _continues("\n".join(out)):
            line = line[:len(line) - len(stripped)] + "pass"
        out.append(line)
    return "\n".join(out)


def _continues(text: str) -> bool:
    """Whether the next line after ``text`` continues its last statement
    (open brackets, an unfinished string, a backslash)."""
    try:
        for _ in tokenize.generate_tokens(io.StringIO(text + "\n").readline):
            pass
    except tokenize.TokenError:
        return True                                    # EOF inside a statement or string
    except SyntaxError:
        return False
    return False


def notebook_cells(path: Path) -> list[Cell]:
    """The code cells of the notebook at ``path`` that a student wrote or was
    given (nbgrader's test cells left out), named by their place."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise ValueError("no list of cells")
    cells, number = [], 0
    for cell in data["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        number += 1
        meta = cell.get("metadata", {}).get("nbgrader", {}) if isinstance(
            cell.get("metadata"), dict) else {}
        if isinstance(meta, dict) and meta.get("grade") and not meta.get("solution"):
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(str(part) for part in source)
        cells.append(Cell(None, to_python(str(source)), label=f"code cell {number} of {path.name}"))
    return cells


def notebook_module(path: Path) -> str:
    """The module a submitted notebook defines; a notebook that cannot be
    read becomes a module that says so when imported."""
    try:
        return assemble_cells(notebook_cells(path), guard=True).source
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        why = f"{path.name} is not a readable notebook ({type(exc).__name__}: {exc})"
        return f"raise ImportError({why!r})\n"


def has_notebooks(folder: Path) -> bool:
    return any((folder / f"{m}.ipynb").is_file() and not (folder / f"{m}.py").exists()
               for m in MODULES)


@contextlib.contextmanager
def as_modules(folder: Path):
    """``folder`` itself when it holds modules only; else a temporary folder
    with its modules and, for each module submitted as a notebook only, the
    module that notebook defines."""
    folder = Path(folder)
    if not has_notebooks(folder):
        yield folder
        return
    tmp = Path(tempfile.mkdtemp(prefix="notebooks-"))
    try:
        for module in MODULES:
            py, nb = folder / f"{module}.py", folder / f"{module}.ipynb"
            if py.is_file() and not py.is_symlink():
                shutil.copyfile(py, tmp / py.name)
            elif nb.is_file() and not nb.is_symlink():
                (tmp / py.name).write_text(notebook_module(nb), encoding="utf-8")
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
