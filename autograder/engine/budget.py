"""A time and memory budget for the grader's own work on a student's value.

Rebuilding a student's expression into sympy, expanding it, asking
``equals``: each is the grader's code, but its cost is chosen by the
student, and a tree of a few dozen nodes can make it run for ever or fill
the machine (tests/corpus/hostile/expand_bomb, power_tower).  Such work
runs here in a *helper*: a child forked from the grader at its first
request, with an address-space limit on top of what the grader held then,
that serves requests one at a time (plain JSON in and out, over two pipes;
the grader reads nothing else from it).  Each request has a wall-clock
deadline; past it, or past the memory limit, the helper is killed, the
caller is told so (a check then says "undecided" or falls back to a
numeric comparison), and the next request forks a fresh one.

The helper lives as long as the grader (it ends when its request pipe
closes), so sympy's caches stay warm from one student to the next as they
did in the grader's own process: a request costs a pipe round trip.  Where
``os.fork`` does not exist the work runs inline, unbounded.
"""

from __future__ import annotations

import fcntl
import importlib
import json
import math
import os
import resource
import select
import signal
import sys
import threading
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
# What the helper may allocate beyond what the grader held when it was
# forked: ordinary decisions take a few MiB, sympy's caches a few tens over
# a class; 256 MiB leaves room for one helper per pool worker on a small
# machine.
MEMORY_BYTES = 256 * MIB
# The most a reply may hold (it is the grader's own code: a verdict is a
# few bytes).
MAX_REPLY_BYTES = 1 * MIB


@dataclass(frozen=True)
class Bounded:
    """What became of a budgeted call.  ``status``: done (``value`` holds
    what the function returned), time (past the deadline), memory (past
    the memory budget), failed (it raised: ``detail`` names the exception,
    or the helper ended without a word)."""
    status: str
    value: Any = None
    detail: str = ""

    @property
    def over_budget(self) -> bool:
        return self.status in ("time", "memory")


def run_bounded(fn: Callable[..., Any], *args: Any, seconds: float = SECONDS,
                memory_bytes: int = MEMORY_BYTES) -> Bounded:
    """``fn(*args)`` in this process's helper, within ``seconds`` of wall time and
    ``memory_bytes`` of address space beyond the grader's own.  ``fn`` must
    be a module-level function taking and returning plain JSON data."""
    if not hasattr(os, "fork"):
        try:
            return Bounded("done", fn(*args))
        except MemoryError:
            return Bounded("memory")
        except Exception as exc:
            return Bounded("failed", detail=type(exc).__name__)
    with _LOCK:
        for _ in range(2):
            helper = _helper_for(memory_bytes)
            fresh = helper.served == 0
            result = helper.call(fn, list(args), seconds)
            if result.status in ("time", "memory") or not helper.alive:
                _HELPERS.pop(memory_bytes, None)
                helper.stop()
            # A helper that served others may be short of memory from their
            # caches: only a fresh one's "memory" is the expression's doing.
            if result.status != "memory" or fresh:
                break
        return result


_HELPERS: dict = {}
_LOCK = threading.Lock()
_EXIT_PID: int | None = None    # the process whose exit handlers stop its helpers


def _helper_for(memory_bytes) -> "_Helper":
    helper = _HELPERS.get(memory_bytes)
    if helper is None or not helper.alive:
        if _EXIT_PID != os.getpid():
            _stop_at_exit()
        helper = _HELPERS[memory_bytes] = _Helper(memory_bytes)
    return helper


def _stop_all() -> None:
    for helper in list(_HELPERS.values()):
        helper.stop()
    _HELPERS.clear()


def _stop_at_exit() -> None:
    """Stop and reap this process's helpers when it ends (a grader, or a
    pool process of grade-class, which ends through multiprocessing's
    finalizers rather than atexit), so that none outlives its grader."""
    global _EXIT_PID
    import atexit
    from multiprocessing import util
    _EXIT_PID = os.getpid()
    atexit.register(_stop_all)
    util.Finalize(None, _stop_all, exitpriority=5)


def _forget_inherited() -> None:
    """In a child forked from the grader (a pool worker, or a helper): the
    parent's helpers are the parent's.  Their pipes are closed here, so
    that each still ends with the process that owns it, and the child
    forks its own when it needs one."""
    global _LOCK, _EXIT_PID
    for helper in _HELPERS.values():
        helper.forget()
    _HELPERS.clear()
    # A lock held by another thread of the parent at the fork stays held for ever here.
    _LOCK = threading.Lock()
    _EXIT_PID = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_inherited)


