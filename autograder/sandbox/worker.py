"""The code that runs on the student's side of the wall.

This file is the whole of what the student's process ever holds of the
grader.  The grader starts it as a *fork server*: a separate interpreter
(``python -I -c <this source>``) that imports numpy (and sympy, when a
request first needs it) once, then
reads requests on its standard input, one JSON line each, and forks a fresh
*worker* for every exercise.  The worker

* becomes the leader of a new session, with its standard streams sent to a
  capped file and every other inherited descriptor closed,
* as root, is shut in a root file system built from an allowlist (the
  system's and Python's folders read-only, fresh /proc and scratch
  folders, its own capped copy of the submission: nothing of the grader,
  the class or OUT), with IPC, network and mount namespaces of its own,
  in the server's PID namespace (where the system allows each one; what it
  refused is reported in the first line),
* sets its limits (address space, file size, CPU, no core files) and, when
  the grader runs as root, drops to an unprivileged user,
* imports the student's module from a temporary copy of the submission and
  runs the requested *probes* (function calls with plain-data arguments),
* writes each probe's outcome as plain JSON, one line each, to a pipe.

As root the server is the first process (init) of a PID namespace of its
own, and every worker is born into it: there one kill(-1) reaches all that
an exercise left behind, and the kernel ends them all if the server dies.
The server enforces the wall-clock budget, kills the whole session, sweeps
up any process the student left behind (before it reads the next request),
and answers with the raw lines.  It
never interprets them: the grader parses them as untrusted JSON.

Nothing here contains an expected answer: the grader sends inputs only.

The module is also imported by the grader (never by the worker) for
:func:`compile_tree`, so that both sides evaluate test functions alike.
"""

import itertools
import json
import os
import select
import signal
import sys
import time

TREE_FUNCTIONS = (
    "exp", "log", "sin", "cos", "tan", "sinh", "cosh", "tanh",
    "asin", "acos", "atan", "Abs", "sqrt",
)
MAX_RESULT_BYTES = 16 * 1024 * 1024
MAX_VECTOR_LENGTH = 16   # components of a test function of a vector (x[0], x[1], ...)
OUTPUT_KEEP_BYTES = 4096
NOBODY = 65534
_JOB_NUMBERS = itertools.count(1)


# --------------------------------------------------------------------------
# Expression trees: ["Add", a, b, ...], ["Symbol", "x"], ["Integer", "3"] ...
# --------------------------------------------------------------------------

def compile_tree(tree, np=None):
    """Turn an expression tree into a function of ``x`` built from numpy ufuncs.

    A tree may also be a function of a vector: ``["Vector", c0, c1, ...]``
    at its top, whose components use ``["Index", "i"]`` for x[i], compiles
    to a function returning the array of its components (a gradient)."""
    if np is None:
        import numpy as np
    ufuncs = {
        "exp": np.exp, "log": np.log, "sin": np.sin, "cos": np.cos,
        "tan": np.tan, "sinh": np.sinh, "cosh": np.cosh, "tanh": np.tanh,
        "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan,
        "Abs": np.abs, "sqrt": np.sqrt,
    }

    def build(node, top=False):
        head, args = node[0], node[1:]
        if head == "Symbol":
            return lambda x: x
        if head in ("Integer", "Float"):
            value = np.float64(float(args[0]))
            return lambda x: value
        if head == "Rational":
            value = np.float64(int(args[0]) / int(args[1]))
            return lambda x: value
        if head == "pi":
            return lambda x: np.float64(np.pi)
        if head == "E":
            return lambda x: np.float64(np.e)
        if head == "Index":
            # x[i]: one parameter of a 1-D vector x (a list or an array).
            i = int(args[0])
            if not 0 <= i < MAX_VECTOR_LENGTH:
                raise ValueError(f"index {i} out of bounds")
            return lambda x: x[i]
        if head == "Vector" and top:
            # The gradient of a function of a vector: one tree per component,
            # each a scalar expression of the x[i]; an array of them (a list
            # where ``np`` has no arrays: the grader's float math).
            if not 1 <= len(args) <= MAX_VECTOR_LENGTH:
                raise ValueError("a vector of 1 to 16 components")
            comps = [build(a) for a in args]
            return lambda x: np.array([c(x) for c in comps], dtype=np.float64)
        parts = [build(a) for a in args]
        if head == "Add":
            def add(x):
                total = parts[0](x)
                for p in parts[1:]:
                    total = total + p(x)
                return total
            return add
        if head == "Mul":
            def mul(x):
                total = parts[0](x)
                for p in parts[1:]:
                    total = total * p(x)
                return total
            return mul
        if head == "Pow":
            base, exponent = parts
            return lambda x: np.power(base(x), exponent(x))
        if head in ufuncs:
            fn, (arg,) = ufuncs[head], parts
            return lambda x: fn(arg(x))
        raise ValueError(f"unknown expression node {head!r}")

    return build(tree, top=True)


def expr_to_tree(expr, sympy):
    """Encode a sympy expression as a tree of plain lists (worker side)."""
    if expr.is_Symbol:
        return ["Symbol", str(expr.name)]
    if expr.is_Integer:
        return ["Integer", str(int(expr))]
    if expr.is_Rational:
        return ["Rational", str(int(expr.p)), str(int(expr.q))]
    if expr.is_Float:
        return ["Float", repr(float(expr))]
    if expr is sympy.pi:
        return ["pi"]
    if expr is sympy.E:
        return ["E"]
    head = type(expr).__name__
    if head in ("Add", "Mul", "Pow") or head in TREE_FUNCTIONS:
        return [head] + [expr_to_tree(a, sympy) for a in expr.args]
    return ["?", head]


