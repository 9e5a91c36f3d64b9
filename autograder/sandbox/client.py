"""The grader's side of the wall: a fork server that runs student code.

:class:`Sandbox` starts one interpreter running :mod:`autograder.sandbox.worker` (from
its source text, with ``-I`` so that neither the current folder nor
``PYTHONPATH`` is importable), which imports numpy (and sympy when a job
needs it) once and then
forks a worker per exercise.  Starting it costs one interpreter start; each
exercise after that costs a fork.  If the server dies (a hostile worker can
kill it when the grader does not run as root), the exercise in flight is
reported as spoiled and the next one starts a new server.
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from autograder.sandbox.worker import inside
from autograder.sandbox.limits import Limits

PACKAGE_DIR = Path(__file__).resolve().parents[1]   # autograder/
CHILD_SOURCE = Path(__file__).resolve().parent / "worker.py"
# Never copied into the worker's folder: caches, environments, VCS data.
SKIP_NAMES = {".git", ".venv", "venv", "__pycache__", ".ipynb_checkpoints",
              "node_modules", ".pytest_cache", ".mypy_cache"}
MAX_COPY_BYTES = 20 * 1024 * 1024
MAX_COPY_FILES = 500


@dataclass
class RawRun:
    """What the server reports of one worker, before any interpretation."""
    lines: list[str] = field(default_factory=list)
    reason: str | None = None       # timeout, result_too_large, server_died
    signal: int | None = None
    exit_code: int | None = None
    output: str = ""
    output_size: int = 0
    elapsed: float = 0.0
    memory_cap_line: int | None = None   # lines from here on came after a kill at the cap
    restart: bool = False   # the server ends after this reply (it could not sweep)
    # The segments (checks) whose deadline a worker passed, each with the
    # seconds from the start at which it was killed; a new worker went on
    # with the next segment that still had time.
    timeouts: list = field(default_factory=list)
    segments: list = field(default_factory=list)   # as sent: [(first probe, deadline)]
    # The first segment no worker started: the budget ran out after a hang.
    unstarted: int | None = None


def hidden_paths() -> tuple[list[str], list[str]]:
    """Folders the student's process must not see (the grader's package and
    the reference solutions beside it) and the roots that would make them
    importable."""
    hide = [str(PACKAGE_DIR)]
    checkout = PACKAGE_DIR.parent
    if not (checkout / "pyproject.toml").is_file():
        return hide, []          # an installed package: its folder alone
    if (checkout / "solutions").is_dir():
        hide.append(str(checkout / "solutions"))
    # The whole checkout: its tests, notebooks and .git hold answers too.
    return hide, [str(checkout)]


class Sandbox:
    """A fork server; use as a context manager, or call :meth:`close`."""

    def __init__(self, extra_hidden: tuple[str, ...] = ()):
        self._proc: subprocess.Popen | None = None
        self._ready = False
        self._buffer = bytearray()
        self._tmp = Path(tempfile.mkdtemp(prefix="autograder-"))
        os.chmod(self._tmp, 0o711)
        self._count = 0
        hide, roots = hidden_paths()
        self._hide = hide + [str(Path(p).resolve()) for p in extra_hidden]
        self._roots = roots

    # ---------------------------------------------------------- lifecycle
    def start(self) -> None:
        """Start the server without waiting for it: its imports then overlap
        with the grader's own."""
        if self._proc is not None and self._proc.poll() is None:
            return
        env = dict(os.environ)
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = "1"
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["PYTHONHASHSEED"] = "0"
        env.pop("PYTHONPATH", None)
        source = CHILD_SOURCE.read_text(encoding="utf-8")
        # -S: no site processing (no .pth hooks such as editable-install
        # finders); the server gets this interpreter's library folders instead.
        self._proc = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", source, json.dumps(self._library_path()),
             str(os.getpid())],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            cwd=str(self._tmp), env=env, start_new_session=True)
        self._ready = False
        self._buffer = bytearray()

    def warm_sympy(self) -> None:
        """Ask the server to import sympy now, ahead of the jobs that will
        want it (they say so themselves too; this one has no reply)."""
        if self._proc is None or self._proc.stdin is None or self._proc.poll() is not None:
            return
        body = b'{"warm": "sympy"}'
        try:
            self._proc.stdin.write(b"%d\n" % len(body) + body)
            self._proc.stdin.flush()
        except (OSError, ValueError):
            pass   # the server died; the next job finds out

    def _library_path(self) -> list[str]:
        roots = [os.path.realpath(p) for p in self._roots]
        hidden = [os.path.realpath(p) for p in self._hide]
        prefixes = [os.path.realpath(p) for p in {sys.prefix, sys.base_prefix, sys.exec_prefix}]
        keep = []
        for index, entry in enumerate(sys.path):
            if not entry or not os.path.isdir(entry):
                continue
            if index == 0 and not inside(entry, prefixes):
                # The folder of the script that runs the grader, or the
                # current folder under -m: the instructor's, not a library
                # (the worker would see it).
                continue
            if os.path.realpath(entry) in roots or inside(entry, hidden):
                continue
            if inside(entry, roots) and not inside(entry, prefixes):
                continue   # a folder of the repository (its tests, say), not a library
            keep.append(entry)
        return keep

    def _wait_ready(self, timeout: float = 60.0) -> bool:
        if self._ready:
            return True
        line = self._readline(timeout)
        self._ready = line is not None and b'"ready"' in line
        return self._ready

    def _readline(self, timeout: float) -> bytes | None:
        """The server's next line, read straight from its pipe into our own
        buffer (a buffered reader could hold replies that select() then
        never reports)."""
        assert self._proc is not None and self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                return None
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return None
            self._buffer += chunk
        line, _, rest = bytes(self._buffer).partition(b"\n")
        self._buffer = bytearray(rest)
        return line

    def close(self) -> None:
        """Stop the server.  Between requests it holds no work and no
        children (each worker is swept when its exercise ends), so it is
        killed outright rather than left to tear down numpy and sympy."""
        if self._proc is not None:
            self._kill()
            for stream in (self._proc.stdin, self._proc.stdout):
                try:
                    if stream:
                        stream.close()
                except OSError:
                    pass
            self._proc = None
        shutil.rmtree(self._tmp, ignore_errors=True)

    def _kill(self) -> None:
        if self._proc is None:
            return
        try:
            os.killpg(self._proc.pid, 9)
        except OSError:
            pass
        try:
            self._proc.kill()
            self._proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass

    def __enter__(self) -> "Sandbox":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -------------------------------------------------------------- work
    def run(self, submission: Path, module: str, probes: list[dict], limits: Limits) -> RawRun:
        """Run ``probes`` against ``module`` of a fresh copy of ``submission``."""
        return next(self.run_many(submission, [(module, probes)], limits))

    def run_many(self, submission: Path, jobs: list[tuple],
                 limits: Limits) -> Iterator[RawRun]:
        """Run several exercises one after another, yielding each report as
        it arrives: all requests are queued at once (by a writer thread, so
        no pipe can fill up), and the caller judges one exercise while the
        server runs the next.  A job is ``(module, probes)``, or
        ``(module, probes, segments)`` with ``segments`` a list of (first
        probe, deadline in seconds from the start): each check's own
        deadline, within the exercise's budget (see worker.handle)."""
        requests, folders, segments_sent = [], [], []
        for module, probes, *rest in jobs:
            segments = rest[0] if rest else [(0, limits.time_seconds)]
            segments_sent.append([(int(a), float(b)) for a, b in segments])
            self._count += 1
            job = self._tmp / f"job{self._count}"
            copy_submission(submission, job / "submission")
            folders.append(job)
            requests.append({
                "module": module, "probes": probes, "workdir": str(job / "submission"),
                "output_file": str(job / "output.txt"), "hide": self._hide,
                "hide_roots": self._roots, "refuse": ["autograder", "solutions"],
                "segments": [[int(a), float(b)] for a, b in segments],
                "sympy": needs_sympy(probes, job / "submission", module),
                "limits": {"time_seconds": limits.time_seconds,
                           "memory_bytes": limits.memory_bytes,
                           "output_bytes": limits.output_bytes},
            })
        pending = list(requests)
        try:
            while pending:
                if not self._ensure_ready():
                    for _ in pending:
                        yield RawRun(reason="server_died")
                    return
                writer = self._send(pending)
                while pending:
                    raw = self._receive(limits)
                    raw.segments = segments_sent[len(requests) - len(pending)]
                    if raw.reason == "server_died":
                        # The request in flight is lost; the rest go to a new server.
                        pending.pop(0)
                        yield raw
                        break
                    pending.pop(0)
                    yield raw
                    if raw.restart:
                        # The server ends now, with the requests queued behind
                        # this one: they go to a new server, none is lost.
                        self._kill()
                        self._proc = None
                        break
                writer.join(timeout=5)
        finally:
            if pending and self._proc is not None:
                # Stopped early: the server still holds our requests, whose
                # replies must never reach the next caller.
                self._kill()
                self._proc = None
            for job in folders:
                shutil.rmtree(job, ignore_errors=True)

    def _ensure_ready(self) -> bool:
        for _ in (1, 2):
            self.start()
            if self._wait_ready():
                return True
            self._kill()
            self._proc = None
        return False

    def _send(self, requests: list[dict]) -> threading.Thread:
        assert self._proc is not None and self._proc.stdin is not None
        stdin = self._proc.stdin
        bodies = [json.dumps(r).encode() for r in requests]
        payload = b"".join(b"%d\n" % len(b) + b for b in bodies)

        def write() -> None:
            try:
                stdin.write(payload)
                stdin.flush()
            except (OSError, ValueError):
                pass  # the server died; _receive reports it
        writer = threading.Thread(target=write, name="autograder-send", daemon=True)
        writer.start()
        return writer

    def _receive(self, limits: Limits) -> RawRun:
        line = self._readline(limits.time_seconds + 30)
        if line is None:
            self._kill()
            self._proc = None
            return RawRun(reason="server_died")
        try:
            reply = json.loads(line)
            if type(reply) is not dict:
                raise ValueError("reply is not an object")
        except (ValueError, RecursionError):
            self._kill()
            self._proc = None
            return RawRun(reason="server_died")
        return RawRun(lines=reply.get("lines", []), reason=reply.get("reason"),
                      signal=reply.get("signal"), exit_code=reply.get("exit_code"),
                      output=reply.get("output", ""), output_size=reply.get("output_size", 0),
                      elapsed=reply.get("elapsed", 0.0),
                      memory_cap_line=reply.get("memory_cap_line"),
                      restart=reply.get("restart") is True,
                      timeouts=_timeouts(reply.get("timeouts")),
                      unstarted=reply["unstarted"] if type(reply.get("unstarted")) is int
                      else None)


