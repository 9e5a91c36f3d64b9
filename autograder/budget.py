"""A time and memory budget for the grader's own work on a student's value.

Rebuilding a student's expression into sympy, expanding it, asking
``equals``: each is the grader's code, but its cost is chosen by the
student, and a tree of a few dozen nodes can make it run for ever or fill
the machine (tests/corpus/hostile/expand_bomb, power_tower).  Such work
runs here in a forked child of the grader, with an address-space limit on
top of what the grader already holds and a wall-clock deadline; the child
sends back plain JSON and the grader reads nothing else from it.  Past the
budget the child is killed and the caller is told so: a check then says
"undecided", and grading goes on.

A fork costs a few milliseconds; callers cache the answers, so a class
that hands in the same forms again and again pays for each form once per
grader process.  Where ``os.fork`` does not exist the work runs inline,
unbounded.
"""

from __future__ import annotations

import json
import math
import os
import resource
import select
import signal
import time
import warnings
from dataclasses import dataclass
from typing import Any, Callable

MIB = 1024**2

# A student's expression is decided by sympy in milliseconds when it is any
# derivative a student would write; 3 s is hundreds of times that on a busy
# machine, and short enough that a class of hostile copies costs little
# (each distinct form is decided once per grader process).
SECONDS = 3.0
# What the decision may allocate beyond what the grader already holds:
# ordinary expansions take a few MiB; 256 MiB leaves room for two pool
# workers' deciders at once on a small machine.
MEMORY_BYTES = 256 * MIB
# The most a child may send back (it is the grader's own code: a verdict
# is a few bytes).
MAX_REPLY_BYTES = 1 * MIB


@dataclass(frozen=True)
class Bounded:
    """What became of a budgeted call.  ``status``: done (``value`` holds
    what the function returned), time (past the deadline), memory (past
    the memory budget), failed (it raised: ``detail`` names the exception,
    or the child ended without a word)."""
    status: str
    value: Any = None
    detail: str = ""

    @property
    def over_budget(self) -> bool:
        return self.status in ("time", "memory")


def run_bounded(fn: Callable[..., Any], *args: Any, seconds: float = SECONDS,
                memory_bytes: int = MEMORY_BYTES) -> Bounded:
    """``fn(*args)`` in a forked child, within ``seconds`` of wall time and
    ``memory_bytes`` of address space beyond the grader's own.  ``fn`` must
    return plain JSON data."""
    if not hasattr(os, "fork"):
        try:
            return Bounded("done", fn(*args))
        except MemoryError:
            return Bounded("memory")
        except Exception as exc:
            return Bounded("failed", detail=type(exc).__name__)
    read_fd, write_fd = os.pipe()
    with warnings.catch_warnings():
        # Python 3.12+ warns about fork() beside threads (the sandbox's
        # writer, a notebook kernel's): the child only computes, writes
        # one pipe and leaves with os._exit, taking no lock they hold.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:   # pragma: no cover - the child
        os.close(read_fd)
        _child(fn, args, seconds, memory_bytes, write_fd)
    os.close(write_fd)
    done = False
    try:
        data, complete = _read_until(read_fd, time.monotonic() + seconds)
        done = complete
    finally:
        os.close(read_fd)
        if not done:
            _kill(pid)
        status = _reap(pid)
    if not complete:
        return Bounded("time")
    try:
        reply = json.loads(data.decode("utf-8")) if data else None
    except ValueError:
        reply = None
    if type(reply) is not dict:
        # Killed by the memory limit the hard way, or by the backstop alarm.
        return Bounded("memory" if status == signal.SIGKILL else "failed",
                       detail=f"the decider ended without an answer ({status})")
    if "value" in reply:
        return Bounded("done", reply["value"])
    if reply.get("memory"):
        return Bounded("memory")
    return Bounded("failed", detail=str(reply.get("error", "")))


def _child(fn, args, seconds, memory_bytes, write_fd) -> None:   # pragma: no cover
    code = 0
    try:
        # A backstop should the grader die first: the child ends by itself.
        # Ctrl-C is the grader's to handle.
        try:
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        except ValueError:   # not the main thread, where a platform keeps that rule
            pass
        signal.alarm(max(1, math.ceil(seconds)) + 1)
        _limit_memory(memory_bytes)
        try:
            reply = {"value": fn(*args)}
        except MemoryError:
            reply = {"memory": True}
        except RecursionError:
            reply = {"error": "RecursionError"}
        except Exception as exc:
            reply = {"error": type(exc).__name__}
        try:
            data = json.dumps(reply).encode("utf-8")
        except (TypeError, ValueError, MemoryError):
            data = b'{"error": "unencodable"}'
        if len(data) > MAX_REPLY_BYTES:
            data = b'{"error": "reply too large"}'
        view = memoryview(data)
        while view:
            view = view[os.write(write_fd, view):]
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _limit_memory(memory_bytes: int) -> None:
    """RLIMIT_AS at what this process maps now plus ``memory_bytes`` (never
    above a limit already set)."""
    try:
        with open("/proc/self/statm") as fh:
            mapped = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        mapped = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = mapped + memory_bytes
    for cap in (soft, hard):
        if cap != resource.RLIM_INFINITY:
            limit = min(limit, cap)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        pass


def _read_until(fd: int, deadline: float) -> tuple[bytes, bool]:
    """What the child writes, up to end of file (complete) or the deadline."""
    chunks, size = [], 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return b"".join(chunks), False
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            return b"".join(chunks), True
        size += len(chunk)
        if size > MAX_REPLY_BYTES:
            return b"", True
        chunks.append(chunk)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _reap(pid: int) -> int | None:
    """The signal that ended the child (None when it exited)."""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return None
    return os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