# --------------------------------------------------------------------------
# Worker: runs inside the student's process
# --------------------------------------------------------------------------

def _encode(value, np, sympy, depth=0, type=type, isinstance=isinstance, len=len,
            float=float, callable=callable):
    """Plain-data image of what student code returned.  Exact type tests only:
    a subclass of float or list is not a float or a list.  The builtins it
    uses are bound when this module loads, before student code can replace
    them."""
    if depth > 50:
        return {"$other": "deeply nested value"}
    t = type(value)
    if value is None:
        return None
    if t is bool:
        return {"$bool": value}
    if t is int or t is float:
        return value
    if t in (np.float64, np.float32, np.float16, np.int64, np.int32,
             np.int16, np.int8, np.uint8, np.uint16, np.uint32, np.uint64,
             np.longdouble):
        return {"$np": t.__name__, "v": float(value)}
    if t is np.bool_:
        return {"$bool": bool(value)}
    if t is np.ndarray:
        if value.dtype.kind not in "biuf":
            return {"$other": f"numpy array of dtype {value.dtype}"}
        if value.size > 1_000_000:
            return {"$other": f"numpy array of {value.size} elements"}
        return {"$array": value.astype(float).tolist(), "dtype": str(value.dtype)}
    if t is list or t is tuple:
        if len(value) > 1_000_000:
            return {"$other": f"{t.__name__} of {len(value)} elements"}
        return {"$" + t.__name__: [_encode(v, np, sympy, depth + 1) for v in value]}
    if t is dict:
        return {"$dict": [[_encode(k, np, sympy, depth + 1), _encode(v, np, sympy, depth + 1)]
                          for k, v in value.items()]}
    if t is str:
        return {"$str": value[:200]}
    if isinstance(value, sympy.Basic) and type(value).__module__.startswith("sympy."):
        if value.is_number and value.is_real and not value.free_symbols:
            try:
                return {"$sympy_number": float(value)}
            except (TypeError, ValueError):
                pass
        return {"$tree": expr_to_tree(value, sympy)}
    if callable(value) and t.__name__ in ("function", "builtin_function_or_method"):
        return {"$other": "function"}
    return {"$other": f"{t.__module__}.{t.__qualname__}"[:120]}


def _decode_arg(arg, np, sympy):
    """Build a probe argument from its plain description (grader -> worker)."""
    if isinstance(arg, dict):
        if "$array" in arg:
            return np.array(arg["$array"], dtype=float)
        if "$tuple" in arg:
            return tuple(_decode_arg(a, np, sympy) for a in arg["$tuple"])
        if "$func" in arg:
            fn = compile_tree(arg["$func"], np)
            # A plain Python function the student may call with floats or arrays.
            return lambda x: fn(x)
        if "$symbol" in arg:
            return sympy.Symbol(arg["$symbol"])
    if isinstance(arg, list):
        return [_decode_arg(a, np, sympy) for a in arg]
    return arg


def _error(exc, module_file):
    """Describe an exception raised by student code: type, message and the
    deepest line of the student's file it passed through."""
    tb, line = exc.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == module_file:
            line = tb.tb_lineno
        tb = tb.tb_next
    try:
        message = str(exc)[:500]
    except BaseException:  # a hostile __str__
        message = "<message unavailable>"
    return {"type": type(exc).__name__, "message": message, "line": line}


def run_probes(module_name, probes, emit, np, sympy, first=0):
    """Import the student's module and run each probe from the ``first``
    on (a worker started again after an earlier one ran out of time),
    emitting one result each."""
    import importlib
    module_file = os.path.abspath(module_name + ".py")
    try:
        module = importlib.import_module(module_name)
    except BaseException as exc:  # SystemExit and KeyboardInterrupt included
        emit({"import_error": _error(exc, module_file)})
        return
    emit({"imported": True})
    for index in range(first, len(probes)):
        emit({"i": index, **run_probe(module, probes[index], module_file, np, sympy)})


# What a probe's result carries of what the call printed (the grader shows
# it beside a failing check, capped again there).
PRINTED_KEEP = 2048


class _Printed:
    """sys.stdout during one call: everything goes on to the real stream
    (and its output cap); the first PRINTED_KEEP characters are kept."""

    def __init__(self, stream):
        self.stream, self.kept, self.size = stream, [], 0

    def write(self, text):
        if type(text) is str and self.size < PRINTED_KEEP:
            self.kept.append(text[:PRINTED_KEEP - self.size])
            self.size += len(self.kept[-1])
        return self.stream.write(text)

    def __getattr__(self, name):
        return getattr(self.stream, name)


def run_probe(module, probe, module_file, np, sympy):
    fn = getattr(module, probe["fn"], None)
    if fn is None:
        return {"missing": probe["fn"]}
    if not callable(fn):
        return {"not_callable": type(fn).__name__}
    args = [_decode_arg(a, np, sympy) for a in probe.get("args", [])]
    kwargs = {k: _decode_arg(v, np, sympy) for k, v in probe.get("kwargs", {}).items()}
    result = {}
    real = sys.stdout
    printed = sys.stdout = _Printed(real)
    try:
        value = fn(*args, **kwargs)
        result["value"] = _encode(value, np, sympy)
    except BaseException as exc:
        result["error"] = _error(exc, module_file)
        points = probe.get("fallback_points")
        if points is not None:
            values = []
            for x in points:
                try:
                    values.append({"value": _encode(fn(float(x)), np, sympy)})
                except BaseException as exc2:
                    values.append({"error": _error(exc2, module_file)})
            result["fallback"] = values
    if sys.stdout is printed:
        sys.stdout = real
    if printed.kept:
        result["printed"] = "".join(printed.kept)
    watch = probe.get("watch_args", [])
    if watch:
        result["args_after"] = [_encode(args[i], np, sympy) for i in watch]
    return result


