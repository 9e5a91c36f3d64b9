"""The classroom end to end with the real nbgrader, in a temporary course
holding both assignments: generate_assignment, validate (and --invert) of
assignment 1, autograde of three students' submissions of each,
generate_feedback and export, as an instructor runs them."""

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
from autograder.course import ASSIGNMENTS
from autograder.channels.notebook import PUBLIC_SEED
from autograder.engine.runner import grade_submission

from conftest import CORPUS, OPTIMIZERS, SOLUTIONS

SEED = 31337
ASSIGNMENT = "calculus"
# Each assignment's reference, and the module with a misconception that
# the student "mistaken" hands in (the rest of their work is the reference).
REFERENCE = {"calculus": SOLUTIONS, "optimizers": OPTIMIZERS}
MISTAKE = {"calculus": CORPUS / "misconceptions" / "gd-ascent" / "gradient_descent.py",
           "optimizers": CORPUS / "optimizers" / "misconceptions" / "momentum-moving-average"
           / "momentum.py"}


def nbgrader(course: Path, *commands: tuple[str, ...]) -> list[subprocess.CompletedProcess]:
    """Run each of ``commands`` (nbgrader's arguments) in ``course`` as an
    instructor would, all at once: they are independent steps of the term,
    and each spends most of its time starting nbgrader and its kernels."""
    env = dict(os.environ)
    # nbgrader runs its database migrations with the `alembic` command.
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    started = [(args, subprocess.Popen([sys.executable, "-m", "nbgrader", *args], cwd=course,
                                       env=env, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True))
               for args in commands]
    try:
        outputs = [proc.communicate(timeout=900) for _, proc in started]
    finally:
        for _, proc in started:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    runs = [subprocess.CompletedProcess(proc.args, proc.returncode, *output)
            for (_, proc), output in zip(started, outputs)]
    for (args, _), run in zip(started, runs):
        assert run.returncode == 0, \
            f"nbgrader {' '.join(args)} failed:\n{run.stdout}\n{run.stderr}"
    return runs


def modules(assignment: str, mistaken: bool = False) -> dict[str, str]:
    """The assignment's reference modules' sources, with the misconception's
    module in place of its own when ``mistaken``."""
    sources = {p.stem: p.read_text(encoding="utf-8") for p in REFERENCE[assignment].glob("*.py")}
    if mistaken:
        sources[MISTAKE[assignment].stem] = MISTAKE[assignment].read_text(encoding="utf-8")
    return sources


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """The whole term, both assignments in one course, run once: (course
    folder, {step: output}).  Each nbgrader step runs once for both
    assignments (nbgrader reads its assignment argument as a pattern).  The
    steps that do not need each other run at the same time: validating the
    source, validating the release inverted and autograding each student
    (`nbgrader autograde "*" --student ID`), then the feedback and the export."""
    root = tmp_path_factory.mktemp("nbgrader-course")
    for name, reference in REFERENCE.items():
        make_course(root, solutions=reference, assignment=name, seed=SEED)
    log = {}
    log["generate"], = nbgrader(root, ("generate_assignment", "*"))
    submitted = root / "submitted"
    for name in REFERENCE:
        release = root / "release" / name
        answer_release(release, submitted / "reference" / name, modules(name))
        shutil.copytree(release, submitted / "untouched" / name)
        answer_release(release, submitted / "mistaken" / name, modules(name, mistaken=True))
    # validate runs every notebook once more: assignment 1's are enough to
    # show it agrees (autograde holds assignment 2 to the same).
    source, release = root / "source" / ASSIGNMENT, root / "release" / ASSIGNMENT
    students = ("reference", "untouched", "mistaken")
    log["validate"], log["invert"], *autograded = nbgrader(
        root,
        ("validate", *sorted(map(str, source.glob("*.ipynb")))),
        ("validate", "--invert", *sorted(map(str, release.glob("*.ipynb")))),
        *[("autograde", "*", "--student", student) for student in students])
    log["autograde"] = dict(zip(students, autograded))
    log["feedback"], log["export"] = nbgrader(root, ("generate_feedback", "*"), ("export",))
    return root, log


