"""The Gradescope autograder zip, end to end: built with the CLI, unpacked
into a simulated /autograder, and its run_autograder run on submissions the
way Gradescope runs it (with this test's Python in place of the venv that
setup.sh makes), each results.json checked against Gradescope's format."""

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.course import EXERCISES, MODULES, misconceptions
from conftest import CORPUS, EXERCISES as STUBS, ROOT, SOLUTIONS

SEED = 4242
POINTS = {e.module: e.points for e in EXERCISES}
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}


def cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("build") / "autograder.zip"
    run = cli("gradescope", out, "--seed", SEED, "--timeout", 20)
    assert run.returncode == 0, run.stderr
    assert f"seed {SEED}" in run.stdout and str(out) in run.stdout
    return out


@pytest.fixture
def gradescope(bundle, tmp_path):
    """``gradescope(populate, **env)``: a fresh /autograder with the zip in
    source/ and a submission/ that ``populate(folder)`` fills; runs
    run_autograder and returns (results, completed process)."""
    root = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(root / "source")
    for name in ("setup.sh", "run_autograder"):       # zipfile drops the modes
        (root / "source" / name).chmod(0o755)
    # Gradescope copies run_autograder to the root before running it.
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")

    def run(populate, **env):
        (root / "submission").mkdir()
        populate(root / "submission")
        environ = {"PATH": "/usr/bin:/bin", "AUTOGRADER_ROOT": str(root),
                   "AUTOGRADER_PYTHON": sys.executable, "PYTHONDONTWRITEBYTECODE": "1",
                   # Must not matter: the zip's settings win.
                   "AUTOGRADER_SEED": "1", "AUTOGRADER_TIMEOUT": "0.5", **env}
        done = subprocess.run([str(root / "run_autograder")], cwd=root, env=environ,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        results = json.loads((root / "results" / "results.json").read_text())
        validate(results)
        return results, done
    return run


def validate(results: dict) -> None:
    """Gradescope's results.json: required keys and types, and our contract."""
    assert isinstance(results, dict)
    assert isinstance(results.get("tests"), list)
    assert isinstance(results.get("score"), (int, float))
    for key, kind in (("output", str), ("extra_data", dict), ("execution_time", (int, float))):
        if key in results:
            assert isinstance(results[key], kind), key
    for key in ("visibility", "stdout_visibility"):
        if key in results:
            assert results[key] in VISIBILITY
    for test in results["tests"]:
        assert isinstance(test["name"], str) and test["name"]
        assert isinstance(test["score"], (int, float)) and isinstance(test["max_score"], (int, float))
        assert 0 <= test["score"] <= test["max_score"]
        assert isinstance(test["output"], str)
        assert isinstance(test["tags"], list) and all(isinstance(t, str) for t in test["tags"])
        assert test["tags"][0] in MODULES
        assert test.get("status", "passed") in ("passed", "failed")
        assert test.get("visibility", "visible") in VISIBILITY
        assert (test.get("status") == "passed") == (test["score"] == test["max_score"])
    if results["tests"]:
        assert results["score"] == pytest.approx(sum(t["score"] for t in results["tests"]))
        assert sum(t["max_score"] for t in results["tests"]) == 100
        per_module = {m: sum(t["max_score"] for t in results["tests"] if t["tags"][0] == m)
                      for m in MODULES}
        assert per_module == POINTS


def copy_modules(source: Path):
    def populate(folder: Path):
        for path in source.glob("*.py"):
            shutil.copyfile(path, folder / path.name)
    return populate


def test_solutions_score_100_with_the_seed_of_the_zip(gradescope):
    results, done = gradescope(copy_modules(SOLUTIONS))
    assert results["score"] == 100
    assert results["extra_data"]["seed"] == SEED
    assert "100/100" in done.stdout


def test_untouched_stubs_score_0_and_say_not_attempted(gradescope):
    results, _ = gradescope(copy_modules(STUBS))
    assert results["score"] == 0 and len(results["tests"]) == 16
    for test in results["tests"]:
        assert "not attempted" in test["output"] and "Traceback" not in test["output"]


def test_a_misconception_scores_partial_credit_with_its_hint(gradescope):
    hint = next(m.hint for _, _, m in misconceptions() if m.id == "gd-ascent")

    def populate(folder):
        copy_modules(SOLUTIONS)(folder)
        copy_modules(CORPUS / "misconceptions" / "gd-ascent")(folder)
    results, _ = gradescope(populate)
    assert 0 < results["score"] < 100
    failed = [t for t in results["tests"] if t["status"] == "failed"]
    assert failed and all(t["tags"][0] == "gradient_descent" for t in failed)
    assert any(hint in t["output"] and "misconception:gd-ascent" in t["tags"] for t in failed)


def test_an_empty_submission_gets_a_zero_that_says_why(gradescope):
    results, _ = gradescope(lambda folder: None)
    assert results["score"] == 0 and results["tests"] == []
    assert "none of derivatives.py" in results["output"]


def test_modules_one_folder_down_are_found(gradescope):
    """A zip of a folder, or a GitHub repository with other files beside."""
    def populate(folder):
        (folder / "calculus-homework").mkdir()
        copy_modules(SOLUTIONS)(folder / "calculus-homework")
        (folder / "notes").mkdir()
        (folder / "notes" / "README.md").write_text("my notes")
        (folder / ".git").mkdir()
        (folder / ".git" / "neuron.py").write_text("raise SystemExit")   # hidden: skipped
    results, _ = gradescope(populate)
    assert results["score"] == 100
    assert results["extra_data"]["submission"].endswith("calculus-homework")


def test_the_classrooms_notebooks_are_graded_too(gradescope, tmp_path):
    """Students of the nbgrader classroom may upload their notebooks."""
    from autograder.channels.classroom import answer_release, make_course
    make_course(tmp_path / "course", solutions=SOLUTIONS, seed=3)
    answers = {p.stem: p.read_text() for p in SOLUTIONS.glob("*.py")}
    answers["gradient_descent"] = (CORPUS / "misconceptions" / "gd-ascent" /
                                   "gradient_descent.py").read_text()
    results, _ = gradescope(lambda folder: answer_release(
        tmp_path / "course" / "source" / "calculus", folder / "homework", answers))
    by_module: dict = {}
    for test in results["tests"]:
        by_module[test["tags"][0]] = by_module.get(test["tags"][0], 0) + test["score"]
    assert by_module["derivatives"] == 25 and by_module["neuron"] == 30
    assert 0 < by_module["gradient_descent"] < 30


def test_two_folders_of_modules_are_refused_with_a_reason(gradescope):
    def populate(folder):
        for name in ("old", "new"):
            (folder / name).mkdir()
            copy_modules(SOLUTIONS)(folder / name)
    results, _ = gradescope(populate)
    assert results["score"] == 0 and "several folders" in results["output"]


def test_a_linked_folder_is_not_graded(gradescope, tmp_path):
    """A submission holding only a link to a folder of modules (here the
    reference, beside /autograder): it scored 100 when links were followed."""
    (tmp_path / "reference").mkdir()
    copy_modules(SOLUTIONS)(tmp_path / "reference")

    def populate(folder):      # submission/repo -> ../../reference
        shutil.copytree(CORPUS / "hostile" / "link_to_reference", folder, symlinks=True,
                        dirs_exist_ok=True)
        assert (folder / "repo" / "neuron.py").is_file()
    results, _ = gradescope(populate)
    assert results["score"] == 0 and results["tests"] == []
    assert "symbolic links, which the grader never follows" in results["output"]


def test_a_grader_that_cannot_start_still_leaves_results(gradescope):
    results, _ = gradescope(copy_modules(SOLUTIONS), AUTOGRADER_PYTHON="/nonexistent/python")
    assert results["score"] == 0 and "grader stopped" in results["output"]


def test_the_zip_holds_the_package_and_scripts_but_no_solutions_or_tests(bundle):
    with zipfile.ZipFile(bundle) as zf:
        names = zf.namelist()
        texts = {n: zf.read(n).decode("utf-8") for n in names}
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in zf.infolist()}
    assert {"setup.sh", "run_autograder", "pyproject.toml", "autograder/channels/cli.py",
            "autograder/course/calculus/neuron.py"} <= set(names)
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    assert not [n for n in names if n.startswith(("solutions/", "tests/", "exercises/"))
                or "__pycache__" in n or n.endswith(".pyc")]
    assert not [n for n in names if Path(n).name in {f"{m}.py" for m in MODULES}
                and not n.startswith("autograder/course/")]
    # The marker only where the generators look for it, and no solution body
    # anywhere (one-line answers such as f'(x) are the grader's own reference).
    assert [n for n, t in texts.items() if "### BEGIN SOLUTION" in t] == \
        ["autograder/channels/classroom.py", "autograder/course/stubs.py"]
    bodies = []
    for path in SOLUTIONS.glob("*.py"):
        for body in re.findall(r"### BEGIN SOLUTION\n(.*?)\n\s*### END SOLUTION",
                               path.read_text(), flags=re.S):
            lines = [line.strip() for line in body.splitlines() if line.strip()]
            if len(lines) >= 2:
                bodies.append("\n".join(lines))
    assert len(bodies) >= 5
    flat = {n: "\n".join(line.strip() for line in t.splitlines() if line.strip())
            for n, t in texts.items()}
    assert [(n, b) for n, t in flat.items() for b in bodies if b in t] == []
    # No path of the machine it was built on.
    assert not [n for n, t in texts.items() if str(ROOT) in t]


