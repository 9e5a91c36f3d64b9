"""Submitted notebooks graded outside any kernel: grade and grade-class
read <module>.ipynb as the module its cells define."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.channels.class_grading import grade_class
from autograder.channels.classroom import answer_release, make_course
from autograder.engine.config import Limits
from autograder.intake.ipynb import notebook_module, to_python

from conftest import CORPUS, EXERCISES, SEED, SOLUTIONS

ASCENT = CORPUS / "misconceptions" / "gd-ascent" / "gradient_descent.py"


def modules(folder: Path, **overrides: Path) -> dict[str, str]:
    found = {p.stem: p.read_text(encoding="utf-8") for p in folder.glob("*.py")}
    return found | {m: p.read_text(encoding="utf-8") for m, p in overrides.items()}


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    course = tmp_path_factory.mktemp("course")
    make_course(course, solutions=SOLUTIONS, seed=7)
    return course / "source" / "calculus"


def add_cell(notebook: Path, code: str, before_grade_id: str) -> None:
    data = json.loads(notebook.read_text())
    at = next(i for i, c in enumerate(data["cells"])
              if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == before_grade_id)
    data["cells"].insert(at, {"cell_type": "code", "metadata": {}, "source": code,
                              "outputs": [], "execution_count": None})
    notebook.write_text(json.dumps(data))


def test_magics_become_pass_on_the_same_lines():
    assert to_python("%matplotlib inline\nx = 1\n!ls\nif x:\n    %time y = 2") == \
        "pass\nx = 1\npass\nif x:\n    pass"
    assert to_python("%%time\ndef f():\n    return 1") == "\ndef f():\n    return 1"
    assert to_python("%%bash\necho hi") == ""
    python = 'fmt = """\n%d items\n"""\ny = (10\n  % 3)\nz = 7 \\\n  % 4\n!ls'
    assert to_python(python) == python[:-3] + "pass"        # Python that starts with %


def test_a_class_of_notebooks_is_graded_like_the_same_modules(source, tmp_path):
    root = tmp_path / "submitted"
    answer_release(source, root / "reference" / "calculus", modules(SOLUTIONS))
    answer_release(source, root / "untouched" / "calculus", modules(EXERCISES))
    answer_release(source, root / "ascent" / "calculus",
                   modules(SOLUTIONS, gradient_descent=ASCENT))
    forged = root / "forger" / "calculus"
    answer_release(source, forged, modules(SOLUTIONS, gradient_descent=ASCENT))
    # A forged grader and a failing scratch cell, before the test cells.
    add_cell(forged / "gradient_descent.ipynb",
             "def require(*a, **k):\n    print('passed')\nimport autograder.channels.notebook as n\n"
             "n.require = require", "test-gradient_descent")
    add_cell(forged / "gradient_descent.ipynb", "%matplotlib inline\nboom = 1 / 0\nlate = 1",
             "test-gradient_descent")
    (root / "broken" / "calculus").mkdir(parents=True)
    answer_release(source, root / "broken" / "calculus", modules(SOLUTIONS))
    (root / "broken" / "calculus" / "neuron.ipynb").write_text("{ not json")
    # The same code as .py folders, for comparison.
    as_py = tmp_path / "as_py"
    for name, files in {"ascent": modules(SOLUTIONS, gradient_descent=ASCENT)}.items():
        (as_py / name).mkdir(parents=True)
        for module, text in files.items():
            (as_py / name / f"{module}.py").write_text(text)

    out = tmp_path / "out"
    grade_class(root, out, workers=1, seed=SEED, limits=Limits(), progress=False)
    grade_class(as_py, tmp_path / "out_py", workers=1, seed=SEED, limits=Limits(),
                progress=False)
    with open(out / "grades.csv", newline="") as fh:
        rows = {r["student"]: r for r in csv.DictReader(fh)}
    with open(tmp_path / "out_py" / "grades.csv", newline="") as fh:
        py_rows = {r["student"]: r for r in csv.DictReader(fh)}
    assert float(rows["reference"]["total"]) == 100
    assert float(rows["untouched"]["total"]) == 0 and rows["untouched"]["status"] == \
        "not attempted"
    ascent = {k: rows["ascent"][k] for k in ("derivatives", "gradient_descent",
                                              "weight_updates", "neuron", "total")}
    assert ascent == {k: py_rows["ascent"][k] for k in ascent}
    assert 0 < float(ascent["gradient_descent"]) < 30
    assert {k: rows["forger"][k] for k in ascent} == ascent     # forging changes nothing
    assert float(rows["broken"]["neuron"]) == 0 and float(rows["broken"]["total"]) == 70
    feedback = (out / "broken" / "feedback.txt").read_text()
    assert "neuron.ipynb is not a readable notebook" in feedback


def test_a_cell_that_raises_stops_there_and_the_next_cell_runs(source, tmp_path):
    folder = tmp_path / "student"
    answer_release(source, folder, modules(SOLUTIONS))
    add_cell(folder / "derivatives.ipynb", "x = 1\nraise ValueError('scratch')\nlost = 2",
             "test-df")
    module = notebook_module(folder / "derivatives.ipynb")
    namespace: dict = {}
    exec(compile(module, "derivatives", "exec"), namespace)
    assert namespace["x"] == 1 and "lost" not in namespace
    assert namespace["df"](2) == 29 and namespace["numerical_derivative"](lambda v: v, 1.0) == \
        pytest.approx(1.0)
    assert "require(" not in module and "autograder" not in module


def test_grade_reads_a_folder_of_notebooks(source, tmp_path):
    folder = tmp_path / "student"
    answer_release(source, folder, modules(SOLUTIONS, gradient_descent=ASCENT))
    run = subprocess.run([sys.executable, "-m", "autograder", "grade", str(folder), "--quiet",
                          "--seed", str(SEED), "--json", str(tmp_path / "r.json")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    result = json.loads((tmp_path / "r.json").read_text())
    assert 70 <= result["score"] < 100
    assert result["extra_data"]["submission"] == str(folder)
