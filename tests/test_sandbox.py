"""Unit tests of the wall: what a worker is allowed, and how the grader reads
what crosses back.  Each sandbox test runs one small module through
:meth:`Sandbox.run` and reads the worker's answer as the grader does.

Tests marked ``xfail(strict=True)`` pin a hole at the place to fix it (see
tests/test_hostile.py for the same holes exercised end to end).
"""

from __future__ import annotations

import json
import math
import os

import pytest

from autograder.engine.config import Limits
from autograder.course import CALCULUS
from autograder.sandbox.client import PACKAGE_DIR, Sandbox
from autograder.engine.expressions import TreeError, rebuild_tree
from autograder.sandbox.protocol import Malformed, as_float, as_vector, decode_value, read_lines

LIMITS = Limits(time_seconds=3, memory_bytes=512 * 1024**2, output_bytes=64 * 1024)
IS_ROOT = os.getuid() == 0
needs_root = pytest.mark.skipif(
    not IS_ROOT, reason="the worker drops to an unprivileged user only when the grader is root")


def ask(sandbox, tmp_path, body: str, n_jobs: int = 1, prelude: str = ""):
    """Run ``def probe(): <body>`` (after ``prelude``) as the module ``probe``
    and return what the first job's probe returned, as the grader decodes it."""
    folder = tmp_path / "sub"
    folder.mkdir(exist_ok=True)
    (folder / "probe.py").write_text(prelude + "\n" + "def probe():\n" + "".join(
        "    " + line + "\n" for line in body.splitlines()), encoding="utf-8")
    jobs = [("probe", [{"fn": "probe", "args": [], "kwargs": {}}])] * n_jobs
    raw = next(iter(sandbox.run_many(folder, jobs, LIMITS)))
    report = read_lines(raw.lines, 1)
    assert report.imported, raw
    result = report.results[0]
    assert result.status == "value", result
    return result.value


def values(returned):
    """A returned list or tuple of plain values as Python data."""
    out = []
    for r in returned.value:
        out.append(r.value if r.kind in ("number", "bool", "str", "none") else values(r))
    return out


# ------------------------------------------------------ the worker's lot

@needs_root
def test_worker_is_unprivileged_and_limited(sandbox, tmp_path):
    got = values(ask(sandbox, tmp_path, "\n".join([
        "import os, resource",
        "return [os.getuid(), os.getgid(), list(os.getgroups()),",
        "        resource.getrlimit(resource.RLIMIT_FSIZE)[0],",
        "        resource.getrlimit(resource.RLIMIT_CORE)[0],",
        "        0 < resource.getrlimit(resource.RLIMIT_NPROC)[0] <= 1024 or pids_max() == '64',",
        "        resource.getrlimit(resource.RLIMIT_AS)[0] > 0]",
    ]), prelude="\n".join([
        "def pids_max():",
        "    # The job's own cap on processes, where a pids cgroup is there.",
        "    for line in open('/proc/self/cgroup'):",
        "        _, controllers, path = line.strip().split(':', 2)",
        "        if 'pids' in controllers.split(','):",
        "            try:",
        "                return open('/sys/fs/cgroup/pids' + path + '/pids.max').read().strip()",
        "            except OSError:",
        "                return None",
    ])))
    assert got == [65534, 65534, [], 64 * 1024, 0, True, True]


def test_worker_has_its_own_session_and_no_grader_descriptors(sandbox, tmp_path):
    got = values(ask(sandbox, tmp_path, "\n".join([
        "import os",
        "fds = sorted(int(n) for n in os.listdir('/proc/self/fd'))",
        "return [os.getsid(0) == os.getpid(), len(fds)]",
    ])))
    # 0, 1, 2, the result pipe, and the descriptor listdir itself holds
    assert got == [True, 5]


@needs_root
def test_grader_package_and_reference_are_masked(sandbox, tmp_path):
    package, solutions = str(PACKAGE_DIR), str(PACKAGE_DIR.parent / "solutions")
    got = values(ask(sandbox, tmp_path, "\n".join([
        "import os",
        "def seen(p):",
        "    return sorted(os.listdir(p)) if os.path.isdir(p) else []",
        f"return [seen({package!r}), seen({solutions!r})]",
    ])))
    assert got == [[], []]


def test_worker_is_killed_at_the_output_cap(sandbox, tmp_path):
    got = ask(sandbox, tmp_path,
              "import signal\nreturn signal.getsignal(signal.SIGXFSZ) == signal.SIG_DFL")
    assert got.value is True


def test_worker_cannot_see_queued_requests(sandbox, tmp_path):
    got = ask(sandbox, tmp_path, "\n".join([
        "import sys",
        "try:",
        "    return len(sys.stdin.buffer.peek(1 << 20))",
        "except Exception:",
        "    return 0",
    ]), n_jobs=3)
    assert got.value == 0


