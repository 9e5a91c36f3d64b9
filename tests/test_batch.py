"""Grading a whole class: one row per student, resumable, robust to junk."""

import csv
import json
import errno
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

import autograder.sandbox.client
from autograder.channels import class_grading as batch
from autograder.channels.class_grading import COLUMNS, ClassError, grade_class, holding_out
from autograder.engine.config import Limits
from conftest import CORPUS, EXERCISES, ROOT, SOLUTIONS, marked_processes

LIMITS = Limits(time_seconds=3, memory_bytes=512 * 1024**2, output_bytes=64 * 1024)


def _copy(src, dst):
    dst.mkdir(parents=True)
    for path in src.glob("*.py"):
        shutil.copyfile(path, dst / path.name)


def make_klass(root):
    _copy(SOLUTIONS, root / "alice")
    _copy(EXERCISES, root / "bob")
    _copy(SOLUTIONS, root / "carol" / "calculus-repo")      # a repository inside the folder
    (root / "dave").mkdir()                                   # empty
    _copy(SOLUTIONS, root / "erin")                           # junk: binary and non-UTF-8
    (root / "erin" / "neuron.py").write_bytes(bytes(range(256)) * 4)
    (root / "erin" / "derivatives.py").write_bytes(b'x = "\xff\xfe"\n')
    _copy(SOLUTIONS, root / "frank")                          # hangs in one exercise
    (root / "frank" / "weight_updates.py").write_text(
        "import time\nt0 = time.time()\nwhile time.time() < t0 + 60:\n    pass\n")
    (root / ".hidden").mkdir()
    return root


@pytest.fixture
def klass(tmp_path):
    return make_klass(tmp_path / "class")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """(the class, OUT, summary) of one run over ``klass`` with seed 3,
    shared: a test that grades on into OUT works on a copy of it."""
    base = tmp_path_factory.mktemp("graded")
    root, out = make_klass(base / "class"), base / "out"
    summary = grade_class(root, out, workers=2, seed=3, limits=LIMITS, progress=False)
    return root, out, summary


