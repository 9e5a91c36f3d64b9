"""The package's folders show the roles, and imports go one way.

- ``engine/``: exercises as data, the grading loop, judges, tolerance,
  outcomes, limits, expression trees, the seed sweep;
- ``sandbox/``: where student code runs and what crosses its wall;
- ``intake/``: what a user hands in, made into modules to grade;
- ``course/``: the assignments and their exercises, lessons, pictures, stubs;
- ``channels/``: the command line, the pytest plugin, class grading, the
  classroom, Gradescope, GitHub Classroom and the reports they write.

The engine and the sandbox grade whatever assignment they are given: they
import nothing from the course, the intake or the channels.  The course and
the intake build on the engine alone; nothing imports a channel but another
channel.  No module imports itself back through others (function-level
imports included).
"""

from __future__ import annotations

import ast
from pathlib import Path


PACKAGE = Path(__file__).resolve().parents[1] / "autograder"
ROLES = ("engine", "sandbox", "intake", "course", "channels")
# Each role, and the roles it may import.
MAY_IMPORT = {
    "engine": {"engine", "sandbox"},
    "sandbox": {"sandbox", "engine"},
    "intake": {"intake", "engine", "sandbox"},
    "course": {"course", "engine", "sandbox"},
    "channels": set(ROLES),
}


def _name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(p): p for p in PACKAGE.rglob("*.py")}


def imports(path: Path) -> set[str]:
    """The package's modules ``path`` imports, anywhere in the file (a
    name imported from a package counts as that submodule when it is one)."""
    found = set()
    name = _name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base
                       for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target.startswith("autograder") and target != name:
                found.add(target)
    return found


def role(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ROLES else None


def test_every_module_sits_in_a_role_folder():
    loose = sorted(m for m in MODULES if role(m) is None
                   and m not in ("autograder", "autograder.__main__"))
    assert not loose, f"modules outside {', '.join(ROLES)}: {loose}"


def test_imports_go_one_way():
    wrong = []
    for module, path in sorted(MODULES.items()):
        mine = role(module)
        if mine is None:
            continue
        for target in sorted(imports(path)):
            theirs = role(target)
            if theirs is not None and theirs not in MAY_IMPORT[mine]:
                wrong.append(f"{module} ({mine}) imports {target} ({theirs})")
    assert not wrong, "\n".join(wrong)


def test_no_import_cycle():
    graph = {m: imports(p) for m, p in MODULES.items()}
    # A package's __init__ importing its own submodules is how packages
    # gather their parts, not a cycle.
    graph = {m: {t for t in ts if not t.startswith(m + ".")} for m, ts in graph.items()}
    cycles, index, low, stack, on_stack, counter = [], {}, {}, [], set(), [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert not cycles, "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_the_checker_sees_imports():
    """The rules above would pass on a reader that saw nothing."""
    runner = imports(MODULES["autograder.engine.runner"])
    assert "autograder.engine.judging" in runner and "autograder.sandbox.client" in runner
    cli = imports(MODULES["autograder.channels.cli"])
    assert any(m.startswith("autograder.course") for m in cli)