def test_the_scripts_are_valid_bash(bundle, tmp_path):
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(tmp_path)
    for name in ("setup.sh", "run_autograder"):
        check = subprocess.run(["bash", "-n", str(tmp_path / name)], capture_output=True,
                               text=True)
        assert check.returncode == 0, (name, check.stderr)
    run_script = (tmp_path / "run_autograder").read_text()
    assert f"--seed {SEED} --timeout 20.0" in run_script


def test_the_same_settings_build_the_same_zip_and_a_random_seed_is_printed(bundle, tmp_path):
    again = tmp_path / "again.zip"
    assert cli("gradescope", again, "--seed", SEED, "--timeout", 20).returncode == 0
    assert again.read_bytes() == bundle.read_bytes()
    fresh = tmp_path / "fresh.zip"
    run = cli("gradescope", fresh)
    assert run.returncode == 0, run.stderr
    seed = re.search(r"rebuild with --seed (\d+)", run.stdout).group(1)
    with zipfile.ZipFile(fresh) as zf:
        assert f"--seed {seed} " in zf.read("run_autograder").decode()


@pytest.mark.parametrize("name, message", [
    ("missing/autograder.zip", "does not exist"),
    ("autograder.tar.gz", "not a .zip"),
])
def test_a_bad_out_path_is_refused_and_nothing_is_written(tmp_path, name, message):
    out = tmp_path / name
    run = cli("gradescope", out)
    assert run.returncode == 2
    assert message in run.stderr and str(out) in run.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_existing_zip_is_replaced_whole(tmp_path):
    out = tmp_path / "autograder.zip"
    out.write_bytes(b"old")
    assert cli("gradescope", out, "--seed", 1).returncode == 0
    assert zipfile.is_zipfile(out)
    assert [p.name for p in tmp_path.iterdir()] == ["autograder.zip"]   # no temp file left


