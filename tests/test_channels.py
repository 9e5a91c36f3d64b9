"""One intake, every channel: the same things handed in -- a folder of
modules, the modules one folder down, a folder holding a .zip of them,
notebooks, a folder of junk -- give the same per-check scores and outcomes
through ``grade --json``, ``grade-class`` and ``pytest --submission``, and
the same reason when nothing can be graded."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from conftest import CORPUS, OPTIMIZER_STUBS, OPTIMIZERS, ROOT, SOLUTIONS

SEED = 5
ASCENT = CORPUS / "misconceptions" / "gd-ascent" / "gradient_descent.py"


def run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def modules() -> dict[str, str]:
    """The reference with gradient ascent in gradient_descent.py: partial
    credit, a misconception, and passes, so a difference would show."""
    found = {p.name: p.read_text(encoding="utf-8") for p in SOLUTIONS.glob("*.py")}
    found["gradient_descent.py"] = ASCENT.read_text(encoding="utf-8")
    return found


def notebook(source: str) -> str:
    """A notebook as nbgrader hands it out: a markdown cell, the student's
    solution cell, and a test cell (which the grader leaves out)."""
    def cell(kind, text, **nbgrader):
        data = {"cell_type": kind, "metadata": {"nbgrader": nbgrader} if nbgrader else {},
                "source": text}
        return data | ({"outputs": [], "execution_count": None} if kind == "code" else {})
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        cell("markdown", "# Exercise"),
        cell("code", source, solution=True, grade=False, grade_id="answer"),
        cell("code", "raise AssertionError('a test cell never runs in the grader')",
             solution=False, grade=True, grade_id="test", points=1),
    ]})


@pytest.fixture(scope="module")
def klass(tmp_path_factory) -> Path:
    """One class folder, one student per way of handing in."""
    root = tmp_path_factory.mktemp("channels") / "class"
    for name, text in modules().items():
        (root / "folder").mkdir(parents=True, exist_ok=True)
        (root / "folder" / name).write_text(text, encoding="utf-8")
        (root / "onedown" / "calculus-main").mkdir(parents=True, exist_ok=True)
        (root / "onedown" / "calculus-main" / name).write_text(text, encoding="utf-8")
        (root / "notebooks").mkdir(exist_ok=True)
        (root / "notebooks" / name).with_suffix(".ipynb").write_text(notebook(text))
    (root / "zipped").mkdir()
    with zipfile.ZipFile(root / "zipped" / "homework.zip", "w") as z:
        for name, text in modules().items():
            z.writestr(f"homework/{name}", text)
    (root / "junk").mkdir()
    (root / "junk" / "notes.txt").write_text("I will hand it in tomorrow")
    return root


STUDENTS = ("folder", "onedown", "zipped", "notebooks")


def by_check(results: dict) -> dict[str, tuple[float, str]]:
    return {t["name"]: (t["score"], t["extra_data"]["outcome"]) for t in results["tests"]}


def in_process(*args) -> subprocess.CompletedProcess:
    """``python -m autograder ARGS`` through the command line's main() in
    this process, from where :func:`run` runs it (a process each would
    cost the grader's imports again)."""
    from autograder.channels.cli import main
    stdout, stderr, before = io.StringIO(), io.StringIO(), os.getcwd()
    os.chdir(ROOT)
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = main([str(a) for a in args])
    finally:
        os.chdir(before)
    return subprocess.CompletedProcess(args, code, stdout.getvalue(), stderr.getvalue())


@pytest.fixture(scope="module")
def through_grade(klass, tmp_path_factory):
    """``grade --json`` of each student: the folder's as a real process,
    the others' through main() in this process."""
    out = tmp_path_factory.mktemp("grade")
    done = {}
    for name in (*STUDENTS, "junk"):
        # The assignment named for junk only: grade-class names it too (its
        # default), and the reason lists the modules looked for.
        named = ("--assignment", "calculus") if name == "junk" else ()
        args = ("grade", klass / name, "--seed", SEED, "--json", out / f"{name}.json",
                "--quiet", *named)
        completed = run("-m", "autograder", *args) if name == "folder" else in_process(*args)
        done[name] = (completed, json.loads((out / f"{name}.json").read_text()))
    return done


@pytest.fixture(scope="module")
def through_class(klass, tmp_path_factory):
    out = tmp_path_factory.mktemp("class-out")
    completed = run("-m", "autograder", "grade-class", klass, "--out", out, "--seed", SEED,
                    "--no-progress", "--workers", "2")
    assert completed.returncode == 0, completed.stderr
    return {name: json.loads((out / name / "results.json").read_text())
            for name in (*STUDENTS, "junk")}


def through_pytest(path: Path, tmp_path: Path, *options) -> tuple[subprocess.CompletedProcess,
                                                                   dict]:
    """pytest --submission PATH: its exit, and {check: (score, outcome)}
    from the JUnit XML report (each item records both)."""
    report = tmp_path / "junit.xml"
    completed = run("-m", "pytest", "--submission", path, "--grader-seed", SEED,
                    "-p", "no:cacheprovider", f"--junitxml={report}", *options, cwd=tmp_path)
    checks = {}
    if report.is_file():
        for case in ET.parse(report).iter("testcase"):
            props = {p.get("name"): p.get("value") for p in case.iter("property")}
            module = case.get("classname").removesuffix(".py").rsplit(".", 1)[-1]
            checks[f"{module}: {case.get('name')}"] = (float(props["score"]), props["outcome"])
    return completed, checks


@pytest.mark.parametrize("student", STUDENTS)
def test_every_channel_gives_the_same_checks(student, klass, through_grade, through_class,
                                             tmp_path):
    completed, results = through_grade[student]
    assert completed.returncode == 0, completed.stderr
    graded = by_check(results)
    assert len(graded) == 16
    wrong = {n for n, (_, o) in graded.items() if o != "passed"}
    assert wrong and all(n.startswith("gradient_descent:") for n in wrong)
    assert 70 <= results["score"] < 100                 # partial credit: only the ascent lost
    assert by_check(through_class[student]) == graded
    plugin, checks = through_pytest(klass / student, tmp_path)
    assert plugin.returncode == 1, plugin.stdout + plugin.stderr
    assert checks == graded
    assert "steps taken along the gradient" in plugin.stdout     # the misconception named


def test_the_same_submission_is_graded_identically_however_it_is_handed_in(through_grade):
    first = by_check(through_grade["folder"][1])
    for student in STUDENTS[1:]:
        assert by_check(through_grade[student][1]) == first, student


def test_a_zip_named_directly_is_graded_as_its_folder(klass, through_grade, tmp_path):
    archive = klass / "zipped" / "homework.zip"
    completed = run("-m", "autograder", "grade", archive, "--seed", SEED, "--json",
                    tmp_path / "r.json", "--quiet")
    assert completed.returncode == 0, completed.stderr
    graded = by_check(json.loads((tmp_path / "r.json").read_text()))
    assert graded == by_check(through_grade["folder"][1])
    plugin, checks = through_pytest(archive, tmp_path)
    assert plugin.returncode == 1 and checks == graded


def test_junk_is_refused_with_the_same_reason_everywhere(klass, through_grade, through_class,
                                                         tmp_path):
    junk = klass / "junk"
    completed, results = through_grade["junk"]
    assert completed.returncode == 2
    reason = completed.stderr.strip().removeprefix("error: ")
    assert completed.stderr.count("\n") == 1
    assert reason.startswith(f"{junk}: holds none of derivatives.py, gradient_descent.py, "
                             "weight_updates.py, neuron.py (nor their .ipynb notebooks")
    assert results == {"score": 0, "tests": [], "output": f"Not graded: {reason}",
                       "extra_data": {"seed": SEED, "status": f"no modules: {reason}"}}
    assert through_class["junk"] == results
    plugin, checks = through_pytest(junk, tmp_path, "--assignment", "calculus")
    assert plugin.returncode == pytest.ExitCode.USAGE_ERROR and checks == {}
    assert f"ERROR: {reason}" in plugin.stderr
    # With no assignment named, the reason names every assignment's modules.
    plugin, _ = through_pytest(junk, tmp_path)
    assert plugin.returncode == pytest.ExitCode.USAGE_ERROR
    assert "calculus: derivatives.py" in plugin.stderr and "optimizers: momentum.py" in \
        plugin.stderr


# ------------------------------------------------- assignment 2, every channel

def test_pytest_grades_assignment_2_inferred_or_named(tmp_path):
    """The optimizers reference scores 100 and its untouched stubs 0 with
    every check "not attempted", through the pytest plugin."""
    plugin, checks = through_pytest(OPTIMIZERS, tmp_path)
    assert plugin.returncode == 0, plugin.stdout + plugin.stderr
    assert {n.split(":")[0] for n in checks} == {"momentum", "minibatch", "adaptive",
                                                 "backprop"}
    assert len(checks) > 0 and all(o == "passed" for _, o in checks.values())
    assert [line.split() for line in plugin.stdout.splitlines()
            if line.startswith("total")] == [["total", "100/100"]]
    plugin, checks = through_pytest(OPTIMIZER_STUBS, tmp_path, "--assignment", "optimizers")
    assert plugin.returncode == 1
    assert len(checks) > 0 and all(c == (0.0, "not attempted") for c in checks.values())
    assert [line.split() for line in plugin.stdout.splitlines()
            if line.startswith("total")] == [["total", "0/100"]]
    assert "Traceback" not in plugin.stdout


def test_pytest_refuses_an_unknown_assignment_or_the_wrong_one(tmp_path):
    plugin, _ = through_pytest(OPTIMIZERS, tmp_path, "--assignment", "nope")
    assert plugin.returncode == pytest.ExitCode.USAGE_ERROR
    assert "--assignment: no assignment 'nope' (one of calculus, optimizers)" in plugin.stderr
    plugin, _ = through_pytest(SOLUTIONS, tmp_path, "--assignment", "optimizers")
    assert plugin.returncode == pytest.ExitCode.USAGE_ERROR
    assert "holds none of momentum.py, minibatch.py, adaptive.py, backprop.py" in plugin.stderr
    (tmp_path / "pytest.ini").write_text("[pytest]\nassignment = calculus\n")
    plugin, _ = through_pytest(OPTIMIZERS, tmp_path, "-c", "pytest.ini")   # the ini key
    assert plugin.returncode == pytest.ExitCode.USAGE_ERROR
    assert "holds none of derivatives.py" in plugin.stderr


def test_the_intake_cleans_up_what_it_made(klass, tmp_path):
    """Notebooks and zips become a temporary folder of modules, removed on
    leaving (also when grading fails); a folder of modules is used as it is."""
    from autograder.course import ASSIGNMENTS, CALCULUS
    from autograder.intake.submission import NotGradable, intake
    every = tuple(ASSIGNMENTS.values())
    with intake(klass / "folder", every) as handed_in:
        assert handed_in.folder == handed_in.source == klass / "folder"
        assert handed_in.assignment is CALCULUS
    for student in ("notebooks", "zipped"):
        with pytest.raises(RuntimeError):
            with intake(klass / student, every) as handed_in:
                made = handed_in.folder
                assert sorted(p.name for p in made.glob("*.py")) == sorted(modules())
                raise RuntimeError("the grader failed")
        assert not made.exists(), student
    with intake(klass / "onedown", every) as handed_in:
        assert handed_in.folder == klass / "onedown" / "calculus-main"
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "neuron.py").write_text("")
    with pytest.raises(NotGradable, match=r"several folders hold the modules \(a, b\); "
                                          "hand in one folder with all of them"):
        with intake(tmp_path, every):
            pass