def _timeouts(value) -> list[tuple[int, float]]:
    """The reply's ``timeouts``, read as untrusted data: [(segment, seconds)]."""
    if type(value) is not list:
        return []
    return [(int(v[0]), float(v[1])) for v in value[:1000]
            if type(v) is list and len(v) == 2 and type(v[0]) is int
            and type(v[1]) in (int, float)]


def copy_submission(src: Path, dst: Path) -> None:
    """Copy the submission's files (not caches or environments, at most
    MAX_COPY_BYTES) to ``dst``, readable and writable by the worker."""
    total, count = 0, 0
    dst.mkdir(parents=True)
    for root, dirs, files in os.walk(src):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_NAMES and not os.path.islink(os.path.join(root, d)))
        rel = Path(root).relative_to(src)
        target = dst / rel
        target.mkdir(parents=True, exist_ok=True)
        for name in sorted(files):
            path = Path(root) / name
            if path.is_symlink() or not path.is_file():
                continue
            size = path.stat().st_size
            if total + size > MAX_COPY_BYTES or count >= MAX_COPY_FILES:
                continue
            try:
                shutil.copyfile(path, target / name)
            except OSError:
                continue   # unreadable, or gone meanwhile: the worker does without it
            total += size
            count += 1
    # Private until its turn: the fork server opens it to the worker
    # (and hands it to the unprivileged user) just before it forks.
    os.chmod(dst.parent, 0o700)


