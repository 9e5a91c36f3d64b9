"""The command line, end to end: exit codes, the score table, results.json
in Gradescope's format, and regrades with the same seed."""

import json
import subprocess
import sys
import zipfile

import pytest

from conftest import EXERCISES, OPTIMIZER_STUBS, OPTIMIZERS, ROOT, SOLUTIONS

MODULES = ["derivatives", "gradient_descent", "weight_updates", "neuron"]


def cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def here(capsys, monkeypatch):
    """``here(*args)``: the command line's main() in this process, run from
    where :func:`cli` runs it: (exit status, stdout, stderr).  For the
    variants of a command whose test also runs it as a real process (each
    start costs the grader's imports again)."""
    from autograder.channels.cli import main
    monkeypatch.chdir(ROOT)

    def run(*args):
        capsys.readouterr()
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:       # argparse's refusals
            code = exc.code
        out, err = capsys.readouterr()
        return code, out, err
    return run


def test_solutions_score_full_marks_in_gradescope_format(tmp_path):
    out = tmp_path / "results.json"
    run = cli("grade", SOLUTIONS, "--json", out, "--seed", 11)
    assert run.returncode == 0, run.stderr
    assert "total" in run.stdout and "100/100" in run.stdout
    data = json.loads(out.read_text())
    assert data["score"] == 100
    assert data["extra_data"]["seed"] == 11 and "11" in data["output"]
    assert {t["tags"][0] for t in data["tests"]} == set(MODULES)
    for test in data["tests"]:
        assert set(test) >= {"name", "score", "max_score", "output", "tags"}
        assert test["score"] == test["max_score"]
    per_module = {m: sum(t["max_score"] for t in data["tests"] if t["tags"][0] == m)
                  for m in MODULES}
    assert per_module == {"derivatives": 25, "gradient_descent": 30, "weight_updates": 15,
                          "neuron": 30}


@pytest.mark.parametrize("folder, modules", [
    (EXERCISES, MODULES),
    (OPTIMIZER_STUBS, ("momentum", "minibatch", "adaptive", "backprop"))])
def test_stubs_score_zero_and_say_not_attempted(tmp_path, folder, modules):
    """Both assignments' untouched stubs: every check "not attempted"."""
    out = tmp_path / "results.json"
    run = cli("grade", folder, "--json", out)
    assert run.returncode == 0, run.stderr
    data = json.loads(out.read_text())
    assert data["score"] == 0
    assert {t["tags"][0] for t in data["tests"]} == set(modules)
    for test in data["tests"]:
        assert "not attempted" in test["output"]
        assert "Traceback" not in test["output"]
    for module in modules:
        assert f"not attempted: edit {folder.relative_to(ROOT)}/{module}.py" in run.stdout


@pytest.mark.parametrize("make, message", [
    (lambda p: p / "nowhere", "no such folder"),
    (lambda p: p, "holds none of"),
    (lambda p: (p / "a.txt").write_text("x") and p / "a.txt", "not a folder"),
    (lambda p: (p / "hw.zip").write_text("x") and p / "hw.zip", "is not a readable zip"),
])
def test_bad_folders_exit_2_with_a_clear_message(tmp_path, make, message):
    folder = make(tmp_path)
    out = tmp_path / "results.json"
    run = cli("grade", folder, "--json", out)
    assert run.returncode == 2
    assert message in run.stderr and str(folder) in run.stderr
    assert json.loads(out.read_text())["score"] == 0   # still written, with the reason


def test_bad_settings_and_unwritable_json_exit_2(tmp_path, here):
    run = cli("grade", SOLUTIONS, "--timeout", "forever")
    assert run.returncode == 2 and "--timeout" in run.stderr
    code, _, err = here("grade", SOLUTIONS, "--memory", "99999999999GiB")
    assert code == 2 and err.startswith("error: --memory: '99999999999GiB' "
                                        "is more than any machine can give")
    code, _, err = here("grade", SOLUTIONS, "--json", tmp_path / "missing" / "r.json")
    assert code == 2 and "does not exist" in err


def test_same_seed_regrades_identically_and_seeds_change_the_cases(tmp_path, submission, here):
    wrong = submission({"gradient_descent": (SOLUTIONS / "gradient_descent.py").read_text()
                        .replace("x - learning_rate * grad(x)", "x + learning_rate * grad(x)")})
    outputs = []
    for i, seed in enumerate((5, 5, 6)):
        out = tmp_path / f"r{i}.json"
        assert here("grade", wrong, "--json", out, "--seed", seed)[0] == 0
        data = json.loads(out.read_text())
        outputs.append([(t["name"], t["score"], t["output"]) for t in data["tests"]])
    assert outputs[0] == outputs[1]
    assert sum(s for _, s, _ in outputs[0]) < 100
    assert sum(s for _, s, _ in outputs[2]) < 100


