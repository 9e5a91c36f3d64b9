"""How long `watch` takes from a save to the printed feedback.

Starts `python -m autograder watch` on a temporary copy of the reference
solutions, then saves one module N times (alternately a wrong and the
right version, so that every save changes it) and times each save, from
just before the file is written to the moment the regrade's last line
(its `total`) has been read from watch's output.  Beside it, for the same
exercise, the time of what a student ran before watch existed: a cold
`python -m autograder grade DIR --only MODULE` (interleaved with the saves,
so that both see the same machine state).  Prints the medians.
Goal: 150 ms for one exercise on a 2-core machine.

    python benchmarks/watch_speed.py [--saves 31] [--module neuron] [--cold 5]
"""

from __future__ import annotations

import argparse
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# One wrong version per module: a one-character slip, as a student makes.
SLIPS = {
    "derivatives": ("9 * x**2 - 4 * x + 1", "9 * x**2 - 4 * x - 1"),
    "gradient_descent": ("x = x - learning_rate * grad(x)", "x = x + learning_rate * grad(x)"),
    "weight_updates": ("float(w - learning_rate * g)", "float(w + learning_rate * g)"),
    "neuron": ("1.0 / (1.0 + np.exp(-z))", "1.0 / (1.0 + np.exp(z))"),
}


def reader(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put((time.perf_counter(), line.rstrip("\n")))
    lines.put((time.perf_counter(), None))


def until_total(lines: queue.Queue, timeout: float = 60.0) -> float:
    """The time the next regrade's `total` line was read."""
    deadline = time.monotonic() + timeout
    while True:
        at, line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        if line is None:
            raise SystemExit("watch ended early")
        if line.startswith("total"):
            return at


def cold(folder: Path, module: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograder", "grade", str(folder), "--only", module,
                    "--seed", "1"], cwd=ROOT, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=31)
    parser.add_argument("--module", default="neuron", choices=sorted(SLIPS))
    parser.add_argument("--cold", type=int, default=5, help="cold `grade --only` runs")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="watch-speed-") as tmp:
        folder = Path(tmp) / "work"
        shutil.copytree(ROOT / "solutions" / "calculus", folder)
        path = folder / f"{args.module}.py"
        right = path.read_text(encoding="utf-8")
        old, new = SLIPS[args.module]
        assert old in right, f"{args.module}: the slip {old!r} is not in the solution"
        versions = (right.replace(old, new), right)
        process = subprocess.Popen([sys.executable, "-m", "autograder", "watch", str(folder),
                                    "--seed", "1"], cwd=ROOT, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, text=True, bufsize=1)
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=reader, args=(process.stdout, lines), daemon=True).start()
        try:
            until_total(lines, timeout=300)                     # the first, full grade
            saves, colds = [], []
            every = max(1, args.saves // max(1, args.cold))
            for i in range(args.saves + 1):
                time.sleep(0.1)                                  # a person saves, reads
                start = time.perf_counter()
                path.write_text(versions[i % 2], encoding="utf-8")
                seen = until_total(lines)
                if i:                                            # the first is a warm-up
                    saves.append(seen - start)
                if i % every == 0 and len(colds) < args.cold:
                    colds.append(cold(folder, args.module))
        finally:
            process.terminate()
            process.wait(timeout=60)
    ms = [s * 1000 for s in saves]
    print(f"python {sys.version.split()[0]}, module {args.module}, {len(ms)} saves")
    print(f"watch: save to printed feedback: median {statistics.median(ms):.0f} ms "
          f"(min {min(ms):.0f}, max {max(ms):.0f}; goal 150 ms)")
    if colds:
        print(f"grade --only {args.module}, cold: median "
              f"{statistics.median(colds) * 1000:.0f} ms over {len(colds)} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
