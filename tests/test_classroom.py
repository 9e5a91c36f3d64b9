"""The classroom: the course generator, the notebook grader (check, hint,
require) in a real Jupyter kernel, and the pictures."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.channels.classroom import MANIFEST, ClassroomError, make_course, split_solution
from autograder.course import EXERCISES
from autograder.intake.cells import Cell, assemble_cells
from autograder.channels.notebook import HINT_MIME, PUBLIC_SEED, exercise_of
from autograder.course import plots

from conftest import CORPUS, OPTIMIZERS as OPTIMIZER_SOLUTIONS, ROOT, SOLUTIONS


def assemble(cells: list[str]) -> str:
    """The module of cells that all ran without error, counts unknown."""
    return assemble_cells([Cell(None, c) for c in cells]).source


def function_source(path: Path, name: str) -> str:
    """The source of one top-level function of a file."""
    source = path.read_text(encoding="utf-8")
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return ast.get_source_segment(source, node)
    raise LookupError(f"{name} not in {path}")


def nbgrader_cells(notebook, key: str):
    return [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get(key)]


# ------------------------------------------------------------ the generator

@pytest.fixture(scope="module")
def course(tmp_path_factory):
    folder = tmp_path_factory.mktemp("course")
    seed, done = make_course(folder, solutions=SOLUTIONS, seed=1234567)
    assert seed == 1234567
    return folder


def read(course: Path, module: str):
    return nbformat.read(course / "source" / "calculus" / f"{module}.ipynb", as_version=4)


def test_one_notebook_per_exercise_with_the_contracts_points(course):
    total = 0.0
    for exercise in EXERCISES:
        notebook = read(course, exercise.module)
        nbformat.validate(notebook)
        tests = nbgrader_cells(notebook, "grade")
        points = [c.metadata["nbgrader"]["points"] for c in tests]
        assert points == [c.points for c in exercise.checks]
        assert len({c.metadata["nbgrader"]["grade_id"] for c in notebook.cells
                    if "nbgrader" in c.metadata}) == len([c for c in notebook.cells
                                                          if "nbgrader" in c.metadata])
        total += sum(points)
        for cell, check in zip(tests, exercise.checks):
            assert cell.metadata["nbgrader"]["locked"] is True
            assert f"require({check.name!r})" in cell.source
            hidden = cell.source.split("### BEGIN HIDDEN TESTS")[1]
            assert f"require({check.name!r}, seed=1234567)" in hidden
            assert "### END HIDDEN TESTS" in hidden
    assert total == 100


def test_solution_cells_hold_the_reference_between_markers(course):
    notebook = read(course, "gradient_descent")
    solutions = {c.metadata["nbgrader"]["grade_id"]: c.source
                 for c in nbgrader_cells(notebook, "solution")}
    assert set(solutions) == {"gradient_descent", "quadratic_grad", "minimize_quadratic",
                              "critical_learning_rate"}
    for source in solutions.values():
        assert source.index("### BEGIN SOLUTION") < source.index("### END SOLUTION")
    reference = (SOLUTIONS / "gradient_descent.py").read_text()
    for name, source in solutions.items():
        assert source.startswith(f"def {name}(") and source + "\n" in reference


def test_lessons_come_in_the_course_order(course):
    text = {m: "\n".join(c.source for c in read(course, m).cells if c.cell_type == "markdown")
            for m in ("derivatives", "gradient_descent", "neuron")}
    assert "secant" in text["derivatives"] and "6.25" in text["derivatives"]
    assert text["derivatives"].index("secant") < text["derivatives"].index("central difference")
    gd = text["gradient_descent"]
    assert "Taylor" in gd and "steep" in gd and "flat" in gd
    assert gd.index("x_{t+1} = x_t - \\eta") < gd.index("(1 - 2\\eta)")
    assert "too large" in gd.lower() and "small" in gd
    assert "[-6, 6]" in text["neuron"] and "(0.5, 0.2)" in text["neuron"]


def test_given_code_is_locked_and_the_grader_is_imported_first(course):
    notebook = read(course, "neuron")
    setup = next(c for c in notebook.cells if c.cell_type == "code")
    assert "from autograder.channels.notebook import check, hint, require" in setup.source
    given = next(c for c in notebook.cells
                 if c.metadata.get("nbgrader", {}).get("grade_id") == "given-neuron")
    assert given.metadata["nbgrader"]["locked"] and "X = [0.5, 2.5]" in given.source


def test_solutions_are_off_unless_the_instructor_shows_them(course, tmp_path):
    """A graded course shows no solutions by default; --show-solutions
    switches them on for the whole course and a refresh keeps the setting."""
    setup = next(c for c in read(course, "neuron").cells if c.cell_type == "code")
    assert "set_course(solutions=False)" in setup.source
    assert json.loads((course / MANIFEST).read_text())["show_solutions"] is False
    folder = tmp_path / "shown"
    make_course(folder, solutions=SOLUTIONS, show_solutions=True)
    make_course(folder, solutions=OPTIMIZER_SOLUTIONS, assignment="optimizers")   # kept
    for assignment, module in (("calculus", "neuron"), ("optimizers", "adaptive")):
        notebook = nbformat.read(folder / "source" / assignment / f"{module}.ipynb",
                                 as_version=4)
        setup = next(c for c in notebook.cells if c.cell_type == "code")
        assert "set_course(solutions=True)" in setup.source, assignment
    # The setting never reaches the graded module: it needs the notebook.
    assert "set_course" not in assemble([setup.source, "x = 1"])


def test_a_refresh_rewrites_only_what_nobody_changed(course, tmp_path):
    folder = tmp_path / "c"
    make_course(folder, solutions=SOLUTIONS)
    seed = json.loads((folder / MANIFEST).read_text())["seed"]
    edited = folder / "source" / "calculus" / "neuron.ipynb"
    edited.write_text(edited.read_text().replace("A sigmoid neuron", "My neuron"))
    config = folder / "nbgrader_config.py"
    config.write_text(config.read_text() + "\nc.Exchange.root = '/srv/exchange'\n")
    (folder / "source" / "calculus" / "derivatives.ipynb").unlink()
    again, done = make_course(folder, solutions=SOLUTIONS)
    actions = {p.path.name: p.action for p in done}
    assert again == seed   # the hidden tests keep their inputs
    assert actions == {"nbgrader_config.py": "kept", "derivatives.ipynb": "created",
                       "gradient_descent.ipynb": "unchanged", "weight_updates.ipynb": "unchanged",
                       "neuron.ipynb": "kept"}
    assert "My neuron" in edited.read_text() and "/srv/exchange" in config.read_text()
    _, done = make_course(folder, solutions=SOLUTIONS, force=True)
    assert {p.path.name: p.action for p in done}["neuron.ipynb"] == "updated"
    assert "My neuron" not in edited.read_text()


def test_a_users_own_config_is_never_replaced(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n# mine\n")
    _, done = make_course(tmp_path, solutions=SOLUTIONS)
    assert done[0].action == "kept"
    assert (tmp_path / "nbgrader_config.py").read_text().endswith("# mine\n")


def test_bad_input_is_refused_with_the_file_named(tmp_path):
    (tmp_path / MANIFEST).write_text("{ not json")
    with pytest.raises(ClassroomError, match=MANIFEST):
        make_course(tmp_path, solutions=SOLUTIONS)
    with pytest.raises(ClassroomError, match="no such folder"):
        make_course(tmp_path / "new", solutions=tmp_path / "nowhere")
    broken = tmp_path / "sol"
    broken.mkdir()
    for path in SOLUTIONS.glob("*.py"):
        (broken / path.name).write_text(path.read_text())
    (broken / "neuron.py").write_text("def sigmoid(z:\n")
    with pytest.raises(ClassroomError, match="neuron.py: line 1"):
        make_course(tmp_path / "new", solutions=broken)
    assert not (tmp_path / "new").exists()          # nothing half-made
    make_course(tmp_path / "old", solutions=SOLUTIONS, seed=5)
    before = {p: p.read_bytes() for p in (tmp_path / "old").rglob("*") if p.is_file()}
    with pytest.raises(ClassroomError, match="neuron.py: line 1"):
        make_course(tmp_path / "old", solutions=broken, seed=6)
    assert {p: p.read_bytes() for p in (tmp_path / "old").rglob("*") if p.is_file()} == before
    a_file = tmp_path / "file"
    a_file.write_text("")
    run = subprocess.run([sys.executable, "-m", "autograder", "classroom", str(a_file),
                          "--solutions", str(SOLUTIONS)], capture_output=True, text=True)
    assert run.returncode == 2 and "is a file" in run.stderr


def test_assignment_2_builds_from_its_own_exercises_and_lessons(tmp_path):
    """`classroom --assignment optimizers` (solutions/optimizers/ by default)
    writes assignment 2's notebooks beside assignment 1's, in one course
    with one seed; an assignment the course does not have is one line and
    exit status 2."""
    from autograder.course import OPTIMIZERS
    course = tmp_path / "course"
    make_course(course, solutions=SOLUTIONS, seed=4242)
    run = subprocess.run([sys.executable, "-m", "autograder", "classroom", str(course),
                          "--assignment", "optimizers"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "secret seed 4242" in run.stdout
    assert json.loads((course / MANIFEST).read_text())["assignments"] == ["calculus",
                                                                         "optimizers"]
    total = 0.0
    for exercise in OPTIMIZERS.exercises:
        notebook = nbformat.read(course / "source" / "optimizers" / f"{exercise.module}.ipynb",
                                 as_version=4)
        nbformat.validate(notebook)
        assert notebook.cells[0].source.startswith(exercise.lesson.intro)
        markdown = [c.source for c in notebook.cells if c.cell_type == "markdown"]
        assert all(text in markdown for text in exercise.lesson.before.values())
        points = [c.metadata["nbgrader"]["points"] for c in nbgrader_cells(notebook, "grade")]
        assert points == [c.points for c in exercise.checks]
        assert {c.metadata["nbgrader"]["grade_id"] for c in nbgrader_cells(
            notebook, "solution")} == set(exercise.functions)
        total += sum(points)
    assert total == 100
    momentum = (course / "source" / "optimizers" / "momentum.ipynb").read_text()
    assert "look-ahead" in momentum and "require('momentum_descent returns" in momentum
    run = subprocess.run([sys.executable, "-m", "autograder", "classroom", str(tmp_path / "x"),
                          "--assignment", "optimisers"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and not (tmp_path / "x").exists()
    assert run.stderr == ("error: --assignment: no assignment 'optimisers' (one of calculus, "
                          "optimizers)\n")


def test_split_solution_keeps_closing_markers_and_comments():
    pieces = split_solution((SOLUTIONS / "neuron.py").read_text(), SOLUTIONS / "neuron.py")
    given = [p for p in pieces if p.graded_function is None]
    assert given[0].code == "import numpy as np"
    assert given[1].code.startswith("# The two data points")
    train = next(p for p in pieces if p.graded_function == "train")
    assert train.code.rstrip().endswith("### END SOLUTION")


# --------------------------------------------------- cells -> graded module

def test_assemble_keeps_definitions_and_drops_displays_and_the_grader():
    cells = [
        "from autograder.channels.notebook import check, hint, require\nimport numpy as np",
        "def df(x):\n    # my comment\n    return 1\n",
        "df(2)",                                    # a display
        "r = check('df')",                          # uses the grader
        "get_ipython().run_line_magic('matplotlib', 'inline')",
        "def df(x):\n    return 9 * x**2 - 4 * x + 1\nprint(df(2))\nY = [1, 2]",
        "def broken(:",                             # cannot parse: left out
        "@staticmethod\ndef helper():\n    return show()\n",
    ]
    module = assemble(cells)
    assert "autograder" not in module and "check(" not in module and "get_ipython" not in module
    assert "print(df(2))" not in module and "df(2)\n" not in module.replace("print(df(2))", "")
    assert "# my comment" in module and "@staticmethod" in module
    namespace: dict = {}
    exec(compile(module, "m", "exec"), namespace)
    assert namespace["df"](2) == 29 and namespace["Y"] == [1, 2]


def test_assemble_a_cell_run_again_counts_where_it_ran_last():
    v1, v2 = "def f():\n    return 1", "def f():\n    return 2"
    namespace: dict = {}
    exec(assemble([v1, v2, v1]), namespace)
    assert namespace["f"]() == 1
    exec(assemble([v2, v1, v2]), namespace)
    assert namespace["f"]() == 2


def test_assembled_lines_know_their_cell():
    module = assemble_cells([Cell(3, "import math\nx = 1"),
                             Cell(4, "show(x)\ndef g():\n    return 2"),
                             Cell(5, "import math\nx = 1")])
    lines = module.source.splitlines()
    assert module.where(lines.index("def g():") + 1) == "line 2 of cell In [4]"
    assert module.where(lines.index("    return 2") + 1) == "line 3 of cell In [4]"
    assert module.where(lines.index("x = 1") + 1) == "line 2 of cell In [3]"
    assert module.where(len(lines) - lines[::-1].index("x = 1")) == "line 2 of cell In [5]"
    assert module.where(lines.index("") + 1) == ""


def test_only_what_needs_the_notebook_is_left_out():
    module = assemble([
        "from autograder.channels.notebook import *",
        "def df(x):\n    check = 9 * x**2 - 4 * x + 1\n    return check",   # a local, not the grader's
        "report = check('df')\nok = report.passed\nsquares = [check for check in range(3)]",
        "report = 5\nfine = report + 1",
    ])
    namespace: dict = {}
    exec(compile(module, "m", "exec"), namespace)
    assert namespace["df"](2) == 29 and namespace["fine"] == 6
    assert namespace["squares"] == [0, 1, 2] and "ok" not in namespace


def test_a_cell_counts_up_to_the_statement_that_raised():
    cells = [Cell(1, "import math"),
             Cell(2, "def df(x):\n    return 9 * x**2 - 4 * x + 1\n\n"
                     "assert df(2) == 30\ndef g():\n    return 1", failed_at=4),
             Cell(3, "y = df(2) / zero", failed_at=1),
             Cell(4, "import math"),
             Cell(5, "z = math.pi")]
    namespace: dict = {}
    exec(compile(assemble_cells(cells).source, "m", "exec"), namespace)
    assert namespace["df"](2) == 29 and "g" not in namespace and "y" not in namespace
    assert namespace["z"] > 3


@pytest.mark.parametrize("guard", [False, True])
def test_statements_sharing_a_line_and_strings_keep_their_meaning(guard):
    cell = Cell(1, 'x = 1; check("df")\n'            # kept beside a dropped one
                   'show(x); y = "é" + 2 * "a"; z = 3  # note\n'
                   'TEXT = """first\n    indented\n  \nlast"""\n'
                   'def f():\n    """Doc.\n\n    More."""\n    return f"""{x}\n  {y}"""\n')
    module = assemble_cells([cell], guard=guard)
    namespace: dict = {}
    exec(compile(module.source, "m", "exec"), namespace)
    assert (namespace["x"], namespace["y"], namespace["z"]) == (1, "éaa", 3)
    assert namespace["TEXT"] == "first\n    indented\n  \nlast"
    assert namespace["f"]() == "1\n  éaa" and namespace["f"].__doc__ == "Doc.\n\n    More."
    lines = module.source.splitlines()
    assert module.where(next(n for n, t in enumerate(lines, 1) if "z = 3" in t)) == \
        "line 2 of cell In [1]"



@pytest.mark.parametrize("guard", [False, True])
def test_cells_python_runs_as_python_reads_it(guard):
    cells = [Cell(1, "x = 1  # see\u2028above\ny = 2\n\x0c\nz = 3"),   # not line ends
             Cell(2, "s = '''a\r  b'''\rt = 1"),                    # lone CRs are
             Cell(3, "import functools\n@(\n    functools.lru_cache\n)\ndef g():\n    return 4"),
             Cell(4, "from __future__ import annotations\ndef h(a: Undefined) -> int:\n"
                     "    return 5"),
             Cell(5, "v = await something()\nw = 6")]        # IPython's top-level await
    namespace: dict = {}
    exec(compile(assemble_cells(cells, guard=guard).source, "m", "exec"), namespace)
    assert [namespace[n] for n in "xyzt"] == [1, 2, 3, 1] and namespace["s"] == "a\n  b"
    assert (namespace["g"](), namespace["h"](0), namespace["w"]) == (4, 5, 6)
    assert "v" not in namespace


def test_statements_before_the_failing_one_on_its_line_count():
    cell = Cell(1, "x = 1; y = 1 / 0; z = 2", failed_at=1, failed_col=11)
    namespace: dict = {}
    exec(compile(assemble_cells([cell]).source, "m", "exec"), namespace)
    assert namespace["x"] == 1 and "y" not in namespace and "z" not in namespace
    unknown = Cell(1, "x = 1; y = 1 / 0", failed_at=1)            # column unknown: none
    assert "x" not in assemble_cells([unknown]).source


def test_changing_the_grader_is_reported_with_its_cell():
    module = assemble_cells([
        Cell(1, "from autograder.channels.notebook import check, hint, require"),
        Cell(2, "import autograder.channels.notebook as n\nn.require = lambda *a, **k: None"),
        Cell(3, "from autograder.channels import notebook\nsetattr(notebook, 'PUBLIC_SEED', 1)"),
        Cell(4, "import sys\nsys.modules['autograder.channels.notebook'].require = print"),
        Cell(5, "def require(*a, **k):\n    pass"),       # a name of its own: harmless
    ])
    assert module.tampering == (
        "cell In [2] line 2: assigns n.require",
        "cell In [3] line 2: calls setattr on notebook",
        "cell In [4] line 2: reaches autograder.channels.notebook through sys.modules")


def test_questions_are_function_names_or_check_names():
    exercise, checks = exercise_of("gradients")
    assert exercise.module == "neuron" and len(checks) == 2
    _, checks = exercise_of("gradients agree with the slopes of loss")
    assert len(checks) == 1
    with pytest.raises(ValueError, match="the questions are: .*critical_learning_rate"):
        exercise_of("dff")
    exercise, checks = exercise_of("adam")         # assignment 2's
    assert exercise.module == "adaptive" and [c.points for c in checks] == [10]


# ---------------------------------------------------------------- pictures

def reference(module: str) -> dict:
    namespace: dict = {}
    exec(compile((SOLUTIONS / f"{module}.py").read_text(), module, "exec"), namespace)
    return namespace


def test_show_descent_draws_the_students_iterates_beside_the_reference():
    gd = reference("gradient_descent")["gradient_descent"]
    plot = plots.show_descent(gd)
    yours, ref = plot.figure.axes[:2]
    walk = [line for line in yours.lines if line.get_label() == "iterates"][0]
    assert list(walk.get_xdata()) == pytest.approx(plots.reference_iterates(10.0, 0.1, 10))
    assert ref.get_title() == "reference" and yours.get_title() == "yours"
    assert plot._repr_png_().startswith(b"\x89PNG")

    def ascent(grad, x0, lr, steps):
        xs = [x0]
        for _ in range(steps):
            xs.append(xs[-1] + lr * grad(xs[-1]))
        return xs
    walk = [line for line in plots.show_descent(ascent).figure.axes[0].lines
            if line.get_label() == "iterates"][0]
    assert list(walk.get_xdata())[:3] == pytest.approx([10.0, 11.2, 12.64])


def test_pictures_survive_broken_student_functions(monkeypatch):
    # The loop is stopped by the picture's time limit, whatever its size:
    # 1 s instead of the course's 5 spares 4 s of a spinning CPU.
    monkeypatch.setattr(plots, "PICTURE_SECONDS", 1)

    def stub(*args):
        raise NotImplementedError()

    def loops(*args):
        while True:
            pass
    for function in (stub, lambda *a: "nonsense", loops):
        plot = plots.show_descent(function)
        assert plot._repr_png_().startswith(b"\x89PNG")
    texts = [t.get_text() for t in plots.show_descent(stub).figure.axes[0].texts]
    assert texts == ["your gradient_descent: not written yet"]


def test_learning_rates_and_loss_surface():
    gd = reference("gradient_descent")["gradient_descent"]
    plot = plots.show_learning_rates(gd)
    labels = [line.get_label() for line in plot.figure.axes[0].lines]
    assert "η = 0.05: converges" in labels and "η = 0.9: oscillates, converges" in labels
    assert "η = 1: bounces forever" in labels
    assert "η = 1.1: diverges (leaves the frame at t = 2; |x_20 − 4| = 2.3e+02)" in labels
    assert "your gradient_descent" in plot.figure.axes[0].get_title()
    neuron = reference("neuron")
    surface = plots.show_loss_surface(neuron["gradients"])
    lines = {line.get_label(): line for line in surface.figure.axes[0].lines}
    assert list(lines["your gradients"].get_xdata()) == pytest.approx(
        list(lines["reference path"].get_xdata()))
    assert surface._repr_png_().startswith(b"\x89PNG")
    w, b = plots.reference_path()[-1]     # the course's own gradients, from (-2, -2)
    assert (w, b) == pytest.approx((1.79172, -2.28212), abs=1e-5)


# ------------------------------------------------- in a real Jupyter kernel

def run_notebook(cells: list[str], folder: Path):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(notebook, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(folder)}}).execute()
    return notebook


def outputs(cell) -> str:
    parts = []
    for out in cell.outputs:
        if out.output_type == "stream":
            parts.append(f"<{out.name}>" + out.text)
        elif out.output_type == "error":
            parts.append("<error>" + "\n".join(out.traceback))
        else:
            parts.append(out.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def test_check_hint_and_require_in_a_kernel(tmp_path):
    ascent = function_source(CORPUS / "misconceptions" / "gd-ascent" / "gradient_descent.py",
                             "gradient_descent")
    reference_gd = function_source(SOLUTIONS / "gradient_descent.py", "gradient_descent")
    cells = [
        "from autograder.channels.notebook import check, hint, require, solution",
        ascent,
        'check("gradient_descent")',
        'hint("gradient_descent")',
        'require("gradient_descent returns the iterates")',
        'hint("quadratic_grad")',
        reference_gd,
        'check("gradient_descent")',
        'require("gradient_descent returns the iterates", seed=99)',
        'check("df")',
        "def quadratic_grad(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()",
        'check("quadratic_grad")',
        'hint("nesterov_descent")',                   # assignment 2's, in the same kernel
        'hint("gradient_descent")',                   # 13: the next level
        'hint("gradient_descent"); hint("gradient_descent")',   # 14: the last, then again
        'solution("sigmoid")',                        # 15
        "from autograder.channels.notebook import set_course\nset_course(solutions=False)",
        'solution("sigmoid")',                        # 17: switched off
    ]
    nb = run_notebook(cells, tmp_path)
    wrong, hinted, required = (outputs(nb.cells[i]) for i in (2, 3, 4))
    # Ascent is right for steps = 0 alone: 2 of the check's 12 points.
    assert "gradient_descent: 2/12 points" in wrong and "[wrong]" in wrong
    assert "right for steps = 0, not for steps = 1 and several steps" in wrong
    assert "step against it" in wrong                      # the misconception's hint
    assert "about your last check: The gradient points uphill" in hinted
    assert "hint 1 of 3 for gradient_descent: Gradient descent repeats one small move" in hinted
    assert 'hint("gradient_descent") again says more' in hinted
    assert "<error>gradient_descent returns the iterates: 2/12" in required
    assert "step against it" in required
    assert "Traceback" not in required and "notebook.py" not in required
    assert any("image/png" in o.get("data", {}) for o in nb.cells[4].outputs)
    assert "hint 1 of 2 for quadratic_grad: (x − 4)² is the square" in outputs(nb.cells[5])
    assert "gradient_descent: 12/12 points" in outputs(nb.cells[7])
    assert outputs(nb.cells[8]) == ("<stdout>passed: gradient_descent returns the iterates "
                                    "(12 points, with other inputs too)\n")
    assert "not attempted" in outputs(nb.cells[9]) and "df is missing" not in outputs(nb.cells[9])
    # The line of the stub is given in the cell it came from (In [11] is cells[10]).
    assert "raises NotImplementedError (line 3 of cell In [11])" in outputs(nb.cells[11])
    assert "hint 1 of 3 for nesterov_descent: Nesterov looks before it leaps" \
        in outputs(nb.cells[12])
    # Each call says more, up to the last level, which then stays; every one
    # leaves its record in the notebook, as does the solution shown.
    assert "hint 2 of 3 for gradient_descent: One step: the new x" in outputs(nb.cells[13])
    last = outputs(nb.cells[14])
    assert last.count("hint 3 of 3 for gradient_descent: The answer is the whole path") == 2
    assert 'solution("gradient_descent") shows the reference' in last
    records = [[o.data[HINT_MIME] for o in c.outputs if HINT_MIME in o.get("data", {})]
               for c in nb.cells]
    assert records[3] == [{"function": "gradient_descent", "level": 1}]
    assert records[5] == [{"function": "quadratic_grad", "level": 1}]
    assert records[13] == [{"function": "gradient_descent", "level": 2}]
    assert records[14] == [{"function": "gradient_descent", "level": 3}] * 2
    assert records[15] == [{"function": "sigmoid", "solution": True}]
    assert all(o.output_type == "display_data" for c in nb.cells for o in c.outputs
               if HINT_MIME in o.get("data", {}))
    shown = outputs(nb.cells[15])
    assert "def sigmoid(z):" in shown and "np.exp(-z)" in shown and "BEGIN SOLUTION" not in shown
    assert outputs(nb.cells[17]) == ("<stdout>solution('sigmoid'): this course does not show "
                                     "solutions; hint('sigmoid') gives hints\n")
    assert records[17] == []
    assert not any(o.output_type == "stream" and o.name == "stderr"
                   for c in nb.cells for o in c.outputs)


def test_notebook_habits_and_tricks_in_a_kernel(tmp_path):
    df = function_source(SOLUTIONS / "derivatives.py", "df")
    cells = [
        "from autograder.channels.notebook import check, hint, require",
        "y = df(2) / zero",                                    # 1: a scratch cell that fails
        df.replace("return 9 * x**2 - 4 * x + 1",
                   "check = 9 * x**2 - 4 * x + 1\n    return check"),
        "%%time\n" + function_source(SOLUTIONS / "derivatives.py", "slope_at_2"),
        "require('df')",                                        # 4
        "require(\"slope_at_2 is f'(2)\")",                    # 5
        "def require(*args, **kwargs):\n    print('passed')",   # 6: a forged require
        "from autograder.channels.notebook import require\n"
        "require('numerical_derivative is the central difference')",   # 7: a test cell
        "import autograder.channels.notebook as grader\ngrader.PUBLIC_SEED = 7",
        "require('df')",                                        # 9
    ]
    nb = run_notebook(cells, tmp_path)
    assert outputs(nb.cells[4]) == "<stdout>passed: df (10 points)\n"
    assert outputs(nb.cells[5]) == "<stdout>passed: slope_at_2 is f'(2) (5 points)\n"
    assert "<error>" in outputs(nb.cells[7]) and "not attempted" in outputs(nb.cells[7])
    tampered = outputs(nb.cells[9])
    assert "<error>df: 0/10 points: not graded, because the notebook changes the grader" in \
        tampered and "cell In [9] line 2: assigns grader.PUBLIC_SEED" in tampered


@pytest.mark.parametrize("env, expected", [
    ({"AUTOGRADER_TIMEOUT": "0.5"}, "time budget of 0.5 s"),
    ({}, "passed: df (10 points)"),               # the folder's pyproject.toml is not read
    ({"AUTOGRADER_TIMEOUT": "soon"}, "AUTOGRADER_TIMEOUT"),
    ({"AUTOGRADER_SEED": "soon"}, "passed: df (10 points)"),   # notebooks have their seeds
])
def test_limits_come_from_the_environment_only(tmp_path, monkeypatch, env, expected):
    for name in ("AUTOGRADER_TIMEOUT", "AUTOGRADER_MEMORY", "AUTOGRADER_OUTPUT",
                 "AUTOGRADER_SEED"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "pyproject.toml").write_text("[tool.autograder]\ntimeout = 0.5\n")
    nb = run_notebook(["from autograder.channels.notebook import require",
                       "import time\npause = time.sleep(1.5)\n"
                       + function_source(SOLUTIONS / "derivatives.py", "df"),
                       "require('df')"], tmp_path)
    assert expected in outputs(nb.cells[2])


def test_what_ran_before_the_error_on_its_line_counts_in_a_kernel(tmp_path):
    df = function_source(SOLUTIONS / "derivatives.py", "df")
    nb = run_notebook(["from autograder.channels.notebook import require",
                       "SCALE = 1; oops = 1 / 0",
                       df.replace("return 9 * x**2", "return SCALE * 9 * x**2"),
                       "require('df')"], tmp_path)
    assert outputs(nb.cells[3]) == "<stdout>passed: df (10 points)\n"


def test_require_outside_a_notebook_says_where_it_works():
    run = subprocess.run([sys.executable, "-c",
                          "from autograder.channels.notebook import require; require('df')"],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 1 and "work inside a Jupyter notebook" in run.stderr


def test_the_public_seed_is_not_a_course_seed(course):
    assert json.loads((course / MANIFEST).read_text())["seed"] != PUBLIC_SEED