def inside(path, folders):
    """Whether ``path`` (resolved) is one of ``folders`` or lies within one;
    the one test behind every hidden-folder rule, in the worker and the grader."""
    real = os.path.realpath(path or ".")
    return any(real == f or real.startswith(f + os.sep) for f in folders)


SCRATCH = ("/tmp", "/var/tmp", "/dev/shm")
SCRATCH_OPTIONS = b"size=64m,mode=1777"


def _walls(hide, roots, keep):
    """The folders to cover: the grader's (``hide``), the roots that hold
    them, and any folder on the way to a library that the unprivileged user
    could not pass (a Python under /root, say).  Only the outermost."""
    walls = {os.path.realpath(p) for p in list(hide) + list(roots) if os.path.isdir(p)}
    for path in keep:
        parts = os.path.realpath(path).split(os.sep)
        for i in range(2, len(parts)):
            ancestor = os.sep.join(parts[:i])
            if not os.stat(ancestor).st_mode & 0o001:   # no search permission for others
                walls.add(ancestor)
                break
    return sorted(w for w in walls
                  if not any(w != o and w.startswith(o + os.sep) for o in walls))


CLONE_NEWNS, CLONE_NEWPID = 0x20000, 0x20000000
CLONE_NEWIPC, CLONE_NEWNET = 0x08000000, 0x40000000
# Set in the server: whether it is the first process (init) of a PID
# namespace of its own, and its pid as seen from outside (names its cgroups).
_PID_NAMESPACE = False
_SERVER_PID = os.getpid()


def _unshare(flags):
    try:
        import ctypes
        return ctypes.CDLL(None, use_errno=True).unshare(flags) == 0
    except Exception:
        return False


def _become_namespace_init():
    """Make the rest of the server the first process of a new PID namespace
    (as root, where the system allows one); the process started by the
    grader stays outside, waits for it and ends as it ends.  Every worker is
    then born inside that namespace: it sees and can signal only the
    processes of its own exercise (and the server, root's, which it may not
    signal), and when the server ends the kernel kills all of them.  Costs
    one small fork at start-up instead of two large ones per exercise."""
    global _PID_NAMESPACE
    if not _unshare(CLONE_NEWPID):
        return False
    pid = os.fork()
    if pid:
        _mirror(pid)           # never returns
    _die_with_parent()         # the outer process killed: the namespace ends
    _PID_NAMESPACE = True
    return True


# The worker's root file system is built from an allowlist: the system's
# programs, libraries and settings and the Python libraries, read-only; a
# fresh /proc of its PID namespace; a few devices; fresh, capped scratch
# folders; its own copy of the submission on a capped tmpfs.  Nothing else
# of the machine (home folders, other checkouts, the class, OUT) is there.
SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/sys")
DEVICES = ("null", "zero", "full", "random", "urandom", "tty")
ROOT_SCRATCH = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock")
# Caps of each scratch folder and of the working copy (which holds at most
# 20 MiB and 500 files of the submission); what is written there is memory,
# charged to the job's memory cgroup.
SCRATCH_TMPFS = b"size=64m,nr_inodes=4096,mode=1777"
COPY_TMPFS = b"size=64m,nr_inodes=2048,mode=755,uid=65534,gid=65534"
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 1, 2, 4, 8, 32
MS_BIND, MS_REC, MS_PRIVATE = 4096, 0x4000, 1 << 18


def _within(path, folders):
    """Whether ``path`` is one of ``folders`` or below one, as written
    (no symlink resolved: in the worker's new root they point elsewhere)."""
    return any(path == f or path.startswith(f.rstrip(os.sep) + os.sep) for f in folders)


def _copy_tree(src, dst):
    """Copy the job's files into the worker's tmpfs, owned by the
    unprivileged user; what does not fit is left out."""
    import shutil
    for root, dirs, files in os.walk(src):
        target = os.path.join(dst, os.path.relpath(root, src))
        for name in dirs:
            try:
                os.mkdir(os.path.join(target, name))
                os.chown(os.path.join(target, name), NOBODY, NOBODY)
            except OSError:
                pass
        for name in files:
            path = os.path.join(target, name)
            try:
                shutil.copyfile(os.path.join(root, name), path, follow_symlinks=False)
                os.chown(path, NOBODY, NOBODY)
            except OSError:
                pass


def _mounter():
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)

    def mount(src, target, fstype, flags, data=None):
        if libc.mount(src, target.encode(), fstype, flags, data) != 0:
            raise OSError(ctypes.get_errno(), f"mount {target}")
    return mount


# Set in the server: the root it built for its workers (None: not built
# yet; False: this system refused it), and what of it is missing ("proc").
_ROOT = None
_ROOT_GAPS = []


