"""Regrade on save: ``python -m autograder watch DIR [--assignment NAME]``.

Grades the folder once, then keeps the grader warm (one sandbox fork
server, the seed's cases already made) and, whenever a module's file
changes, regrades that exercise alone and prints its feedback: the same
text ``grade`` prints for it (the failing checks, then its row of the
score table).  The seed stays the same for the whole session, so two
regrades of the same code print the same.

Changes are found by polling the modules' files (``<module>.py`` and
``<module>.ipynb``) every 20 ms: a handful of ``stat`` calls, about a
hundredth of a millisecond of CPU a round.  Polling needs no dependency
and sees every kind of save the same way (in place, or an editor's write
to a temporary file renamed over the old one), including on the file
systems where change notifications do not arrive (network shares, some
container and WSL mounts, where students often work).  A change counts
once the file has stayed the same for 10 ms (an editor that truncates,
then writes, is not graded half-written), and only when its content
differs from what was last graded (a save without changes, or a touch,
regrades nothing).

Ctrl-C (or SIGTERM) stops it and closes the sandbox; that is how a watch
ends, so the exit status is 0 (2 for bad input, as for ``grade``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import signal
import sys
import time
from pathlib import Path
from typing import Callable, TextIO

from autograder.engine.config import Limits
from autograder.engine.spec import Assignment, Exercise

POLL_SECONDS = 0.02      # how often the files are looked at
SETTLE_SECONDS = 0.01    # how long a changed file must stay the same before it is graded
SUFFIXES = (".py", ".ipynb")


def stamp(path: Path) -> tuple[int, int, int] | None:
    """What changes when a file is saved: (mtime, size, inode); None when
    it is not there."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino


def digest(paths: list[Path]) -> str:
    """The content of an exercise's files (what decides whether to regrade)."""
    h = hashlib.sha256()
    for path in paths:
        try:
            h.update(path.read_bytes())
        except OSError:
            h.update(b"\0missing")
        h.update(b"\0")
    return h.hexdigest()


class Watch:
    """One watched folder of ``assignment``: the warm grader and what was
    last graded of each exercise."""

    def __init__(self, folder: Path, assignment: Assignment, *, seed: int, limits: Limits,
                 sandbox, out: TextIO = sys.stdout):
        self.folder = Path(folder)
        self.assignment = assignment
        self.seed, self.limits, self.box, self.out = seed, limits, sandbox, out
        self.paths = {e.module: [self.folder / f"{e.module}{s}" for s in SUFFIXES]
                      for e in assignment.exercises}
        self.stamps = {m: self._stamps(m) for m in self.paths}
        self.graded = {m: "" for m in self.paths}

    def _stamps(self, module: str) -> tuple:
        return tuple(stamp(p) for p in self.paths[module])

    def grade(self, exercises: tuple[Exercise, ...]) -> str:
        """The text ``grade`` prints for ``exercises`` of the folder."""
        from autograder.channels.report import details, score_table
        from autograder.engine.runner import grade_submission
        from autograder.intake.submission import NotGradable, intake
        for e in exercises:
            self.graded[e.module] = digest(self.paths[e.module])
        try:
            with intake(self.folder, (self.assignment,)) as handed_in:
                result = grade_submission(handed_in.folder, exercises, seed=self.seed,
                                          limits=self.limits, sandbox=self.box)
        except NotGradable as exc:     # every module deleted, say: wait for the next save
            return f"error: {exc}"
        result = dataclasses.replace(result, submission=str(self.folder))
        text = details(result)
        return (text + "\n\n" if text else "") + score_table(result)

    def changed(self) -> list[Exercise]:
        """The exercises whose files changed (and settled) since last
        looked at, and whose content differs from what was last graded."""
        moved = {m: s for m in self.paths if (s := self._stamps(m)) != self.stamps[m]}
        if not moved:
            return []
        time.sleep(SETTLE_SECONDS)
        due = []
        for module, seen in moved.items():
            if self._stamps(module) != seen:
                continue                       # still being written: the next round
            self.stamps[module] = seen
            if digest(self.paths[module]) != self.graded[module]:
                due.append(self.assignment.exercise(module))
        return due

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def run(self, *, stop: Callable[[], bool] = lambda: False) -> None:
        """Grade everything once, then regrade each exercise whose file
        changes, until ``stop()`` or Ctrl-C."""
        self.say(self.grade(self.assignment.exercises))
        self.say(f"\nwatching {self.folder} ({self.assignment.name}, seed {self.seed}): "
                 "save a module to regrade it; Ctrl-C to stop")
        while not stop():
            time.sleep(POLL_SECONDS)
            for exercise in self.changed():
                self.say(f"\n--- {time.strftime('%H:%M:%S')} {exercise.module} changed: "
                         "regraded ---")
                self.say(self.grade((exercise,)))


def watch(folder: Path, *, assignment: Assignment | None, seed: int, limits: Limits,
          out: TextIO = sys.stdout) -> int:
    """The ``watch`` command: 0 when stopped with Ctrl-C or SIGTERM, 2 for
    a folder that cannot be watched (named in one line on stderr)."""
    from autograder.course import looked_for
    from autograder.intake.submission import NotGradable, intake, locate
    from autograder.sandbox.client import Sandbox
    try:
        source = locate(Path(folder), looked_for(assignment))
        if not source.is_dir():
            raise NotGradable(f"{folder}: a .zip cannot change; give the folder you edit")
        with intake(source, looked_for(assignment)) as handed_in:
            chosen = handed_in.assignment
    except NotGradable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0

    def terminate(signum, frame):   # SIGTERM ends it as Ctrl-C does
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        with Sandbox() as box:
            Watch(source, chosen, seed=seed, limits=limits, sandbox=box, out=out).run()
    except KeyboardInterrupt:
        print("\nstopped watching", file=out, flush=True)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0