def test_an_abandoned_run_does_not_answer_the_next_one(tmp_path):
    probes = [{"fn": "probe", "args": [], "kwargs": {}}]
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, answer in ((first, 1.0), (second, 2.0)):
        folder.mkdir()
        (folder / "probe.py").write_text(f"def probe():\n    return {answer}\n", encoding="utf-8")
    with Sandbox() as box:
        run = box.run_many(first, [("probe", probes)] * 3, LIMITS)
        next(run)
        run.close()           # what an exception in the caller's loop does
        raw = box.run(second, "probe", probes, LIMITS)
    answer = read_lines(raw.lines, 1).results.get(0)
    assert answer is not None and as_float(answer.value) == 2.0, raw


# ---------------------------------------------- reading what comes back

def test_integer_too_large_for_a_float_is_not_a_crash():
    try:
        got = as_float(decode_value(2**1100))
    except Malformed:
        return
    assert got is None or math.isinf(got)


def test_a_claimed_shape_is_not_trusted():
    lines = [json.dumps({"imported": True}),
             '{"i": 0, "value": {"$array": [1.0], "shape": [1e999]}}',
             '{"i": 1, "value": 1e999}']
    report = read_lines(lines, 2)
    assert report.results[0].value.shape == (1,) and report.malformed == 0
    assert math.isinf(as_float(report.results[1].value))


def test_array_values_must_match_their_shape():
    data = {"$array": [[1.0, 2.0], [3.0]], "shape": [2]}
    try:
        returned = decode_value(data)
    except Malformed:
        return
    assert as_vector(returned) is None


def test_complex_exponent_is_refused():
    tree = ["Pow", ["Symbol", "x"], ["Pow", ["Integer", "-1"], ["Rational", "1", "2"]]]
    with pytest.raises(TreeError):
        rebuild_tree(tree)


def test_expression_of_huge_degree_is_refused():
    inner = ["Add", ["Pow", ["Add", ["Symbol", "x"], ["Integer", "1"]], ["Integer", "200"]],
             ["Integer", "1"]]
    with pytest.raises(TreeError):
        rebuild_tree(["Pow", inner, ["Integer", "200"]])


def test_a_server_that_could_not_sweep_is_replaced_and_nothing_is_lost(tmp_path, monkeypatch):
    """When the server cannot kill what an exercise left behind, it ends
    after its reply; the exercises queued behind that one go to a new
    server (forced here: no process survives SIGKILL for long)."""
    import autograder.sandbox.client as sandbox_module
    from autograder.engine.runner import grade_submission
    from conftest import SEED, SOLUTIONS
    source = sandbox_module.CHILD_SOURCE.read_text(encoding="utf-8")
    forced = source.replace("    swept = _sweep(pid)\n", "    swept = _sweep(pid)\n"
                            "    if request['module'] == 'derivatives':\n"
                            "        swept = False\n")
    assert forced != source
    (tmp_path / "child.py").write_text(forced, encoding="utf-8")
    monkeypatch.setattr(sandbox_module, "CHILD_SOURCE", tmp_path / "child.py")
    with Sandbox() as box:
        box.start()
        first = box._proc
        assert first is not None
        result = grade_submission(SOLUTIONS, CALCULUS, seed=SEED, limits=LIMITS, sandbox=box)
        assert box._proc is not first                     # a new server took over
    assert result.score == result.max_score == 100


@needs_root
def test_without_namespaces_grading_goes_on_and_says_so(tmp_path, monkeypatch):
    """Where the system refuses a namespace (forced here: the IPC and network
    ones, and the server's root for its workers), the worker still runs (in
    the older view that covers the grader's folders), the grade is whole,
    and the results' note names what was missing."""
    import autograder.sandbox.client as sandbox_module
    from autograder.engine.runner import grade_submission
    from conftest import SEED, SOLUTIONS
    source = sandbox_module.CHILD_SOURCE.read_text(encoding="utf-8")
    forced = source.replace("def _unshare(flags):\n",
                            "def _unshare(flags):\n"
                            "    if flags & (CLONE_NEWIPC | CLONE_NEWNET):\n"
                            "        return False\n").replace(
        "def _prepare_root(keep, prefixes, hide, roots):\n",
        "def _prepare_root(keep, prefixes, hide, roots):\n    return False\n")
    assert forced.count("return False\n") == source.count("return False\n") + 2
    (tmp_path / "child.py").write_text(forced, encoding="utf-8")
    monkeypatch.setattr(sandbox_module, "CHILD_SOURCE", tmp_path / "child.py")
    with Sandbox() as box:
        result = grade_submission(SOLUTIONS, CALCULUS, seed=SEED, limits=LIMITS, sandbox=box,
                                  only=("derivatives",))
    assert result.score == result.max_score
    assert all(e.isolated and set(e.gaps) == {"ipc", "network", "root"}
               for e in result.exercises)
    (note,) = result.notes
    assert "network namespace" in note and "IPC namespace" in note
    assert "root file system" in note and "mount namespace" not in note