def rows(out):
    with open(out / "grades.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_student_gets_a_row_with_a_clear_status(graded):
    _, out, summary = graded
    assert summary.students == 6 and summary.graded_now == 6
    with open(out / "grades.csv", newline="") as fh:
        assert tuple(next(csv.reader(fh))) == COLUMNS
    by = {r["student"]: r for r in rows(out)}
    assert list(by) == ["alice", "bob", "carol", "dave", "erin", "frank"]
    assert by["alice"]["total"] == "100" and by["carol"]["total"] == "100"
    assert by["bob"]["total"] == "0" and by["bob"]["status"] == "not attempted"
    assert by["dave"]["status"].startswith("no modules")
    assert by["erin"]["derivatives"] == "0" and by["erin"]["neuron"] == "0"
    assert by["erin"]["gradient_descent"] == "30" and "crashed" in by["erin"]["status"]
    assert by["frank"]["weight_updates"] == "0" and by["frank"]["neuron"] == "30"
    assert "hit a limit" in by["frank"]["status"]
    assert {r["seed"] for r in rows(out)} == {"3"}
    for name in by:
        assert (out / name / "results.json").is_file() and (out / name / "feedback.txt").is_file()
    assert "time budget" in (out / "frank" / "feedback.txt").read_text()


def test_a_second_run_grades_only_who_is_missing(graded, tmp_path):
    klass, out = graded[0], shutil.copytree(graded[1], tmp_path / "out")
    seed = rows(out)[0]["seed"]
    (out / "alice" / "results.json").unlink()
    summary = grade_class(klass, out, workers=2, limits=LIMITS, progress=False)
    assert (summary.graded_now, summary.skipped) == (1, 5)
    assert [r["student"] for r in rows(out)].count("alice") == 1
    assert {r["seed"] for r in rows(out)} == {seed}          # the class keeps its seed
    summary = grade_class(klass, out, workers=2, regrade=True, limits=LIMITS, progress=False)
    assert summary.graded_now == 6


def cli(*args):
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def here(capsys, monkeypatch):
    """``here(*args)``: the command line's main() in this process, from
    where :func:`cli` runs it: (exit status, stdout, stderr).  For the
    refusals of a command that a test also runs as a real process."""
    from autograder.channels.cli import main
    monkeypatch.chdir(ROOT)

    def run(*args):
        capsys.readouterr()
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err
    return run


@pytest.fixture
def marked_env():
    """(environment, TMPDIR, token) for a grade-class run whose processes
    can be found (they carry the token) and whose temporary folders go to
    a TMPDIR of their own (searchable by the sandbox's user)."""
    tmp = Path(tempfile.mkdtemp(prefix="batch-tmp-"))
    os.chmod(tmp, 0o711)
    token = secrets.token_hex(6)
    yield {**os.environ, "TMPDIR": str(tmp), "AUTOGRADER_TEST_MARK": token}, tmp, token
    for pid in marked_processes(token):     # only if a test failed midway
        os.kill(pid, signal.SIGKILL)
    shutil.rmtree(tmp, ignore_errors=True)


def none_left(token: str) -> list[int]:
    """The marked processes still running a few seconds on (the kernel
    ends the orphans of a killed run; their parents reap them)."""
    deadline = time.monotonic() + 15
    while marked_processes(token) and time.monotonic() < deadline:
        time.sleep(0.05)
    return marked_processes(token)


def test_a_killed_run_leaves_nobody_grading_and_resumes_cleanly(klass, tmp_path, marked_env):
    """SIGKILL: nothing of the run can clean up.  Its pool processes and
    fork servers die with it (they went on grading before), its temporary
    folder is swept by the next run, and that run grades who is missing."""
    env, tmp, token = marked_env
    out = tmp_path / "out"
    args = [sys.executable, "-m", "autograder", "grade-class", klass, "--out", out,
            "--workers", "2", "--no-progress", "--timeout", "3"]
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline and not list(out.glob("*/results.json")):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)            # the run alone, not its group
    proc.wait()
    assert none_left(token) == []
    done_before = len(list(out.glob("*/results.json")))
    assert 1 <= done_before < 6
    assert [p.name[:len("autograder-class-")] for p in tmp.iterdir()] == ["autograder-class-"]
    run = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert f"{6 - done_before} graded now" in run.stdout
    assert sorted(r["student"] for r in rows(out)) == ["alice", "bob", "carol", "dave", "erin",
                                                       "frank"]
    assert not [p for p in out.rglob(".*") if p.is_file()]    # no temp file left behind
    assert list(tmp.iterdir()) == []                           # the killed run's folder too


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_ctrl_c_or_sigterm_lets_the_running_students_finish_and_says_how_to_go_on(
        tmp_path, how, marked_env):
    env, tmp, token = marked_env
    root = tmp_path / "class"
    for n in range(8):                          # each one hangs a second in one exercise
        _copy(SOLUTIONS, root / f"s{n:02}")
        (root / f"s{n:02}" / "weight_updates.py").write_text(
            "import time\nt0 = time.time()\nwhile time.time() < t0 + 60:\n    pass\n")
    out = tmp_path / "out"
    args = ["grade-class", root, "--out", out, "--workers", "2", "--no-progress",
            "--timeout", "1"]
    proc = subprocess.Popen([sys.executable, "-m", "autograder", *map(str, args)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, env=env)
    deadline = time.time() + 60
    while time.time() < deadline and not list(out.glob("*/results.json")):
        time.sleep(0.05)
    if how == "ctrl-c":
        os.killpg(proc.pid, signal.SIGINT)       # what Ctrl-C sends: the whole group
    else:
        proc.send_signal(signal.SIGTERM)         # what `kill PID` sends: the run alone
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert "interrupted" in err and "run the same command again" in err
    assert "Traceback" not in err
    done = len(list(out.glob("*/results.json")))
    assert 1 <= done < 8 and len(rows(out)) == done        # nobody half graded
    assert none_left(token) == [] and list(tmp.iterdir()) == []
    if how == "sigterm":
        return                                  # going on is the same after either
    run = cli(*args)
    assert run.returncode == 0 and f"{8 - done} graded now" in run.stdout
    assert len(rows(out)) == 8


def test_a_second_run_on_the_same_out_says_who_holds_it(klass, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with holding_out(out):
        run = cli("grade-class", klass, "--out", out, "--no-progress")
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and run.stderr.startswith("error: ")
    assert f"pid {os.getpid()} on {socket.gethostname()}, started " in run.stderr
    assert list(out.iterdir()) == []            # no seed recorded, nobody graded, no lock left
    with holding_out(out):                      # free again
        pass


def test_bad_arguments_exit_2(tmp_path, klass, here):
    run = cli("grade-class", tmp_path / "nowhere", "--out", tmp_path / "out")
    assert run.returncode == 2 and "no such folder" in run.stderr
    # The other refusals through main() in this process: the same status and line.
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    code, _, err = here("grade-class", blocker, "--out", tmp_path / "out")
    assert code == 2 and f"{blocker}: not a folder" in err
    code, _, err = here("grade-class", klass, "--out", blocker / "out")
    assert code == 2 and "cannot write there" in err
    code, _, err = here("grade-class", klass, "--out", klass / "results")
    assert code == 2 and "inside the class folder" in err
    out = tmp_path / "out"
    (out).mkdir()
    (out / "class.json").write_text('{"seed": 5}')
    code, _, err = here("grade-class", klass, "--out", out, "--seed", "6")
    assert code == 2 and "--seed 5" in err


def test_students_who_handed_in_a_zip(tmp_path):
    root = tmp_path / "class"
    wrong = (CORPUS / "misconceptions" / "gd-ascent" / "gradient_descent.py").read_bytes()
    (root / "gina").mkdir(parents=True)
    with zipfile.ZipFile(root / "gina" / "submission.zip", "w") as z:
        for path in SOLUTIONS.glob("*.py"):       # a repository folder, as GitHub zips it
            z.writestr(f"calculus-main/{path.name}", path.read_bytes())
        z.writestr("calculus-main/old/gradient_descent.py", wrong)     # deeper: not read
        z.writestr("__MACOSX/calculus-main/._neuron.py", b"\x00\x05\x16\x07junk")
        z.writestr("../../neuron.py", b"raise SystemExit('escaped')")  # a path out: never used
    (root / "gina" / "._submission.zip").write_bytes(b"\x00\x05\x16\x07")  # macOS's companion
    (root / "hal").mkdir()
    with zipfile.ZipFile(root / "hal" / "hw.ZIP", "w") as z:
        z.writestr("gradient_descent.py", wrong)
    (root / "ivy").mkdir()
    (root / "ivy" / "hw.zip").write_bytes(b"PK\x03\x04 not really a zip")
    (root / "jon").mkdir()
    with zipfile.ZipFile(root / "jon" / "hw.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("neuron.py", b"#" * (17 * 1024**2))                   # unpacks too big
        z.writestr("notes.txt", b"hello")
    (root / "kim").mkdir()
    with zipfile.ZipFile(root / "kim" / "hw.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("neuron.py", (SOLUTIONS / "neuron.py").read_bytes())
    data = bytearray((root / "kim" / "hw.zip").read_bytes())
    data[60:90] = bytes(30)                                   # inside the compressed data
    (root / "kim" / "hw.zip").write_bytes(bytes(data))
    (root / "lou").mkdir()
    with zipfile.ZipFile(root / "lou" / "hw.zip", "w") as z:      # modules in two folders
        for path in SOLUTIONS.glob("*.py"):
            z.writestr(f"{'a' if path.stem < 'n' else 'b'}/{path.name}", path.read_bytes())
    out = tmp_path / "out"
    grade_class(root, out, workers=2, seed=3, limits=LIMITS, progress=False)
    by = {r["student"]: r for r in rows(out)}
    assert by["gina"]["total"] == "100" and by["gina"]["status"] == "graded"
    assert by["kim"]["status"].startswith(f"not gradable: {root / 'kim' / 'hw.zip'} is not a "
                                          "readable zip")
    assert by["lou"]["status"] == (f"not gradable: {root / 'lou' / 'hw.zip'} has modules in "
                                   "more than one folder (a, b); hand in one folder with all "
                                   "of them")
    assert 0 < int(by["hal"]["gradient_descent"]) < 30              # the misconception's part
    assert by["hal"]["total"] == by["hal"]["gradient_descent"]      # the only module given
    assert "steps taken along the gradient" in (out / "hal" / "feedback.txt").read_text()
    assert by["ivy"]["status"].startswith(f"not gradable: {root / 'ivy' / 'hw.zip'} is not "
                                          "a readable zip")
    assert by["jon"]["status"] == (f"not gradable: {root / 'jon' / 'hw.zip'}: neuron.py "
                                   f"unpacks to {17 * 1024**2} bytes, more than the 16 MiB "
                                   "allowed")
    assert not (tmp_path / "neuron.py").exists() and not list(root.rglob("*.py"))


def test_the_class_report_counts_outcomes_and_misconceptions(tmp_path):
    root = tmp_path / "class"
    for name in ("ana", "ben", "cy"):
        _copy(SOLUTIONS, root / name)
    for name in ("ben", "cy"):
        shutil.copyfile(CORPUS / "misconceptions" / "gd-ascent" / "gradient_descent.py",
                        root / name / "gradient_descent.py")
    shutil.copyfile(CORPUS / "misconceptions" / "df-exponent-kept" / "derivatives.py",
                    root / "cy" / "derivatives.py")
    (root / "dee").mkdir()                                   # nothing handed in
    (root / "eve").mkdir()
    (root / "eve" / "hw.zip").write_bytes(b"not a zip")       # handed in, not gradable
    out = tmp_path / "out"
    run = cli("grade-class", root, "--out", out, "--seed", "4", "--no-progress")
    assert run.returncode == 0, run.stderr
    assert ("2 students: steps taken along the gradient (ascent) (gradient_descent: "
            "gradient_descent returns the iterates)") in run.stdout
    with open(out / "checks.csv", newline="") as fh:
        checks = {r["check"]: r for r in csv.DictReader(fh)}
    gd = checks["gradient_descent returns the iterates"]
    assert (gd["students"], gd["passed"], gd["wrong"], gd["not_attempted"], gd["not_graded"]) \
        == ("5", "1", "2", "1", "1")
    # 12 + 2 + 2 of 5 * 12 points: ascent is right for steps = 0 (2 points).
    assert gd["mean_score"] == "3.20"
    assert checks["train runs full-batch gradient descent"]["passed"] == "3"
    with open(out / "misconceptions.csv", newline="") as fh:
        found = [(r["misconception"], r["students"]) for r in csv.DictReader(fh)]
    assert found == [("gd-ascent", "2"), ("df-exponent-kept", "1")]



def test_a_broken_results_file_is_graded_again_not_fatal(graded, tmp_path):
    klass, out = graded[0], shutil.copytree(graded[1], tmp_path / "out")
    (out / "alice" / "results.json").write_text('{"score": 100, "tests": [')    # cut short
    data = json.loads((out / "bob" / "results.json").read_text())
    data["tests"][0]["tags"].append(None)                      # edited into another shape
    (out / "bob" / "results.json").write_text(json.dumps(data))
    summary = grade_class(klass, out, workers=2, seed=3, limits=LIMITS, progress=False)
    assert summary.graded_now == 2
    by = {r["student"]: r for r in rows(out)}
    assert by["alice"]["total"] == "100" and by["bob"]["status"] == "not attempted"
    assert json.loads((out / "bob" / "results.json").read_text())["tests"][0]["tags"][-1]


def test_unreadable_folders_give_a_row_or_one_line(tmp_path, monkeypatch, sandbox):
    """As a non-root user: a student's folder the grader may not read gets
    its row and a status; an unreadable class folder is one clear error
    (simulated here, as root reads everything)."""
    root = tmp_path / "class"
    _copy(SOLUTIONS, root / "ann")
    (root / "locked").mkdir()
    real_is_file = Path.is_file

    def is_file(self):
        if root / "locked" in self.parents:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_is_file(self)
    monkeypatch.setattr(Path, "is_file", is_file)
    monkeypatch.setattr(autograder.sandbox.client, "process_sandbox", lambda: sandbox)   # the session's server
    grade_class(root, tmp_path / "out", workers=1, seed=3, limits=LIMITS, progress=False)
    by = {r["student"]: r for r in rows(tmp_path / "out")}
    assert by["ann"]["total"] == "100"
    assert by["locked"]["status"] == (f"not gradable: cannot read {root / 'locked'} "
                                      "(Permission denied)")

    def iterdir(self):
        raise PermissionError(errno.EACCES, "Permission denied", str(self))
    monkeypatch.setattr(Path, "iterdir", iterdir)
    with pytest.raises(ClassError, match=f"^{root}: cannot read the class folder "
                                         r"\(Permission denied\)$"):
        grade_class(root, tmp_path / "out2", workers=1, seed=3, progress=False)


@pytest.mark.skipif(os.getuid() != 0, reason="mounts a tiny tmpfs: needs root")
def test_a_full_disk_under_out_is_one_line_and_exit_2(tmp_path):
    klass = tmp_path / "class"
    for name in ("ann", "ben"):
        _copy(SOLUTIONS, klass / name)
    out = tmp_path / "out"
    out.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24k", "tmpfs", str(out)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        (out / "ballast").write_bytes(b"x" * 12 * 1024)
        run = cli("grade-class", klass, "--out", out, "--no-progress", "--seed", "3",
                  "--timeout", "3")
    finally:
        subprocess.run(["umount", "-l", str(out)], check=False)
    assert run.returncode == 2, run.stderr
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    assert "cannot write there (No space left on device)" in run.stderr


def test_half_written_files_of_a_killed_run_are_swept_by_the_next(tmp_path):
    """A run killed in the middle of an atomic write leaves its temporary
    file beside the real one; the next run removes it, and nothing else."""
    from autograder.channels.class_grading import sweep_half_written
    out = tmp_path / "out"
    (out / "dave").mkdir(parents=True)
    stale = [out / "dave" / ".feedback.txt.f8row0z2", out / ".grades.csv.k2j3"]
    kept = [out / "dave" / "feedback.txt", out / "dave" / ".notes", out / "grades.csv"]
    for path in stale + kept:
        path.write_text("x", encoding="utf-8")
    assert sorted(sweep_half_written(out)) == sorted(stale)
    assert [p for p in stale if p.exists()] == []
    assert all(p.exists() for p in kept)


def test_a_class_of_assignment_2(tmp_path, here):
    """grade-class --assignment optimizers: its modules as columns, its
    checks in checks.csv, its misconceptions (titles and hints from the
    assignment graded) in misconceptions.csv; OUT keeps to one assignment."""
    from autograder.course import OPTIMIZERS as COURSE
    from conftest import OPTIMIZER_STUBS, OPTIMIZERS
    root = tmp_path / "class"
    _copy(OPTIMIZERS, root / "ada")
    _copy(OPTIMIZER_STUBS, root / "bo")
    _copy(OPTIMIZERS, root / "cy")
    moving = CORPUS / "optimizers" / "misconceptions" / "momentum-moving-average"
    for path in moving.glob("*.py"):
        shutil.copyfile(path, root / "cy" / path.name)
    _copy(SOLUTIONS, root / "di")                    # assignment 1's modules: none of these
    out = tmp_path / "out"
    run = cli("grade-class", root, "--out", out, "--assignment", "optimizers", "--seed", "4",
              "--no-progress", "--workers", "2")
    assert run.returncode == 0, run.stderr
    with open(out / "grades.csv", newline="") as fh:
        assert tuple(next(csv.reader(fh))) == ("student", "momentum", "minibatch", "adaptive",
                                               "backprop", "total", "seed", "status")
    by = {r["student"]: r for r in rows(out)}
    assert by["ada"]["total"] == "100" and by["ada"]["status"] == "graded"
    assert by["bo"]["total"] == "0" and by["bo"]["status"] == "not attempted"
    assert 0 < float(by["cy"]["momentum"]) < 25 and by["cy"]["adaptive"] == "30"
    assert by["di"]["status"].startswith(f"no modules: {root / 'di'}: holds none of "
                                         "momentum.py, minibatch.py, adaptive.py, backprop.py")
    with open(out / "checks.csv", newline="") as fh:
        checks = list(csv.DictReader(fh))
    assert [(r["exercise"], r["check"]) for r in checks] == \
        [(e.module, c.name) for e in COURSE.exercises for c in e.checks]
    assert all(r["students"] == "4" for r in checks)
    assert all(int(r["not_attempted"]) >= 2 for r in checks)          # bo, and di's none
    with open(out / "misconceptions.csv", newline="") as fh:
        found = {r["misconception"]: r for r in csv.DictReader(fh)}
    known = next(m for e in COURSE.exercises for c in e.checks for m in c.misconceptions
                 if m.id == "momentum-moving-average")
    assert found["momentum-moving-average"]["title"] == known.title
    assert found["momentum-moving-average"]["hint"] == known.hint
    code, _, err = here("grade-class", root, "--out", out, "--no-progress")   # calculus
    assert code == 2 and err.count("\n") == 1
    assert "holds the grades of assignment optimizers" in err
    code, _, err = here("grade-class", root, "--out", tmp_path / "other", "--assignment", "nope")
    assert code == 2 and err.count("\n") == 1
    assert "--assignment: no assignment 'nope' (one of calculus, optimizers)" in err
    assert not (tmp_path / "other").exists()


def test_the_class_report_reads_named_fields_not_tag_positions(graded):
    """The tags are for people filtering in Gradescope: the report reads
    each test's extra_data, so tags in another order change nothing."""
    from autograder.channels.class_report import checks_csv, misconceptions_csv, tally
    from autograder.course import CALCULUS
    _, out, _ = graded
    results = [json.loads((out / s / "results.json").read_text())
               for s in ("alice", "bob", "dave", "erin", "frank")]
    shuffled = json.loads(json.dumps(results))
    for data in shuffled:
        for test in data["tests"]:
            test["tags"] = list(reversed(test["tags"]))
    assert checks_csv(tally(shuffled, CALCULUS)) == checks_csv(tally(results, CALCULUS))
    assert misconceptions_csv(tally(shuffled, CALCULUS)) == \
        misconceptions_csv(tally(results, CALCULUS))
    counted = tally(results, CALCULUS)
    assert all(sum(c.values()) == 5 for c in counted.outcomes.values())
    first = CALCULUS.exercise("weight_updates").checks[0].name
    assert counted.outcomes[f"weight_updates: {first}"]["limit"] == 1      # frank hangs
    assert counted.outcomes[f"weight_updates: {first}"]["passed"] == 2     # alice, erin