def test_seeds_choose_the_hidden_inputs():
    from autograder.course import EXERCISES as CATALOGUE

    def calls(seed):
        return [p.call_text() for e in CATALOGUE for c in e.checks
                for case in c.make_cases(seed, e.module) for p in case.probes]
    assert calls(5) == calls(5)
    different = sum(a != b for a, b in zip(calls(5), calls(6)))
    assert different > len(calls(5)) // 2


def test_make_stubs_regenerates_exercises(tmp_path):
    target = tmp_path / "stubs"
    run = cli("make-stubs", "--solutions", SOLUTIONS, "--exercises", target)
    assert run.returncode == 0, run.stderr
    for module in MODULES:
        assert (target / f"{module}.py").read_text() == (EXERCISES / f"{module}.py").read_text()


def test_make_stubs_check_names_the_stale_stubs_and_writes_nothing(tmp_path, here):
    target = tmp_path / "stubs"
    assert here("make-stubs", "--solutions", SOLUTIONS, "--exercises", target)[0] == 0
    code, out, err = here("make-stubs", "--check", "--solutions", SOLUTIONS, "--exercises",
                          target)
    assert code == 0 and out == "", out + err
    (target / "neuron.py").write_text((SOLUTIONS / "neuron.py").read_text())   # a solution leaked
    (target / "derivatives.py").unlink()
    stale = cli("make-stubs", "--check", "--solutions", SOLUTIONS, "--exercises", target)
    assert stale.returncode == 1
    assert stale.stdout.splitlines() == [f"out of date: {target / 'derivatives.py'}",
                                         f"out of date: {target / 'neuron.py'}"]
    assert "make-stubs" in stale.stderr
    assert not (target / "derivatives.py").exists()          # --check writes nothing
    code, _, err = here("make-stubs", "--check", "--solutions", tmp_path / "nope")
    assert code == 2 and "nope: no such directory" in err


def test_only_grades_the_selected_exercise_or_check(tmp_path, here):
    out = tmp_path / "results.json"
    run = cli("grade", SOLUTIONS, "--json", out, "--seed", 3, "--only", "neuron",
              "--only", "derivatives:2")
    assert run.returncode == 0, run.stderr
    data = json.loads(out.read_text())
    assert [t["tags"][0] for t in data["tests"]] == ["derivatives"] + ["neuron"] * 6
    assert data["score"] == 35 and "slope_at_2" in data["tests"][0]["name"]
    for bad, message in (("nope", "no exercise 'nope'"), ("neuron:7", "checks 1 to 6"),
                         ("neuron:x", "checks 1 to 6")):
        code, _, err = here("grade", SOLUTIONS, "--only", bad)
        assert code == 2 and "--only" in err and message in err


def test_strict_exits_1_unless_every_graded_check_passed(submission, here):
    wrong = submission({"gradient_descent": (SOLUTIONS / "gradient_descent.py").read_text()
                        .replace("x - learning_rate * grad(x)", "x + learning_rate * grad(x)")})
    assert cli("grade", wrong, "--strict", "--only", "gradient_descent:1").returncode == 1
    assert here("grade", wrong, "--strict", "--only", "gradient_descent:2")[0] == 0
    assert here("grade", wrong, "--only", "gradient_descent:1")[0] == 0   # not strict


def test_a_zip_is_graded_like_its_folder(tmp_path):
    archive = tmp_path / "hw.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in SOLUTIONS.glob("*.py"):
            z.writestr(f"hw/{path.name}", path.read_bytes())
    out = tmp_path / "results.json"
    run = cli("grade", archive, "--json", out, "--seed", 11)
    assert run.returncode == 0, run.stderr
    assert json.loads(out.read_text())["score"] == 100 and "100/100" in run.stdout


def test_the_optimizers_reference_scores_full_marks_and_the_assignment_is_inferred(tmp_path,
                                                                                  here):
    """grade DIR grades the assignment whose modules DIR holds; --assignment
    names it, and an unknown name is one line and exit 2."""
    out = tmp_path / "results.json"
    run = cli("grade", str(OPTIMIZERS), "--seed", "5", "--json", str(out))
    assert run.returncode == 0, run.stderr
    results = json.loads(out.read_text())
    assert results["score"] == 100
    assert {t["tags"][0] for t in results["tests"]} == {"momentum", "minibatch", "adaptive",
                                                        "backprop"}
    assert all(t["score"] == t["max_score"] for t in results["tests"])
    code, out, _ = here("grade", str(OPTIMIZERS), "--assignment", "optimizers",
                        "--seed", "5", "--quiet")
    assert code == 0 and "100/100" in out
    code, _, err = here("grade", str(OPTIMIZERS), "--assignment", "nope")
    assert code == 2
    assert "no assignment 'nope'" in err
