"""Submitted notebooks read as modules, outside any kernel.

An nbgrader submission is ``<module>.ipynb`` where a folder submission has
``<module>.py``.  Graded here, the notebook's code cells become the module
in notebook order, as "Restart & Run All" would run them: each cell inside
``try/except`` (a cell that raises stops there, the next still runs, as
nbgrader runs it), without its test cells, displays and ``%magics``
(see :mod:`autograder.intake.cells`).  No kernel runs, so nothing in the notebook
can touch the judgement: this is the grade no notebook can forge.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
import tokenize
from pathlib import Path

from autograder.intake.cells import LINE_END, Cell, assemble_cells, without_cell_magic

MAX_NOTEBOOK_BYTES = 16 * 1024**2     # as for a zip's members: a notebook with pictures fits

def to_python(source: str) -> str:
    """A cell's text without IPython syntax, on the same lines: a line magic
    or shell escape becomes ``pass``; a %%time or %%capture cell keeps its
    body; any other cell magic gives nothing.  A line that starts with % or
    ! inside a string or brackets, or after a backslash, is Python, and
    stays.

    One pass of the tokenizer over the cell decides it, line by line as the
    tokenizer asks for them: time linear in the cell's length, however many
    magics it holds (re-tokenizing the cell so far at each magic was
    quadratic)."""
    lines = LINE_END.split(without_cell_magic(source))
    out: list[str] = []
    depth, last, failed = 0, None, False

    def at_statement_start() -> bool:
        # The tokenizer has just finished the previous line: a statement
        # starts here when that line ended one (NEWLINE, or NL outside
        # brackets), and not inside a string or after a backslash.
        if failed or not out:
            return True
        return (depth == 0 and last is not None
                and last.type in (tokenize.NEWLINE, tokenize.NL) and last.start[0] == len(out))

    def readline() -> str:
        if len(out) == len(lines):
            return ""
        line = lines[len(out)]
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")) and at_statement_start():
            line = line[:len(line) - len(stripped)] + "pass"
        out.append(line)
        return line + "\n"

    try:
        for token in tokenize.generate_tokens(readline):
            if token.type == tokenize.OP and token.string in "([{":
                depth += 1
            elif token.type == tokenize.OP and token.string in ")]}":
                depth = max(0, depth - 1)
            if token.type not in (tokenize.INDENT, tokenize.DEDENT):
                last = token
    except Exception:       # TokenError, SyntaxError, a tokenizer's own bug: the cell
        failed = True       # cannot run anyway; the rest of its magics become pass
    while readline():
        pass
    return "\n".join(out)


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
    read (too large, not JSON, nested too deeply for the parsers, ...)
    becomes a module that says so when imported: that exercise alone
    fails, the others are graded."""
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            return _refusal(f"{path.name} is larger than the "
                            f"{MAX_NOTEBOOK_BYTES // 1024**2} MiB a notebook may be")
        return assemble_cells(notebook_cells(path), guard=True).source
    except UnicodeDecodeError as exc:
        return _refusal(f"{path.name} is not a readable notebook ({_encoding_hint(path, exc)})")
    except (RecursionError, MemoryError) as exc:
        return _refusal(f"{path.name} is nested too deeply to be read ({type(exc).__name__}); "
                        "a notebook saved by Jupyter never is")
    except (OSError, ValueError) as exc:
        return _refusal(f"{path.name} is not a readable notebook ({type(exc).__name__}: {exc})")


def _refusal(why: str) -> str:
    return f"raise ImportError({why!r})\n"


def _encoding_hint(path: Path, exc: UnicodeDecodeError) -> str:
    from autograder.engine.runner import utf16_hint
    return utf16_hint(path) or f"{type(exc).__name__}: {exc}"


def has_notebooks(folder: Path, modules: tuple[str, ...]) -> bool:
    return any((folder / f"{m}.ipynb").is_file() and not (folder / f"{m}.py").exists()
               for m in modules)


@contextlib.contextmanager
def as_modules(folder: Path, modules: tuple[str, ...]):
    """``folder`` itself when it holds ``modules`` (an assignment's) as
    modules only; else a temporary folder with its modules and, for each
    module submitted as a notebook only, the module that notebook defines."""
    folder = Path(folder)
    if not has_notebooks(folder, modules):
        yield folder
        return
    tmp = Path(tempfile.mkdtemp(prefix="notebooks-"))
    try:
        for module in modules:
            py, nb = folder / f"{module}.py", folder / f"{module}.ipynb"
            linked = next((p for p in (py, nb) if p.is_symlink()), None)
            if py.is_file() and not py.is_symlink():
                shutil.copyfile(py, tmp / py.name)
            elif nb.is_file() and not nb.is_symlink():
                (tmp / py.name).write_text(notebook_module(nb), encoding="utf-8")
            elif linked is not None:   # never followed: it may point anywhere
                (tmp / py.name).write_text(_refusal(
                    f"{linked.name} is a symbolic link; submit the file itself"), encoding="utf-8")
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
