"""The classroom end to end with the real nbgrader, in a temporary course:
generate_assignment, validate (and --invert), autograde of three
submissions, generate_feedback and export, as an instructor runs them."""

from __future__ import annotations

import csv
import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.channels.classroom import answer_release, make_course
from autograder.engine.config import Limits
from autograder.course import EXERCISES
from autograder.channels.notebook import PUBLIC_SEED
from autograder.engine.runner import grade_submission

from conftest import CORPUS, SOLUTIONS

SEED = 31337
ASSIGNMENT = "calculus"
MISCONCEPTION = CORPUS / "misconceptions" / "gd-ascent" / "gradient_descent.py"


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    # nbgrader runs its database migrations with the `alembic` command.
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    run = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{run.stdout}\n{run.stderr}"
    return run


def modules(overrides: dict[str, str] | None = None) -> dict[str, str]:
    """The reference modules' sources, with ``{module: source}`` overrides."""
    return {p.stem: p.read_text(encoding="utf-8") for p in SOLUTIONS.glob("*.py")} | \
        (overrides or {})


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """The whole term, run once: (course folder, {step: output})."""
    root = tmp_path_factory.mktemp("nbgrader-course")
    make_course(root, solutions=SOLUTIONS, assignment=ASSIGNMENT, seed=SEED)
    log = {"generate": nbgrader(root, "generate_assignment", ASSIGNMENT)}
    source, release = root / "source" / ASSIGNMENT, root / "release" / ASSIGNMENT
    log["validate"] = nbgrader(root, "validate", *sorted(map(str, source.glob("*.ipynb"))))
    log["invert"] = nbgrader(root, "validate", "--invert",
                             *sorted(map(str, release.glob("*.ipynb"))))
    submitted = root / "submitted"
    answer_release(release, submitted / "reference" / ASSIGNMENT, modules())
    (submitted / "untouched").mkdir(parents=True)
    shutil.copytree(release, submitted / "untouched" / ASSIGNMENT)
    answer_release(release, submitted / "ascent" / ASSIGNMENT,
                   modules({"gradient_descent": MISCONCEPTION.read_text(encoding="utf-8")}))
    log["autograde"] = nbgrader(root, "autograde", ASSIGNMENT)
    log["feedback"] = nbgrader(root, "generate_feedback", ASSIGNMENT)
    log["export"] = nbgrader(root, "export")
    return root, log


def engine_scores(tmp_path: Path) -> dict[str, float]:
    """What the engine gives the misconception's modules, per exercise: a
    test cell scores when its check passes with the public and the secret seed."""
    folder = tmp_path / "ascent"
    folder.mkdir()
    for path in SOLUTIONS.glob("*.py"):
        (folder / path.name).write_text(path.read_text())
    shutil.copyfile(MISCONCEPTION, folder / "gradient_descent.py")
    runs = [grade_submission(folder, seed=s, limits=Limits()) for s in (PUBLIC_SEED, SEED)]
    return {e.module: sum(c.points for i, c in enumerate(e.checks)
                          if all(r.exercise(e.module).checks[i].score for r in runs))
            for e in runs[0].exercises}


def test_release_holds_no_solutions_and_no_hidden_tests(course):
    root, _ = course
    release = root / "release" / ASSIGNMENT
    assert sorted(p.name for p in release.glob("*.ipynb")) == sorted(
        f"{e.module}.ipynb" for e in EXERCISES)
    text = "\n".join(p.read_text() for p in release.glob("*.ipynb"))
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
    assert str(SEED) not in text
    for line in ("9 * x**2 - 4 * x + 1", "x = x - learning_rate * grad(x)",
                 "return 2 * (x - 4)"):
        assert line in (SOLUTIONS / "derivatives.py").read_text() + \
            (SOLUTIONS / "gradient_descent.py").read_text()
        assert line not in text
    stubs = [c.source for p in release.glob("*.ipynb")
             for c in nbformat.read(p, as_version=4).cells
             if c.metadata.get("nbgrader", {}).get("solution")]
    assert len(stubs) == sum(len({c.function for c in e.checks}) for e in EXERCISES)
    assert all(s.rstrip().endswith("# YOUR CODE HERE\n    raise NotImplementedError()")
               for s in stubs)


def test_validate_passes_on_the_source_and_inverted_on_the_release(course):
    _, log = course
    said = log["validate"].stdout + log["validate"].stderr
    assert said.count("Success! Your notebook passes all the tests.") == 4
    said = log["invert"].stdout + log["invert"].stderr
    assert said.count("Success! The notebook does not pass any tests.") == 4


def test_export_holds_the_expected_scores(course, tmp_path):
    root, _ = course
    with open(root / "grades.csv", newline="") as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh)}
    assert float(rows["reference"]["score"]) == 100.0
    assert float(rows["untouched"]["score"]) == 0.0
    expected = engine_scores(tmp_path)
    assert 0 < sum(expected.values()) < 100 and expected["derivatives"] == 25
    assert float(rows["ascent"]["score"]) == sum(expected.values())
    assert {r["max_score"] for r in rows.values()} == {"100.0"}

    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        for exercise in EXERCISES:
            notebook = gradebook.find_submission_notebook(exercise.module, ASSIGNMENT, "ascent")
            assert notebook.score == expected[exercise.module], exercise.module
            assert notebook.max_score == exercise.points


def test_feedback_shows_the_misconceptions_hint_and_picture(course):
    root, _ = course
    page = html.unescape((root / "feedback" / "ascent" / ASSIGNMENT /
                          "gradient_descent.html").read_text())
    assert "The gradient points uphill. To go down, step against it" in page
    assert "recognised: steps taken along the gradient (ascent)" in page
    assert re.search(r'src="data:image/png;base64,', page)
    untouched = html.unescape((root / "feedback" / "untouched" / ASSIGNMENT /
                               "derivatives.html").read_text())
    assert "not attempted" in untouched
    assert str(SEED) not in page + untouched                 # the secret stays secret
    assert "(12 points, with other inputs too)" in html.unescape(
        (root / "feedback" / "reference" / ASSIGNMENT / "gradient_descent.html").read_text())


def test_test_cells_write_nothing_to_stderr(course):
    root, _ = course
    for notebook in (root / "autograded").glob(f"*/{ASSIGNMENT}/*.ipynb"):
        for cell in nbformat.read(notebook, as_version=4).cells:
            if cell.metadata.get("nbgrader", {}).get("grade"):
                assert not [o for o in cell.get("outputs", [])
                            if o.output_type == "stream" and o.name == "stderr"], notebook
