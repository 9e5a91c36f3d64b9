"""From notebook cells to the module the grader grades.

A notebook is graded as the module its cells define: the cells that ran,
in the order they ran, each kept up to the statement that failed (what a
kernel keeps too).  Left out of the module are the notebook's displays
(bare expressions), the grader's own imports, and every statement that
needs a name only the notebook has (``check``, ``get_ipython``, a name
assigned from ``check(...)``, ...), so the module imports wherever the
notebook ran.  Each line of the module remembers the cell and line it came
from, so feedback can point into the notebook.

Pure functions on text: no kernel, no file.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import io
import re
import tokenize
from dataclasses import dataclass

LINE_END = re.compile(r"\r\n|\r|\n")                  # Python's line ends, no others
NOT_CODE = frozenset({"get_ipython", "display"})   # names that only exist in a notebook
GRADER = "autograder"
# Cell magics whose body is ordinary Python that runs in the kernel.
PYTHON_CELL_MAGICS = frozenset({"time", "capture"})


def without_cell_magic(text: str) -> str:
    """A cell's text with a %%time or %%capture line blanked (its body is
    Python, on the same lines), or "" for any other cell magic (%%bash, ...)."""
    if not text.startswith("%%"):
        return text
    first, _, body = text.partition("\n")
    name = first[2:].split()[0] if first[2:].split() else ""
    return "\n" + body if name in PYTHON_CELL_MAGICS else ""


@dataclass(frozen=True)
class Cell:
    """A code cell as it ran: its execution count (None when unknown), its
    Python (IPython syntax already transformed), and, when it raised, the
    line of the cell where it did (and the column, 0 when unknown):
    statements from there on did not run."""
    count: int | None
    source: str
    failed_at: int | None = None
    failed_col: int = 0
    label: str | None = None      # how feedback names the cell; default "cell In [count]"

    @property
    def name(self) -> str | None:
        if self.label is not None:
            return self.label
        return f"cell In [{self.count}]" if self.count is not None else None


@dataclass(frozen=True)
class Module:
    """The assembled module, and where each of its lines came from:
    ``origin[n]`` is (the cell's name or None, line in the cell) for line n."""
    source: str
    origin: dict[int, tuple[str | None, int]]
    tampering: tuple[str, ...] = ()   # what the cells did to the grader itself

    def where(self, line: int) -> str:
        cell, inner = self.origin.get(line, (None, 0))
        if not inner:
            return ""
        return f"line {inner} of {cell}" if cell is not None else f"line {inner}"


def assemble_cells(cells: list[Cell], *, guard: bool = False) -> Module:
    """The module ``cells`` define when run in this order (a cell run twice in
    a row counts once).  With ``guard``, each cell runs inside
    ``try: ... except Exception: pass``: a cell that raises stops there and
    the next one runs, as when nbgrader runs a notebook whose failures are
    not known beforehand."""
    replay: list[Cell] = []
    for cell in cells:
        if replay and replay[-1].source == cell.source and replay[-1].failed_at is None \
                and cell.failed_at is None:
            replay[-1] = cell
        else:
            replay.append(cell)
    unusable = set(NOT_CODE)        # names the module would not have
    out: list[str] = []
    origin: dict[int, tuple[str | None, int]] = {}
    tampering: list[str] = []
    grader_modules: set[str] = set()
    futures: set[str] = set()
    for cell in replay:
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        lines = LINE_END.split(cell.source)             # the lines ast counts
        kept: list[ast.stmt] = []
        for node in tree.body:
            if cell.failed_at is not None and \
                    (node.end_lineno, node.end_col_offset) > (cell.failed_at, cell.failed_col):
                break                                  # it raised here: the rest never ran
            loads, stores = names(node)
            if isinstance(node, ast.ImportFrom) and node.module == "__future__":
                futures.update(a.name for a in node.names)   # hoisted to the top
                continue
            if _awaits(node):                          # top-level await: only a kernel has it
                unusable |= stores
                continue
            if _imports_grader(node):
                unusable |= stores
                grader_modules |= {a.asname or a.name.split(".")[0] for a in node.names
                                   if isinstance(node, ast.Import)}
                if isinstance(node, ast.ImportFrom):
                    grader_modules |= {a.asname or a.name for a in node.names
                                       if _is_module(f"{node.module}.{a.name}")}
                continue
            where = cell.name or "a cell"
            tampering += [f"{where} line {node.lineno}: {what}"
                          for what in patches(node, grader_modules)]
            if isinstance(node, ast.Expr) or loads & unusable:
                unusable |= stores                     # whatever it would have bound
                continue
            unusable -= stores                         # bound anew, usable again
            kept.append(node)
        if not kept:
            continue
        if out:
            out += ["", ""]
        indent = "    " if guard else ""
        if guard:
            out.append("try:")
        in_string = _rows_inside_strings("\n".join(lines))
        last_row = None
        for node in kept:
            rows = _statement_text(lines, node)
            for k, (row, text) in enumerate(rows):
                if k == 0 and row == last_row:
                    out[-1] += "; " + text             # shared a line with the one before
                    continue
                if row in in_string and k > 0:
                    out.append(text)                   # inside a string: as written
                else:
                    out.append(indent + text if text.strip() else "")
                origin[len(out)] = (cell.name, row)
            last_row = rows[-1][0]
        if guard:
            out += ["except Exception:", "    pass"]
    if futures:       # a __future__ import must open the module, wherever the cell put it
        head = [f"from __future__ import {', '.join(sorted(futures))}", ""]
        out = head + out
        origin = {n + len(head): where for n, where in origin.items()}
    return Module("\n".join(out) + "\n", origin, tuple(tampering))


def _statement_text(lines: list[str], node: ast.stmt) -> list[tuple[int, str]]:
    """A top-level statement's own text, row by row: decorators included,
    without any other statement that shares its first or last line."""
    decorators = getattr(node, "decorator_list", [])
    if decorators:
        start, col = min(d.lineno for d in decorators), 0
        while start > 1 and not lines[start - 1].lstrip().startswith("@"):
            start -= 1                                 # "@(" then the expression below
    else:
        start, col = node.lineno, node.col_offset
    end, end_col = node.end_lineno, node.end_col_offset
    rows = []
    for row in range(start, end + 1):
        text = lines[row - 1].encode()            # ast's columns count UTF-8 bytes
        if row == end:
            text = text[:end_col]
        if row == start:
            text = text[col:]
        rows.append((row, text.decode()))
    return rows


def _rows_inside_strings(source: str) -> set[int]:
    """Rows of ``source`` that begin inside a string literal: the only
    lines whose indentation is part of a value."""
    fstring_start = getattr(tokenize, "FSTRING_START", None)   # Python 3.12+
    fstring_end = getattr(tokenize, "FSTRING_END", None)
    rows: set[int] = set()
    depth, opened = 0, 0
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.STRING:
                rows.update(range(tok.start[0] + 1, tok.end[0] + 1))
            elif fstring_start is not None and tok.type == fstring_start:
                depth += 1
                opened = tok.start[0] if depth == 1 else opened
            elif fstring_end is not None and tok.type == fstring_end:
                depth -= 1
                if depth == 0:
                    rows.update(range(opened + 1, tok.end[0] + 1))
    except (tokenize.TokenError, SyntaxError):
        pass
    return rows


def _awaits(node: ast.AST) -> bool:
    """Whether a top-level statement awaits outside any async function (as
    IPython allows): such a statement cannot be part of a module."""
    if isinstance(node, (ast.Await, ast.AsyncFor, ast.AsyncWith)):
        return True
    if isinstance(node, (ast.AsyncFunctionDef, ast.FunctionDef, ast.Lambda, ast.ClassDef)):
        parts = [*node.decorator_list] if not isinstance(node, ast.Lambda) else []
        if isinstance(node, ast.ClassDef):
            parts += [*node.bases, *node.keywords, *node.body]
        return any(_awaits(p) for p in parts)
    if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)) and \
            any(g.is_async for g in node.generators):
        return True
    return any(_awaits(child) for child in ast.iter_child_nodes(node))