def _prepare_root(keep, prefixes, hide, roots):
    """Build, once per server, the root its workers are shut in (see SYSTEM,
    ROOT_SCRATCH), at ``./root``: a tmpfs holding the system folders, the
    folders in ``keep`` and the interpreter ``prefixes``, bound read-only at
    their own paths; the grader's folders (``hide``) covered where a bound
    one holds them; a fresh /proc of the server's PID namespace; a few
    devices; the mount points of the scratch folders.  The server enters a
    mount namespace of its own for it and keeps its view of the machine;
    each worker then mounts its scratch folders and working copy in it and
    is chrooted there (:func:`_enter_root`).  Built once, it costs a worker
    a handful of mounts instead of some forty.  Returns its path, or False
    where the system refuses (no mount namespace: a container without
    CAP_SYS_ADMIN, say)."""
    if not _unshare(CLONE_NEWNS):
        return False
    try:
        mount = _mounter()
        mount(b"none", "/", None, MS_REC | MS_PRIVATE)
        new = os.path.abspath("root")
        os.makedirs(new, exist_ok=True)
        mount(b"tmpfs", new, b"tmpfs", MS_NOSUID | MS_NODEV, b"size=1m,nr_inodes=4096,mode=755")
        bound = []

        def bind(path):
            target = new + path
            os.makedirs(target, exist_ok=True)
            mount(path.encode(), target, None, MS_BIND | MS_REC)
            try:
                mount(b"none", target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID)
            except OSError:
                pass   # read-only only where the system lets a bind be remounted
            bound.append(path)

        for path in SYSTEM:
            if os.path.islink(path):
                os.symlink(os.readlink(path), new + path)
                bound.append(path)
            elif os.path.isdir(path):
                bind(path)
        os.mkdir(new + "/proc")
        # hidepid=2: the server, root's, is out of the worker's sight too
        # (its command line, its mount table); only the worker's own show.
        for options in (b"hidepid=2", None):
            try:
                mount(b"proc", new + "/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, options)
                break
            except OSError:
                pass
        else:
            _ROOT_GAPS.append("proc")   # an empty /proc, then
        os.mkdir(new + "/dev")
        mount(b"tmpfs", new + "/dev", b"tmpfs", MS_NOSUID, b"size=64k,nr_inodes=64,mode=755")
        for name in DEVICES:
            if os.path.exists("/dev/" + name):
                os.close(os.open(new + "/dev/" + name, os.O_CREAT | os.O_WRONLY, 0o666))
                mount(("/dev/" + name).encode(), new + "/dev/" + name, None, MS_BIND)
        for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                             ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
            os.symlink(target, new + "/dev/" + name)
        for path in ROOT_SCRATCH:
            os.makedirs(new + path, exist_ok=True)
        os.symlink("../run/lock", new + "/var/lock")
        # The jobs' folders sit in the server's own (the sandbox's temporary
        # folder): outside the scratch folders (TMPDIR elsewhere), each
        # worker mounts a fresh tmpfs there, so that no mount point of one
        # job is left in this root for the next.
        if not _within(os.getcwd(), ROOT_SCRATCH):
            os.makedirs(new + os.getcwd(), exist_ok=True)
        wanted = set()
        for path in list(keep) + [p for p in prefixes
                                  if not any(_within(r, [p]) for r in roots)]:
            if os.path.isdir(path):
                wanted.update((os.path.normpath(os.path.abspath(path)), os.path.realpath(path)))
        for path in sorted(wanted):
            if not _within(path, bound):
                bind(path)
        # The grader's folders, where a bound folder holds them (an installed
        # grader in site-packages, a checkout under /usr); a checkout that
        # holds a kept library (its .venv) stays open, its own folders covered.
        for path in list(hide) + [r for r in roots if not any(_within(k, [r]) for k in wanted)]:
            for variant in {os.path.normpath(os.path.abspath(path)), os.path.realpath(path)}:
                if _within(variant, bound) and os.path.isdir(new + variant):
                    mount(b"tmpfs", new + variant, b"tmpfs", MS_RDONLY, b"size=4k")
        return new
    except Exception:
        return False


def _enter_root(new, workdir):
    """In a worker, in a mount namespace of its own (a copy of the
    server's): mount fresh scratch folders and a capped tmpfs holding a
    copy of ``workdir`` in the server's root ``new``, and shut this process
    in it.  chroot, not pivot_root: the worker drops root before any student
    code runs and holds no descriptor of a folder outside, so it cannot
    leave, and detaching the machine's mounts in every worker cost more
    than the rest of its set-up."""
    mount = _mounter()
    for path in ROOT_SCRATCH:
        mount(b"tmpfs", new + path, b"tmpfs", MS_NOSUID | MS_NODEV, SCRATCH_TMPFS)
    if not _within(os.getcwd(), ROOT_SCRATCH):
        mount(b"tmpfs", new + os.getcwd(), b"tmpfs", MS_NOSUID | MS_NODEV,
              b"size=1m,nr_inodes=64,mode=755")
    os.makedirs(new + workdir, exist_ok=True)
    mount(b"tmpfs", new + workdir, b"tmpfs", MS_NOSUID | MS_NODEV, COPY_TMPFS)
    _copy_tree(workdir, new + workdir)
    os.chroot(new)
    os.chdir("/")


def _build_view(hide, roots, keep):
    """Give this process a private view of the file system: empty tmpfs over
    every wall, with the folders in ``keep`` (the libraries, the job's own
    folder) bound back in place; the grader's folders covered even where
    they sit inside a kept one; and fresh, size-capped /tmp, /var/tmp and
    /dev/shm that vanish with the worker.  Needs root and a mount namespace
    (else returns False, and the grader relies on the import path alone)."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        MS_BIND, MS_REC, MS_PRIVATE, MS_RDONLY = 4096, 0x4000, 1 << 18, 1

        def mount(src, target, fstype, flags, data):
            if libc.mount(src, target.encode(), fstype, flags, data) != 0:
                raise OSError(ctypes.get_errno(), f"mount {target}")

        mount(b"none", "/", None, MS_REC | MS_PRIVATE, None)
        keep = sorted({os.path.realpath(k) for k in keep if os.path.isdir(k)})
        walls = _walls(hide, roots, keep)
        scratch = [os.path.realpath(d) for d in SCRATCH if os.path.isdir(d)]
        covered = [k for k in keep if inside(k, walls + scratch)]
        # Held open, they can be bound back after the walls hide their paths.
        held = [(path, os.open(path, os.O_PATH | os.O_DIRECTORY)) for path in covered]
        for wall in walls:
            mount(b"tmpfs", wall, b"tmpfs", 0, b"size=1m,mode=755")
        for path in scratch:
            mount(b"tmpfs", path, b"tmpfs", 0, SCRATCH_OPTIONS)
        for path, fd in held:
            os.makedirs(path, exist_ok=True)
            mount(f"/proc/self/fd/{fd}".encode(), path, None, MS_BIND | MS_REC, None)
            os.close(fd)
        for path in hide:   # the grader's own folders, also where a kept one holds them
            if os.path.isdir(path):
                mount(b"tmpfs", os.path.realpath(path), b"tmpfs", MS_RDONLY, b"size=4k")
        return True
    except Exception:
        return False


def _die_with_parent(parent=None):
    """SIGKILL this process when its parent dies (a killed server must not
    leave a worker behind, nor a killed grader its server).  Kept by
    processes that stay the same user.  ``parent``: the pid the parent had
    (else: the parent is outside this PID namespace, seen as 0 or 1)."""
    try:
        import ctypes
        ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)   # PR_SET_PDEATHSIG
    except Exception:
        pass
    died = os.getppid() != parent if parent is not None else os.getppid() == 1
    if died:            # the parent died before the call
        os._exit(1)


def _mirror(pid):
    """Wait for ``pid`` and end as it ended (exit code or signal)."""
    os.closerange(0, 65536)
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
    if not os.WIFSIGNALED(status):
        os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)
    sig = os.WTERMSIG(status)
    signal.signal(sig, signal.SIG_DFL)
    os.kill(os.getpid(), sig)
    os._exit(128 + sig)


class _Refuse:
    """An import hook that refuses some top-level package names."""

    def __init__(self, names):
        self.names = frozenset(names)

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in self.names:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


def _child_main(request, result_fd, output_fd, np, sympy, groups=None):
    """Everything the worker does between fork and exit.  Never returns."""
    import resource
    try:
        if groups is not None and groups.ok:
            groups.enter()
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(output_fd, 1)
        os.dup2(output_fd, 2)
        os.closerange(3, result_fd)
        os.closerange(result_fd + 1, 65536)
        limits = request["limits"]
        # CPython ignores SIGXFSZ; restored, a write past the output cap ends
        # the worker, and the grader names the cap.
        signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
        workdir = request["workdir"]
        masked, gaps = False, []
        if os.getuid() == 0:
            # Mount, IPC and network namespaces of this worker's own (the
            # PID namespace is the server's): its SysV segments, semaphores
            # and message queues end with it, and so does every socket,
            # abstract Unix ones included (a socket a killed process left in
            # flight lives on until the kernel collects it, a few ms).  The
            # new network namespace has only a loopback interface, left down:
            # no address answers, not even 127.0.0.1.
            own_mounts = ipc = net = _unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET)
            if not own_mounts:
                own_mounts, ipc, net = (_unshare(CLONE_NEWNS), _unshare(CLONE_NEWIPC),
                                        _unshare(CLONE_NEWNET))
            gaps += [name for name, ok in (("pid", _PID_NAMESPACE), ("network", net),
                                           ("ipc", ipc), ("mount", own_mounts)) if not ok]
            if own_mounts:
                hide = request.get("hide", [])
                roots = request.get("hide_roots", [])
                try:
                    if not _ROOT:
                        raise OSError("no root of its own here")
                    _enter_root(_ROOT, workdir)
                    gaps += _ROOT_GAPS
                    masked = True
                except Exception:
                    # Not here: cover the grader's folders alone, as before
                    # the allowlist.
                    gaps.append("root")
                    masked = _build_view(hide, roots, [p for p in sys.path if p]
                                         + [os.path.dirname(workdir)])
        address_space = request["base_vm"] + limits["memory_bytes"]
        resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits["output_bytes"],) * 2)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        cpu = int(limits["time_seconds"]) + 2
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
        if os.getuid() == 0:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            if groups is None or not groups.ok:
                # RLIMIT_NPROC counts every process of the user nobody, so it
                # would share one cap between the students graded at once;
                # the job's own pids cgroup, where there is one, caps this
                # worker alone.
                resource.setrlimit(resource.RLIMIT_NPROC, (64, 64))
        os.chdir(workdir)
        hidden = [os.path.realpath(p) for p in request.get("hide", [])]
        roots = [os.path.realpath(p) for p in request.get("hide_roots", [])]

        def importable(entry):
            # Neither a hidden folder, nor inside one, nor a root that holds one.
            return os.path.realpath(entry) not in roots and not inside(entry, hidden)

        sys.path[:] = [workdir] + [p for p in sys.path if p and importable(p)]
        sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in type(f).__module__.lower()
                            and "editable" not in getattr(f, "__name__", "").lower()]
        sys.path_importer_cache.clear()
        # Without root nothing is hidden on disk: refuse the grader's and the
        # reference's names at least (a student process could undo this).
        sys.meta_path.insert(0, _Refuse(request.get("refuse", [])))
        sys.argv = [request["module"] + ".py"]
        out = os.fdopen(result_fd, "w", buffering=1)
        dumps = json.dumps

        def emit(obj):
            try:
                out.write(dumps(obj, allow_nan=True) + "\n")
            except (TypeError, ValueError) as exc:
                out.write(dumps({"i": obj.get("i"), "unencodable": str(exc)[:200]}) + "\n")
            out.flush()

        emit({"masked": masked, "gaps": gaps})
        run_probes(request["module"], request["probes"], emit, np, sympy,
                   request.get("first", 0))
        out.flush()
    except BaseException:
        pass
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass
    os._exit(0)


def _own_cgroups():
    """{controller: this process's cgroup path}, from /proc/self/cgroup."""
    own = {}
    with open("/proc/self/cgroup") as fh:
        for line in fh:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            for c in controllers.split(","):
                own[c] = path
    return own


class JobCgroups:
    """A memory and a process-count cap for all of one worker's processes
    together (RLIMIT_AS caps each process alone): cgroup v1 ``memory`` and
    ``pids`` groups below the server's own.  Made only where root may; else
    ``ok`` is False and the per-process limits stand alone."""

    MAX_PIDS = 64

    def __init__(self, name, memory_bytes):
        self.dirs = {}
        try:
            own = _own_cgroups()
            for controller, limits in (("memory", {"memory.limit_in_bytes": memory_bytes}),
                                       ("pids", {"pids.max": self.MAX_PIDS})):
                folder = os.path.join("/sys/fs/cgroup", controller,
                                      own[controller].lstrip("/"), name)
                os.mkdir(folder)
                self.dirs[controller] = folder
                for key, value in limits.items():
                    if value:
                        with open(os.path.join(folder, key), "w") as fh:
                            fh.write(str(value))
            self.ok = True
        except (OSError, KeyError, ValueError):
            self.remove()
            self.ok = False

    @staticmethod
    def remove_stale():
        """Remove the groups of servers that died (killed with a job in
        flight), and whatever still runs in them."""
        try:
            own = _own_cgroups()
            for controller in ("memory", "pids"):
                base = os.path.join("/sys/fs/cgroup", controller, own[controller].lstrip("/"))
                for name in os.listdir(base):
                    parts = name.split("-")
                    if parts[0] != "autograder" or len(parts) < 3 or not parts[1].isdigit() \
                            or os.path.exists(f"/proc/{parts[1]}"):
                        continue
                    folder = os.path.join(base, name)
                    try:
                        with open(os.path.join(folder, "cgroup.procs")) as fh:
                            for pid in fh.read().split():
                                if int(pid) > 1:   # 0: not in this namespace
                                    os.kill(int(pid), signal.SIGKILL)
                    except (OSError, ValueError):
                        pass
                    group = JobCgroups.__new__(JobCgroups)
                    group.dirs = {controller: folder}
                    group.remove()
        except (OSError, KeyError, ValueError):
            pass

    def enter(self):
        """Move the calling process (and so everything it starts) in."""
        for folder in self.dirs.values():
            with open(os.path.join(folder, "cgroup.procs"), "w") as fh:
                fh.write(str(os.getpid()))

    def oom_kills(self):
        try:
            with open(os.path.join(self.dirs["memory"], "memory.oom_control")) as fh:
                for line in fh:
                    if line.startswith("oom_kill "):
                        return int(line.split()[1])
        except (OSError, KeyError, ValueError):
            pass
        return 0

    def remove(self):
        for folder in self.dirs.values():
            for _ in range(50):
                try:
                    os.rmdir(folder)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.002)
        self.dirs = {}


def _descendants():
    """Pids of this process's children (the server is a subreaper, so orphans
    of a worker come back to it)."""
    pids = []
    try:
        for tid in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{tid}/children") as fh:
                pids.extend(int(p) for p in fh.read().split())
    except OSError:
        pass
    return pids


def _sweep_namespace():
    """Kill every process of the namespace but the server (all of them the
    last worker's, or left behind by it) and reap them all, so that nothing
    of one exercise is alive when the next one starts.  As the namespace's
    init the server is the parent of every orphan, and one kill(-1) reaches
    all of them at once (a process cannot fork past a pending SIGKILL).
    False if some process outlived 10 s of it (stuck in the kernel): the
    server must then end, and the kernel ends the namespace with it."""
    deadline = time.monotonic() + 10.0
    while True:
        try:
            os.kill(-1, signal.SIGKILL)
        except OSError:
            pass            # none left to signal
        while True:
            try:
                reaped, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return True     # none left at all
            if reaped == 0:
                break
        if time.monotonic() > deadline:
            return False
        time.sleep(0.001)


def _sweep(pid):
    """Kill the worker's session and every process it left behind, and reap.
    False when the server must end for the sweep to be complete."""
    if _PID_NAMESPACE and os.getpid() == 1:   # kill(-1) only ever as the namespace's init
        return _sweep_namespace()
    for _ in range(100):
        for target in [pid] + _descendants():
            try:
                os.killpg(target, signal.SIGKILL)
            except OSError:
                pass
            try:
                os.kill(target, signal.SIGKILL)
            except OSError:
                pass
        while True:
            try:
                reaped, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return True
            if reaped == 0:
                break
        if not _descendants():
            return True
        time.sleep(0.005)
    return True


class _SympyOnDemand:
    """sympy for a worker whose server has not imported it (no request has
    asked for it yet): imported in the worker when the worker needs it.
    No value can be a sympy object while sympy is not imported, so the
    type test of :func:`_encode` imports nothing then."""

    class _Unimported:
        pass

    def __getattr__(self, name):
        if name == "Basic" and "sympy" not in sys.modules:
            return _SympyOnDemand._Unimported
        import sympy
        return getattr(sympy, name)


def _warm_sympy():
    """Import sympy and warm the parts of it a probe touches, so that the
    workers forked after it start hot."""
    import sympy
    x = sympy.Symbol("x")
    expr_to_tree(sympy.diff(3 * x**3 - 2 * x**2 + x, x) + sympy.exp(x) / 2, sympy)
    sys.path_importer_cache.clear()   # as at start-up: see serve()
    return sympy


def _vm_size():
    with open("/proc/self/status") as fh:
        return next(int(l.split()[1]) * 1024 for l in fh if l.startswith("VmSize:"))


def serve():
    import numpy as np
    # sympy (a third of a second, twice numpy's import) is imported when the
    # first request that needs it comes (one whose probes pass a sympy
    # Symbol, or whose submission names sympy): an assignment that never
    # touches it does not pay for it.
    sympy = _SympyOnDemand()
    # What every worker imports, imported here once; and the import caches
    # emptied here once: a worker empties them (its import path changes),
    # and freeing the server's finders with their folder listings in every
    # worker cost ~3 ms of copy-on-write page faults per exercise.
    import ctypes, importlib, resource, shutil  # noqa: F401,E401
    sys.path_importer_cache.clear()
    try:
        import ctypes
        ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except Exception:
        pass
    base_vm = _vm_size()
    stdout = sys.stdout
    stdout.write(json.dumps({"ready": True, "pid": _SERVER_PID}) + "\n")
    stdout.flush()
    while True:
        request = read_request(0)
        if request is None:
            return
        if (request.get("sympy") or request.get("warm") == "sympy") \
                and isinstance(sympy, _SympyOnDemand):
            sympy = _warm_sympy()
            # The worker's memory cap counts from what the server holds.
            base_vm = _vm_size()
        if "warm" in request:
            continue        # the grader's word that a job will want it: no reply
        reply = handle(request, base_vm, np, sympy)
        unswept = reply.pop("unswept", False)
        if unswept:
            reply["restart"] = True   # the grader resends what it queued behind this
        stdout.write(json.dumps(reply) + "\n")
        stdout.flush()
        if unswept:
            os._exit(1)   # the next request goes to a new server, in a new namespace


def read_request(fd):
    """One request: a decimal length on its own line, then that many bytes
    of JSON.  Read without read-ahead, so that a forked worker holds its own
    request and never the ones queued behind it."""
    header = b""
    while not header.endswith(b"\n"):
        byte = os.read(fd, 1)
        if not byte:
            return None
        header += byte
    size, body = int(header), b""
    while len(body) < size:
        chunk = os.read(fd, size - len(body))
        if not chunk:
            return None
        body += chunk
    return json.loads(body)


def handle(request, base_vm, np, sympy):
    """Run one exercise: a worker runs its probes, check after check.

    ``request["segments"]``, ``[[first probe, deadline], ...]`` in seconds
    from the start, gives each check (a segment of the probes) a deadline
    of its own, the last one the exercise's whole budget.  A worker that
    passes the deadline of the check it is in, after its module imported,
    is killed, swept, and a new one goes on from the next check that still
    has time: a hang costs the check that hung, and the exercise never
    runs longer than its budget.  The reply's ``timeouts`` lists the
    segments so cut; ``unstarted``, the first segment no worker started
    because the budget ran out (None: every one started)."""
    global _ROOT
    request["base_vm"] = base_vm
    if _ROOT is None and os.getuid() == 0:
        # The interpreter's own folders too: student code may start
        # sys.executable (a venv's bin, outside its prefix under -S).
        prefixes = [sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(sys.executable)]
        _ROOT = _prepare_root([p for p in sys.path if p], prefixes,
                              request.get("hide", []), request.get("hide_roots", []))
    limits = request["limits"]
    if os.getuid() == 0:
        # Only now is this job's copy handed to the unprivileged worker: the
        # copies queued behind it stay root's, out of its reach.
        workdir = request["workdir"]
        os.chmod(os.path.dirname(workdir), 0o711)
        for root, dirs, files in os.walk(workdir):
            os.chown(root, NOBODY, NOBODY)
            for name in files:
                os.chown(os.path.join(root, name), NOBODY, NOBODY)
    budget = float(limits["time_seconds"])
    segments = [(int(first), min(float(until), budget))
                for first, until in request.get("segments") or [(0, budget)]]
    segments[-1] = (segments[-1][0], budget)
    started = time.monotonic()
    run = {"chunks": [], "size": 0, "lines": 0, "memory_cap_line": None, "reason": None,
           "status": None, "unswept": False}
    timeouts, segment, flags, unstarted = [], 0, os.O_TRUNC, None
    while True:
        cut = _run_worker(request, segments, segment, started, flags, run, np, sympy)
        flags = os.O_APPEND
        if cut is None:
            break
        timeouts.append([cut, round(time.monotonic() - started, 3)])
        if cut + 1 >= len(segments) or run["unswept"]:
            break
        if started + budget - time.monotonic() <= 0.05:
            unstarted = cut + 1    # no time left for the checks after it
            break
        # The next check goes on in a new worker, with its own share of the
        # time counted from now (see _run_worker), within the budget.
        segment = cut + 1
        run["reason"] = None
        if run["chunks"] and not run["chunks"][-1].endswith(b"\n"):
            run["chunks"].append(b"\n")   # a line cut short by the kill stays unreadable
    reply = {"lines": b"".join(run["chunks"]).decode("utf-8", "replace").splitlines(),
             "reason": run["reason"], "elapsed": time.monotonic() - started,
             "memory_cap_line": run["memory_cap_line"], "unswept": run["unswept"],
             "timeouts": timeouts, "unstarted": unstarted}
    status = run["status"]
    if status is not None:
        if os.WIFSIGNALED(status):
            reply["signal"] = os.WTERMSIG(status)
        elif os.WIFEXITED(status):
            reply["exit_code"] = os.WEXITSTATUS(status)
    try:
        reply["output_size"] = os.path.getsize(request["output_file"])
        with open(request["output_file"], "rb") as fh:
            reply["output"] = fh.read(OUTPUT_KEEP_BYTES).decode("utf-8", "replace")
    except OSError:
        reply["output_size"], reply["output"] = 0, ""
    return reply


def _run_worker(request, segments, segment, started, flags, run, np, sympy):
    """Fork one worker that runs the probes from segment ``segment`` on,
    and read what it writes into ``run``.  Returns the segment whose
    deadline it passed after its module imported (the caller may go on
    with a new worker), else None."""
    limits = request["limits"]
    output_fd = os.open(request["output_file"], os.O_WRONLY | os.O_CREAT | flags, 0o600)
    if os.getuid() == 0:
        os.fchown(output_fd, NOBODY, NOBODY)
    read_fd, write_fd = os.pipe()
    groups = None
    if os.getuid() == 0:
        groups = JobCgroups(f"autograder-{_SERVER_PID}-{next(_JOB_NUMBERS)}-"
                            f"{os.urandom(3).hex()}", limits["memory_bytes"])
    request["first"] = segments[segment][0]
    sys.stdout.flush()
    sys.stderr.flush()
    server = os.getpid()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        if os.getuid() != 0:   # as root the namespace ends with the server
            _die_with_parent(server)
        _child_main(request, write_fd, output_fd, np, sympy, groups)
    os.close(write_fd)
    os.close(output_fd)
    # Which probe the worker is at: its first two lines say whether it is
    # masked and whether the module imported, then one line per probe.
    own_lines, imported, cut, head = 0, False, None, b""
    delay = 0.0
    if segment > 0:
        delay = max(0.0, time.monotonic() - started - segments[segment - 1][1])
    status = None
    # The worker's end is watched too: a process it left behind holds the
    # result pipe open, and must not make the grader wait out the budget.
    try:
        exited = os.pidfd_open(pid)
    except (AttributeError, OSError):
        exited = None
    while True:
        at = segments[segment][0] + max(own_lines - 2, 0)
        current = segment
        while current + 1 < len(segments) and segments[current + 1][0] <= at:
            current += 1
        # A new worker's checks keep their shares of the time, counted from
        # when it started (never past the exercise's budget): sweeping what
        # the hung one left behind must not eat them.
        until = min(segments[-1][1], segments[current][1] + delay)
        remaining = started + until - time.monotonic()
        if remaining <= 0:
            run["reason"] = "timeout"
            if imported:
                cut = current
            break
        watched = [read_fd] if exited is None else [read_fd, exited]
        ready, _, _ = select.select(watched, [], [], remaining)
        if not ready:
            continue
        if exited is not None and exited in ready and read_fd not in ready:
            # The worker is gone and nothing is left to read: keep its status,
            # end what it left behind (that closes the pipe), read the rest.
            _, status = os.waitpid(pid, 0)
            os.close(exited)
            exited = None
            _sweep(pid)
            continue
        chunk = os.read(read_fd, 65536)
        if run["memory_cap_line"] is None and groups is not None and groups.ok \
                and groups.oom_kills():
            # Lines from here on were written after a process was killed at the cap.
            run["memory_cap_line"] = run["lines"]
        if not chunk:
            break
        if not imported and len(head) < 4096:
            head += chunk
            imported = b'{"imported": true}' in head
        own_lines += chunk.count(b"\n")
        run["lines"] += chunk.count(b"\n")
        run["size"] += len(chunk)
        if run["size"] > MAX_RESULT_BYTES:
            run["reason"] = "result_too_large"
            break
        run["chunks"].append(chunk)
    os.close(read_fd)
    if exited is not None:
        os.close(exited)
    if run["reason"] is None and status is None:
        # The pipe closed: wait briefly for the worker to finish exiting.
        end = time.monotonic() + 1.0
        while time.monotonic() < end:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.002)
        else:
            status = None
    swept = _sweep(pid)
    if groups is not None:
        if run["memory_cap_line"] is None and groups.ok and groups.oom_kills():
            run["memory_cap_line"] = run["lines"]
        groups.remove()
    run["status"] = status
    run["unswept"] = run["unswept"] or not swept
    return cut


if __name__ == "__main__":
    if len(sys.argv) > 2:   # the grader's pid: the server ends when the grader does
        _die_with_parent(int(sys.argv[2]))
    if len(sys.argv) > 1:   # the library folders, sent by the grader
        sys.path.extend(p for p in json.loads(sys.argv[1]) if p not in sys.path)
    if os.getuid() == 0:
        JobCgroups.remove_stale()   # before the namespace: its pids are the machine's
        _become_namespace_init()
    serve()
