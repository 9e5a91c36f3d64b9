"""Grading a class in shards (grade-class --shard K/N) into one OUT, and
rebuilding the class files from the students' results (class-report)."""

import json
import re
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.channels import cli as cli_module
from autograder.channels.class_grading import (ClassError, Shard, grade_class, holding_out,
                                               parse_shard, shard_of)
from autograder.engine.config import Limits
from conftest import CORPUS, EXERCISES, ROOT, SOLUTIONS

LIMITS = Limits(time_seconds=3, memory_bytes=512 * 1024**2, output_bytes=64 * 1024)
CLASS_FILES = ("grades.csv", "checks.csv", "misconceptions.csv", "class.json", "report.html")


def cli(*args, env=None):
    return subprocess.Popen([sys.executable, "-m", "autograder", *map(str, args)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})


def run(*args, env=None):
    proc = cli(*args, env=env)
    out, err = proc.communicate(timeout=600)
    return proc.returncode, out, err


def _copy(src, dst):
    dst.mkdir(parents=True, exist_ok=True)
    for path in src.glob("*.py"):
        shutil.copyfile(path, dst / path.name)


def make_class(root: Path) -> Path:
    """Right, wrong in known ways, untouched, empty; names with spaces."""
    for name in ("ann", "cat", "fay & co"):
        _copy(SOLUTIONS, root / name)
    for name, wrong in (("ben", "gd-ascent"), ("dan", "gd-ascent"), ("gus", "df-returns-f"),
                        ("zed <b>", "loss-no-half")):
        _copy(SOLUTIONS, root / name)
        _copy(CORPUS / "misconceptions" / wrong, root / name)
    _copy(EXERCISES, root / "eve")
    (root / "hal").mkdir()
    return root


def test_a_student_s_shard_is_fixed_by_the_name_alone():
    names = [f"student{i:05d}" for i in range(300)]
    parts = [[n for n in names if shard_of(n, 3) == k] for k in range(3)]
    assert sorted(sum(parts, [])) == names                     # each in exactly one shard
    assert all(80 <= len(p) <= 120 for p in parts)             # roughly a third each
    joined = names[::2] + [f"late{i}" for i in range(50)]      # half leave, 50 join
    assert all(shard_of(n, 3) == k for k, part in enumerate(parts) for n in part
               if n in joined)
    # the same in another interpreter, whatever its string hashing
    code = ("from autograder.channels.class_grading import shard_of; "
            "print([shard_of(f'student{i:05d}', 3) for i in range(300)])")
    for hashseed in ("1", "2"):
        other = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                               text=True, env={**os.environ, "PYTHONHASHSEED": hashseed},
                               check=True)
        assert json.loads(other.stdout) == [shard_of(n, 3) for n in names]


def test_the_shard_index_comes_from_the_flag_or_the_scheduler():
    assert parse_shard("1/3", {}) == Shard(1, 3)
    assert parse_shard("0/1", {}) == Shard(0, 1)
    assert parse_shard("/3", {"JOB_COMPLETION_INDEX": "2"}) == Shard(2, 3)
    assert parse_shard("/4", {"SLURM_ARRAY_TASK_ID": "3"}) == Shard(3, 4)
    assert parse_shard("/4", {"SLURM_ARRAY_TASK_ID": "5",            # --array=3-6
                              "SLURM_ARRAY_TASK_MIN": "3"}) == Shard(2, 4)
    assert parse_shard("2/4", {"JOB_COMPLETION_INDEX": "0"}) == Shard(2, 4)   # given wins
    refusals = {
        ("3/3", ()): "shard 3 of 3 does not exist; shards count from 0 to 2",
        ("-1/3", ()): "shard -1 of 3 does not exist",
        ("a/3", ()): "'a' is not a whole number",
        ("1", ()): "give K/N",
        ("1/0", ()): "give K/N",
        ("/3", ()): "neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID is set",
        ("/3", (("JOB_COMPLETION_INDEX", "3"),)): "JOB_COMPLETION_INDEX: shard 3 of 3 does "
                                                  "not exist",
        ("/2", (("SLURM_ARRAY_TASK_ID", "4"), ("SLURM_ARRAY_TASK_MIN", "1"))):
            "SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN: shard 3 of 2 does not exist",
    }
    for (text, environ), message in refusals.items():
        with pytest.raises(ClassError, match=None) as caught:
            parse_shard(text, dict(environ))
        assert message in str(caught.value), (text, str(caught.value))
        assert "\n" not in str(caught.value)