# ------------------------------------------------------------- name scopes

def names(node: ast.AST) -> tuple[set[str], set[str]]:
    """(names a top-level statement reads at module scope, names it binds
    there).  Function and lambda bodies run later, in their own scope, so
    only their decorators and defaults count; comprehension variables are
    their own."""
    loads: set[str] = set()
    stores: set[str] = set()
    _scan(node, loads, stores, set())
    return loads, stores


def _scan(node: ast.AST, loads: set[str], stores: set[str], local: set[str]) -> None:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        stores.add(node.name)
        for part in [*node.decorator_list, *node.args.defaults,
                     *[d for d in node.args.kw_defaults if d is not None]]:
            _scan(part, loads, stores, local)
        return
    if isinstance(node, ast.Lambda):
        for part in [*node.args.defaults, *[d for d in node.args.kw_defaults if d is not None]]:
            _scan(part, loads, stores, local)
        return
    if isinstance(node, ast.ClassDef):
        stores.add(node.name)
        for part in [*node.decorator_list, *node.bases, *node.keywords]:
            _scan(part, loads, stores, local)
        attributes: set[str] = set()
        for part in node.body:
            _scan(part, loads, attributes, local)
        return
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        for alias in node.names:
            if alias.name == "*":
                stores.update(_public_names(node))
            else:
                stores.add(alias.asname or alias.name.split(".")[0])
        return
    if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
        own = set(local)
        for generator in node.generators:
            _scan(generator.iter, loads, stores, own)
            _targets(generator.target, own)
            for condition in generator.ifs:
                _scan(condition, loads, stores, own)
        for part in ([node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]):
            _scan(part, loads, stores, own)
        return
    if isinstance(node, ast.Name):
        if isinstance(node.ctx, ast.Load):
            if node.id not in local:
                loads.add(node.id)
        else:
            stores.add(node.id)
        return
    for child in ast.iter_child_nodes(node):
        _scan(child, loads, stores, local)