def needs_sympy(probes: list[dict], folder: Path, module: str) -> bool:
    """Whether the worker of this job wants sympy at hand: its probes pass
    it a sympy Symbol, or its module -- or a module of the submission whose
    name it mentions, and so on -- names sympy.  The server then imports
    it before it forks (once: every worker after it inherits it); a worker
    that imports it some other way imports it itself, which costs it a
    third of a second and some memory of its budget."""
    if '"$symbol"' in json.dumps(probes):
        return True
    modules = {}
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".py"):
                modules.setdefault(name[:-3], os.path.join(root, name))
    seen, todo = set(), [module]
    while todo:
        name = todo.pop()
        if name in seen or name not in modules:
            continue
        seen.add(name)
        try:
            with open(modules[name], "rb") as fh:
                text = fh.read()
        except OSError:
            continue
        if b"sympy" in text:
            return True
        words = set(re.findall(rb"[A-Za-z_][A-Za-z0-9_]*", text))
        todo.extend(m for m in modules if m not in seen and m.encode() in words)
    return False


# One fork server per process of a pool (class grading, a seed sweep).
_PROCESS_BOX: Sandbox | None = None
_PROCESS_PID: int | None = None


def process_sandbox() -> Sandbox:
    """This process's own fork server, started on first use and closed when
    the process ends (a process forked from one that had its own starts a
    new one: the inherited one is its parent's)."""
    global _PROCESS_BOX, _PROCESS_PID
    if _PROCESS_BOX is None or _PROCESS_PID != os.getpid():
        from multiprocessing.util import Finalize
        _PROCESS_PID = os.getpid()
        _PROCESS_BOX = Sandbox()
        _PROCESS_BOX.start()
        Finalize(_PROCESS_BOX, _PROCESS_BOX.close, exitpriority=10)
    return _PROCESS_BOX


def close_process_sandbox() -> None:
    """Close this process's fork server, if it started one."""
    global _PROCESS_BOX
    if _PROCESS_BOX is not None and _PROCESS_PID == os.getpid():
        _PROCESS_BOX.close()
    _PROCESS_BOX = None