def test_bad_shard_arguments_are_one_line_and_exit_2(tmp_path, capsys, monkeypatch):
    for variable in ("AUTOGRADER_SEED", "JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID"):
        monkeypatch.delenv(variable, raising=False)
    root = tmp_path / "class"
    (root / "hal").mkdir(parents=True)
    out = tmp_path / "out"
    cases = {("--shard", "0/3"): "--shard 0/3 needs --seed: every shard must grade with the "
                                 "same seed",
             ("--shard", "/3", "--seed", "1"): "no shard index in the environment",
             ("--shard", "3/3", "--seed", "1"): "shards count from 0 to 2"}
    for extra, message in cases.items():
        status = cli_module.main(["grade-class", str(root), "--out", str(out),
                                  "--no-progress", *extra])
        err = capsys.readouterr().err
        assert status == 2 and err.count("\n") == 1 and message in err, err
    assert not out.exists()                  # nothing written for a refused run
    status = cli_module.main(["class-report", str(tmp_path / "nowhere")])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1 and "no class.json there" in err


def test_three_shards_at_once_give_the_class_files_of_one_run(tmp_path):
    """N=3 shards started together into one OUT (one with K given, one
    from a Kubernetes index, one from a Slurm array starting at 1) write
    the same class files as one run over the whole class: the last to
    finish writes them, and class-report rebuilds them alike from the
    students' results alone."""
    root = make_class(tmp_path / "class")
    names = sorted(p.name for p in root.iterdir())
    assert {shard_of(n, 3) for n in names} == {0, 1, 2}        # every shard has work
    whole, sharded = tmp_path / "whole", tmp_path / "sharded"
    # Four grade-class runs at once on two cores: the default budget, so that
    # a busy machine cannot cut a student short in one run and not the other.
    common = ["--seed", "5", "--workers", "1", "--no-progress"]
    procs = [cli("grade-class", root, "--out", sharded, "--shard", "0/3", *common),
             cli("grade-class", root, "--out", sharded, "--shard", "/3", *common,
                 env={"JOB_COMPLETION_INDEX": "1"}),
             cli("grade-class", root, "--out", sharded, "--shard", "/3", *common,
                 env={"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "1"})]
    status, out, err = run("grade-class", root, "--out", whole, *common)
    assert status == 0, err
    results = [p.communicate(timeout=600) for p in procs]
    for k, (proc, (out, err)) in enumerate(zip(procs, results)):
        assert proc.returncode == 0, err
        mine = [n for n in names if shard_of(n, 3) == k]
        assert f"{len(mine)} students of shard {k}/3 (calculus): {len(mine)} graded now" in out
        record = json.loads((sharded / ".shards" / f"{k}-of-3.json").read_text())
        assert (record["state"], record["students"], record["seed"]) == ("done", len(mine), 5)
    assert sum("grades in" in out for out, _ in results) >= 1     # the last one wrote them
    for name in names:
        assert (sharded / name / "results.json").read_text() == \
            (whole / name / "results.json").read_text()
    for name in CLASS_FILES:
        assert (sharded / name).read_text() == (whole / name).read_text(), name
    assert "ben; dan" in (sharded / "misconceptions.csv").read_text()
    for name in CLASS_FILES:
        if name != "class.json":
            (sharded / name).unlink()
    status, out, err = run("class-report", sharded)
    assert status == 0, err
    assert f"{len(names)} students with results; grades in {sharded / 'grades.csv'}" in out
    assert f"class report: {sharded / 'report.html'}" in out
    for name in CLASS_FILES:
        assert (sharded / name).read_text() == (whole / name).read_text(), name
    leftovers = [p.name for p in sharded.iterdir() if p.name.startswith(".")]
    assert leftovers == [".shards"]                  # no lock, no half-written file


def test_shards_and_a_whole_class_run_exclude_each_other(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with holding_out(out, Shard(0, 2)):
        with pytest.raises(ClassError, match="being graded by another run .shards of a "
                                             "sharded run."):
            with holding_out(out):
                pass
        with pytest.raises(ClassError, match=f"shard 0/2 of {out} is being graded by another "
                                             f"run .pid {os.getpid()} on "):
            with holding_out(out, Shard(0, 2)):
                pass
        with holding_out(out, Shard(1, 2)):        # another shard grades alongside
            pass
        assert (out / ".grade-class.lock").exists()   # still held by shard 0
    with holding_out(out):
        with pytest.raises(ClassError, match=f"being graded by another run .pid {os.getpid()}"):
            with holding_out(out, Shard(1, 2)):
                pass
    assert not (out / ".grade-class.lock").exists()
    assert sorted(p.name for p in (out / ".shards").iterdir()) == []


def test_the_last_shard_writes_the_class_files_and_each_sweeps_only_its_own(tmp_path):
    """Shard 0 of 2 finishing first leaves the class files to the last;
    each shard removes half-written files of its own students only (another
    shard may be writing the others')."""
    root = tmp_path / "class"
    names = ["e1", "e2", "e3", "e4"]                 # e3 in shard 1, the others in shard 0
    assert [shard_of(n, 2) for n in names] == [0, 0, 1, 0]
    for name in names:
        (root / name).mkdir(parents=True)            # empty: graded at once, no code to run
    out = tmp_path / "out"
    (out / "e1").mkdir(parents=True)
    (out / "e3").mkdir()
    mine, theirs = out / "e1" / ".results.json.x1", out / "e3" / ".results.json.x3"
    mine.write_text("{")
    theirs.write_text("{")
    summary = grade_class(root, out, seed=2, limits=LIMITS, progress=False, shard=Shard(0, 2))
    assert (summary.students, summary.graded_now, summary.waiting_for) == (3, 3, (1,))
    assert summary.grades_csv is None and not (out / "grades.csv").exists()
    assert not mine.exists() and theirs.exists()
    summary = grade_class(root, out, seed=2, limits=LIMITS, progress=False, shard=Shard(1, 2))
    assert summary.students == 1 and summary.grades_csv == out / "grades.csv"
    assert not theirs.exists()
    assert [line.split(",")[0] for line in (out / "grades.csv").read_text().splitlines()] == \
        ["student", *names]
    with pytest.raises(ClassError, match="graded with seed 2; use --seed 2"):
        grade_class(root, out, seed=3, limits=LIMITS, progress=False, shard=Shard(1, 2))
    summary = grade_class(root, out, seed=3, regrade=True, limits=LIMITS, progress=False,
                          shard=Shard(1, 2))     # a new seed, shard by shard
    assert summary.graded_now == 1 and summary.waiting_for == (0,)
    assert json.loads((out / "class.json").read_text())["seed"] == 3


def test_the_example_slurm_array_grades_the_class(tmp_path):
    """examples/grade-class.slurm, run as Slurm would run each task of its
    array (its environment variables set), grades every student once, and
    its last task writes the class files."""
    script = ROOT / "examples" / "grade-class.slurm"
    subprocess.run(["bash", "-n", str(script)], check=True)
    first, last = map(int, re.search(r"^#SBATCH --array=(\d+)-(\d+)$", script.read_text(),
                                     re.M).groups())
    root, out = tmp_path / "class", tmp_path / "out"
    names = [f"s{i}" for i in range(12)]
    for name in names:
        (root / name).mkdir(parents=True)        # empty: graded at once
    env = {**os.environ, "CLASS": str(root), "OUT": str(out), "SEED": "11",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "SLURM_ARRAY_TASK_MIN": str(first), "SLURM_ARRAY_TASK_COUNT": str(last - first + 1),
           "SLURM_CPUS_PER_TASK": "1"}
    graded = 0
    for task in range(first, last + 1):
        done = subprocess.run(["bash", str(script)], env={**env, "SLURM_ARRAY_TASK_ID": str(task)},
                              capture_output=True, text=True, timeout=300, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        k = task - first
        mine = sum(shard_of(n, last - first + 1) == k for n in names)
        assert f"{mine} students of shard {k}/{last - first + 1}" in done.stdout
        graded += mine
    assert graded == len(names)
    assert "grades in" in done.stdout               # the last task wrote them
    with open(out / "grades.csv") as fh:
        assert [line.split(",")[0] for line in fh][1:] == sorted(names)


def test_the_example_kubernetes_job_shards_as_many_as_it_completes():
    yaml = pytest.importorskip("yaml")
    job = yaml.safe_load((ROOT / "examples" / "grade-class-job.yaml").read_text())
    spec = job["spec"]
    assert (job["kind"], spec["completionMode"]) == ("Job", "Indexed")
    command = spec["template"]["spec"]["containers"][0]["command"]
    assert command[:3] == ["python", "-m", "autograder"]
    args = cli_module.build_parser().parse_args(command[3:])
    assert args.command == "grade-class" and args.seed is not None
    for index in range(spec["completions"]):       # each pod's index names its shard
        assert parse_shard(args.shard, {"JOB_COMPLETION_INDEX": str(index)}) == \
            Shard(index, spec["completions"])