def test_an_assignment_2_zip_grades_assignment_2(tmp_path):
    """--assignment optimizers is baked into the zip: its run_autograder
    grades that assignment (the reference 100, the stubs 0 with every check
    not attempted, calculus's modules refused), and its README names the
    assignment's modules."""
    from autograder.course import OPTIMIZERS as COURSE
    from conftest import OPTIMIZER_STUBS, OPTIMIZERS
    out = tmp_path / "optimizers.zip"
    run = cli("gradescope", out, "--assignment", "optimizers", "--seed", SEED)
    assert run.returncode == 0, run.stderr
    assert "assignment optimizers" in run.stdout
    root = tmp_path / "autograder"
    with zipfile.ZipFile(out) as zf:
        zf.extractall(root / "source")
        readme = zf.read("README.md").decode()
    assert "momentum.py, minibatch.py, adaptive.py, backprop.py" in readme
    assert "derivatives" not in readme
    (root / "source" / "run_autograder").chmod(0o755)

    def grade(source):
        shutil.rmtree(root / "submission", ignore_errors=True)
        copy = root / "submission"
        copy.mkdir()
        copy_modules(source)(copy)
        env = {"PATH": "/usr/bin:/bin", "AUTOGRADER_ROOT": str(root),
               "AUTOGRADER_PYTHON": sys.executable, "PYTHONDONTWRITEBYTECODE": "1"}
        done = subprocess.run([str(root / "source" / "run_autograder")], cwd=root, env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return json.loads((root / "results" / "results.json").read_text())
    right = grade(OPTIMIZERS)
    assert right["score"] == 100 and right["extra_data"]["seed"] == SEED
    assert {t["tags"][0] for t in right["tests"]} == set(COURSE.modules)
    stubs = grade(OPTIMIZER_STUBS)
    assert stubs["score"] == 0 and len(stubs["tests"]) == len(right["tests"])
    assert all(t["extra_data"]["outcome"] == "not attempted" for t in stubs["tests"])
    wrong = grade(SOLUTIONS)
    assert wrong["score"] == 0 and wrong["tests"] == []
    assert "holds none of momentum.py" in wrong["output"]
    bad = cli("gradescope", tmp_path / "bad.zip", "--assignment", "nope")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
    assert "no assignment 'nope' (one of calculus, optimizers)" in bad.stderr
    assert not (tmp_path / "bad.zip").exists()