def _targets(node: ast.AST, into: set[str]) -> None:
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            into.add(n.id)


def _public_names(node: ast.AST) -> set[str]:
    """What ``from M import *`` binds, for the grader's own modules (other
    modules' names are not needed: only the grader's are left out)."""
    if not (isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == GRADER):
        return set()
    try:
        module = importlib.import_module(node.module)
    except ImportError:
        return set()
    return set(getattr(module, "__all__", [n for n in vars(module) if not n.startswith("_")]))


def _imports_grader(node: ast.stmt) -> bool:
    if isinstance(node, ast.ImportFrom):
        return (node.module or "").split(".")[0] == GRADER
    if isinstance(node, ast.Import):
        return any(a.name.split(".")[0] == GRADER for a in node.names)
    return False


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def patches(node: ast.AST, grader_modules: set[str]) -> list[str]:
    """What a statement does to the grader: assigning into one of its
    modules, setattr on one, or reaching it through sys.modules."""
    found = []
    for n in ast.walk(node):
        if isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = n.targets if isinstance(n, (ast.Assign, ast.Delete)) else [n.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and _root(target) in grader_modules | {GRADER}:
                    found.append(f"assigns {ast.unparse(target)}")
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Name) \
                and n.func.id in ("setattr", "delattr") and n.args \
                and _root(n.args[0]) in grader_modules | {GRADER}:
            found.append(f"calls {n.func.id} on {ast.unparse(n.args[0])}")
        elif isinstance(n, ast.Constant) and isinstance(n.value, str) \
                and n.value.startswith(f"{GRADER}.") and _in_sys_modules(node):
            found.append(f"reaches {n.value} through sys.modules")
    return found


def _root(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _in_sys_modules(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Attribute) and n.attr == "modules" for n in ast.walk(node))
