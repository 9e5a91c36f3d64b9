"""How long grading one submission takes, against importing its libraries.

Runs, interleaved in one session so that both see the same machine state:

  A  python -m autograder grade solutions/calculus --quiet
  B  python -c "import numpy, sympy, pytest"

and prints each command's median wall time and the ratio A/B (the median
of the per-round ratios, and the ratio of the medians).  Goal: <= 1.3.

    python benchmarks/grade_speed.py [--rounds 21] [--submission solutions/calculus]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=True)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--submission", default="solutions/calculus")
    args = parser.parse_args(argv)
    grade = [sys.executable, "-m", "autograder", "grade", args.submission, "--quiet",
             "--seed", "1"]
    imports = [sys.executable, "-c", "import numpy, sympy, pytest"]
    for _ in range(args.warmup):
        wall(grade), wall(imports)
    a, b = [], []
    for i in range(args.rounds):
        # Alternate which goes first, so neither always follows the other.
        if i % 2:
            b.append(wall(imports)), a.append(wall(grade))
        else:
            a.append(wall(grade)), b.append(wall(imports))
    ratios = [x / y for x, y in zip(a, b)]
    print(f"rounds: {args.rounds} (after {args.warmup} warm-up), python {sys.version.split()[0]}")
    print(f"A grade {args.submission}:            median {statistics.median(a):.3f} s "
          f"(min {min(a):.3f}, max {max(a):.3f})")
    print(f"B import numpy, sympy, pytest: median {statistics.median(b):.3f} s "
          f"(min {min(b):.3f}, max {max(b):.3f})")
    print(f"ratio A/B: median of per-round ratios {statistics.median(ratios):.2f}, "
          f"ratio of medians {statistics.median(a) / statistics.median(b):.2f} (goal <= 1.3)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