class _Helper:
    def __init__(self, memory_bytes: int):
        self.served = 0
        request_r, self._request_w = os.pipe()
        self._reply_r, reply_w = os.pipe()
        with warnings.catch_warnings():
            # Python 3.12+ warns about fork() beside threads (the sandbox's
            # writer, a notebook kernel's): the helper takes no lock they
            # hold, and leaves with os._exit.
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:   # pragma: no cover - the helper
            _serve(memory_bytes, request_r, reply_w)
        os.close(request_r)
        os.close(reply_w)
        self.pid: int | None = pid

    @property
    def alive(self) -> bool:
        return self.pid is not None

    def call(self, fn, args: list, seconds: float) -> Bounded:
        try:
            request = (json.dumps([fn.__module__, fn.__qualname__, args, seconds]) + "\n"
                       ).encode("utf-8")
            view = memoryview(request)
            while view:
                view = view[os.write(self._request_w, view):]
        except OSError:
            return self._ended()
        line, complete = _read_line(self._reply_r, time.monotonic() + seconds)
        if not complete:
            self.stop()
            return Bounded("time")
        if line is None:
            return self._ended()
        self.served += 1
        try:
            reply = json.loads(line.decode("utf-8"))
        except ValueError:
            reply = None
        if type(reply) is not dict:
            return Bounded("failed", detail="unreadable reply")
        if "value" in reply:
            return Bounded("done", reply["value"])
        if reply.get("memory"):
            return Bounded("memory")
        return Bounded("failed", detail=str(reply.get("error", "")))

    def _ended(self) -> Bounded:
        """The helper ended without answering: killed at its memory limit
        the hard way, or by its backstop alarm."""
        status = self.stop()
        return Bounded("memory" if status == signal.SIGKILL else "failed",
                       detail=f"the helper ended without an answer ({status})")

    def forget(self) -> None:
        for fd in (self._request_w, self._reply_r):
            try:
                os.close(fd)
            except OSError:
                pass
        self.pid = None

    def stop(self) -> int | None:
        """Kill and reap the helper; the signal that ended it, if any."""
        if self.pid is None:
            return None
        for fd in (self._request_w, self._reply_r):
            try:
                os.close(fd)
            except OSError:
                pass
        pid, self.pid = self.pid, None
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            _, status = os.waitpid(pid, 0)
        except ChildProcessError:
            return None
        return os.WTERMSIG(status) if os.WIFSIGNALED(status) else None


def _serve(memory_bytes, request_r, reply_w) -> None:   # pragma: no cover
    """The helper's loop: one request a line, one reply a line, until the
    grader closes the request pipe."""
    try:
        # Hold nothing of the grader's but the two pipes: no copy of its
        # output or of its sandbox's pipes may outlive it here.
        request_r = fcntl.fcntl(request_r, fcntl.F_DUPFD, 3)   # never 0-2, replaced next
        reply_w = fcntl.fcntl(reply_w, fcntl.F_DUPFD, 3)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        keep = {0, 1, 2, request_r, reply_w}
        for name in os.listdir("/proc/self/fd") if os.path.isdir("/proc/self/fd") else ():
            if int(name) not in keep:
                try:
                    os.close(int(name))
                except OSError:
                    pass
        try:
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the grader's to handle
        except ValueError:
            pass
        _limit_memory(memory_bytes)
        requests = os.fdopen(request_r, "rb")
        for line in requests:
            module, name, args, seconds = json.loads(line)
            # A backstop should the grader die first: the helper ends by itself.
            signal.alarm(max(1, math.ceil(seconds)) + 1)
            try:
                fn = getattr(sys.modules.get(module) or importlib.import_module(module), name)
                reply = {"value": fn(*args)}
            except MemoryError:
                reply = {"memory": True}
            except RecursionError:
                reply = {"error": "RecursionError"}
            except Exception as exc:
                reply = {"error": type(exc).__name__}
            signal.alarm(0)
            try:
                data = json.dumps(reply).encode("utf-8")
            except (TypeError, ValueError, MemoryError):
                data = b'{"error": "unencodable"}'
            if len(data) > MAX_REPLY_BYTES:
                data = b'{"error": "reply too large"}'
            view = memoryview(data + b"\n")
            while view:
                view = view[os.write(reply_w, view):]
            if "memory" in reply:
                break   # a fresh helper for the next request
    except BaseException:
        pass
    finally:
        os._exit(0)


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


def _read_line(fd: int, deadline: float) -> tuple[bytes | None, bool]:
    """One line from the helper: (line, True); (None, True) at end of file;
    (None, False) past the deadline."""
    chunks, size = [], 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None, False
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            return None, True
        size += len(chunk)
        if size > MAX_REPLY_BYTES + 1:
            return b"", True
        chunks.append(chunk)
        if chunk.endswith(b"\n"):
            return b"".join(chunks), True
