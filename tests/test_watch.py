"""Regrade on save: `python -m autograder watch DIR` in a real subprocess,
fed real edits of a copy of the reference solutions."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from autograder.channels.watch import Watch, digest
from autograder.course import CALCULUS
from autograder.engine.config import Limits

from conftest import ROOT, SOLUTIONS, marked_processes

WRONG_SIGMOID = ("1.0 / (1.0 + np.exp(-z))", "1.0 / (1.0 + np.exp(z))")
WRONG_UPDATE = ("float(w - learning_rate * g)", "float(w + learning_rate * g)")


class Running:
    """The watch process, its output read line by line on a thread."""

    def __init__(self, folder: Path, *args: str):
        self.mark = uuid.uuid4().hex
        env = {**os.environ, "AUTOGRADER_TEST_MARK": self.mark, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "autograder", "watch", str(folder), *args],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def until(self, predicate, timeout: float = 120.0) -> list[str]:
        """The lines up to and including the first that ``predicate`` accepts."""
        block, deadline = [], time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"watch printed no such line in {timeout} s; so far:\n"
                                     + "\n".join(self.seen + block)) from None
            if line is None:
                raise AssertionError("watch ended early:\n" + "\n".join(self.seen + block))
            block.append(line)
            if predicate(line):
                self.seen += block
                return block

    def regraded(self) -> str:
        """The next regrade's text, from its heading to its total."""
        self.until(lambda line: line.endswith("changed: regraded ---"))
        return "\n".join(self.until(lambda line: line.startswith("total")))

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


@pytest.fixture
def copy(tmp_path):
    folder = tmp_path / "work"
    shutil.copytree(SOLUTIONS, folder)
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_save_regrades_that_exercise_and_prints_its_feedback(copy):
    watch = Running(copy, "--seed", "7")
    try:
        first = watch.until(lambda line: line.startswith("watching "))
        assert any(line.startswith("total") and "100/100" in line for line in first)
        assert f"watching {copy} (calculus, seed 7)" in first[-1]

        edit(copy / "neuron.py", *WRONG_SIGMOID)
        wrong = watch.regraded()
        assert "neuron changed" not in wrong     # the heading was before the block
        assert "[wrong] neuron.sigmoid" in wrong
        assert "the exponent is minus z" in wrong                 # the misconception's hint
        assert "Graded" in wrong and "(seed 7)" in wrong
        assert "derivatives" not in wrong                         # only the exercise saved
        assert any(line.split()[:2] == ["neuron", "0/30"] for line in wrong.splitlines())

        edit(copy / "neuron.py", *reversed(WRONG_SIGMOID))
        right = watch.regraded()
        assert "[wrong]" not in right
        assert any(line.split()[:2] == ["neuron", "30/30"] and "all checks passed" in line
                   for line in right.splitlines())

        # A save that changes nothing regrades nothing: the next block is
        # the exercise that really changed.
        (copy / "derivatives.py").write_text((copy / "derivatives.py").read_text())
        edit(copy / "weight_updates.py", *WRONG_UPDATE)
        block = watch.regraded()
        assert "[wrong] weight_updates.update_weights" in block and "derivatives" not in block
    finally:
        status = watch.stop()
    assert status == 0
    assert watch.until(lambda line: line == "stopped watching", timeout=10)
    deadline = time.monotonic() + 10
    while marked_processes(watch.mark) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert marked_processes(watch.mark) == []     # the fork server went with it


def test_a_folder_that_cannot_be_watched_is_one_line_and_status_2(tmp_path):
    run = subprocess.run([sys.executable, "-m", "autograder", "watch", str(tmp_path / "none")],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "no such folder" in run.stderr


def test_only_settled_changes_of_new_content_are_due(copy):
    """A rewrite with the same content, or a touch, is not graded again; a
    change is due once, and so is a module deleted."""
    watch = Watch(copy, CALCULUS, seed=1, limits=Limits(), sandbox=None)
    assert watch.changed() == []
    for module in watch.paths:                      # as if all had been graded
        watch.graded[module] = digest(watch.paths[module])
    path = copy / "neuron.py"
    path.write_text(path.read_text())
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert watch.changed() == []                    # same content
    edit(path, *WRONG_SIGMOID)
    assert [e.module for e in watch.changed()] == ["neuron"]
    assert watch.changed() == []                    # seen once
    (copy / "derivatives.py").unlink()
    assert [e.module for e in watch.changed()] == ["derivatives"]