def engine_scores(tmp_path: Path, assignment: str, sandbox) -> dict[str, float]:
    """What the engine gives the misconception's modules, per exercise: a
    test cell scores when its check passes with the public and the secret seed."""
    folder = tmp_path / "mistaken"
    folder.mkdir()
    for path in REFERENCE[assignment].glob("*.py"):
        (folder / path.name).write_text(path.read_text())
    shutil.copyfile(MISTAKE[assignment], folder / MISTAKE[assignment].name)
    runs = [grade_submission(folder, ASSIGNMENTS[assignment], seed=s, limits=Limits(),
                             sandbox=sandbox)
            for s in (PUBLIC_SEED, SEED)]
    # A test cell scores all or nothing: a check's partial credit (kinds of
    # cases, spec.Check.kinds) is the engine's, not nbgrader's.
    return {e.module: sum(c.points for i, c in enumerate(e.checks)
                          if all(r.exercise(e.module).checks[i].outcome.value == "passed"
                                 for r in runs))
            for e in runs[0].exercises}


@pytest.mark.parametrize("assignment, answers", [
    ("calculus", ("9 * x**2 - 4 * x + 1", "x = x - learning_rate * grad(x)",
                  "return 2 * (x - 4)")),
    ("optimizers", ("u = beta * u + learning_rate * np.asarray(grad(x), dtype=float)",
                    "e = np.exp(z - np.max(z))"))])
def test_release_holds_no_solutions_and_no_hidden_tests(course, assignment, answers):
    root, _ = course
    release = root / "release" / assignment
    exercises = ASSIGNMENTS[assignment].exercises
    assert sorted(p.name for p in release.glob("*.ipynb")) == sorted(
        f"{e.module}.ipynb" for e in exercises)
    text = "\n".join(p.read_text() for p in release.glob("*.ipynb"))
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
    assert str(SEED) not in text
    reference = "\n".join(p.read_text() for p in REFERENCE[assignment].glob("*.py"))
    for line in answers:
        assert line in reference
        assert line not in text
    stubs = [c.source for p in release.glob("*.ipynb")
             for c in nbformat.read(p, as_version=4).cells
             if c.metadata.get("nbgrader", {}).get("solution")]
    assert len(stubs) == sum(len(e.functions) for e in exercises)
    assert all(s.rstrip().endswith("# YOUR CODE HERE\n    raise NotImplementedError()")
               for s in stubs)


def test_validate_passes_on_the_source_and_inverted_on_the_release(course):
    _, log = course
    said = log["validate"].stdout + log["validate"].stderr
    assert said.count("Success! Your notebook passes all the tests.") == 4
    said = log["invert"].stdout + log["invert"].stderr
    assert said.count("Success! The notebook does not pass any tests.") == 4


@pytest.mark.parametrize("assignment, untouched_exercise", [("calculus", "derivatives"),
                                                            ("optimizers", "backprop")])
def test_export_holds_the_expected_scores(course, tmp_path, sandbox, assignment,
                                         untouched_exercise):
    root, _ = course
    with open(root / "grades.csv", newline="") as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh) if r["assignment"] == assignment}
    assert float(rows["reference"]["score"]) == 100.0
    assert float(rows["untouched"]["score"]) == 0.0
    expected = engine_scores(tmp_path, assignment, sandbox)
    assert 0 < sum(expected.values()) < 100 and expected[untouched_exercise] == \
        ASSIGNMENTS[assignment].exercise(untouched_exercise).points
    assert float(rows["mistaken"]["score"]) == sum(expected.values())
    assert {r["max_score"] for r in rows.values()} == {"100.0"}

    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        for exercise in ASSIGNMENTS[assignment].exercises:
            notebook = gradebook.find_submission_notebook(exercise.module, assignment,
                                                          "mistaken")
            assert notebook.score == expected[exercise.module], exercise.module
            assert notebook.max_score == exercise.points


def test_feedback_shows_the_misconceptions_hint_and_picture(course):
    root, _ = course
    page = html.unescape((root / "feedback" / "mistaken" / ASSIGNMENT /
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


def test_assignment_2s_feedback_shows_its_misconception(course):
    root, _ = course
    page = html.unescape((root / "feedback" / "mistaken" / "optimizers" /
                          "momentum.html").read_text())
    assert "recognised: the moving average v = β·v + (1 − β)·g" in page
    assert "(13 points, with other inputs too)" in page       # nesterov_descent is right
    assert re.search(r'src="data:image/png;base64,', page)   # the paths, theirs and the reference
    assert str(SEED) not in page


def test_test_cells_write_nothing_to_stderr(course):
    root, _ = course
    notebooks = sorted((root / "autograded").glob("*/*/*.ipynb"))
    assert len(notebooks) == 3 * 8          # three students, two assignments of four
    for notebook in notebooks:
        for cell in nbformat.read(notebook, as_version=4).cells:
            if cell.metadata.get("nbgrader", {}).get("grade"):
                assert not [o for o in cell.get("outputs", [])
                            if o.output_type == "stream" and o.name == "stderr"], notebook
