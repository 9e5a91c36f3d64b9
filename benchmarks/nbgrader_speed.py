"""What the engine costs inside nbgrader, and what nbgrader costs against
``grade-class``, on the same submissions, side by side in one run.

Three ways of grading the same N submissions (the reference and
known-wrong variants from tests/corpus/misconceptions, cycled):

  E  nbgrader autograde, the classroom notebooks (test cells call the engine)
  P  nbgrader autograde, the same notebooks with plain asserts in the test cells
  G  python -m autograder grade-class on the same code as .py folders

Each student is autograded by its own ``nbgrader autograde --student S``
call (that is the per-submission time); grade-class grades the whole class
in one call, and its per-submission time is the total over N.  Prints the
medians and the ratios E/P and E/G, and projects 10 000 submissions.

    python benchmarks/nbgrader_speed.py [--n 6] [--class-size 200] [--workers 2]

Needs the [classroom] extra.  Takes a few minutes: nbgrader starts a kernel
per notebook.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.channels.classroom import answer_release, make_course  # noqa: E402

SOLUTIONS = ROOT / "solutions" / "calculus"
CORPUS = ROOT / "tests" / "corpus" / "misconceptions"
WRONG = ["gd-ascent", "loss-no-half", "df-returns-f", "grad-no-x", "wu-mutates-input"]

# The plain-assert version of each check: the contract's worked examples,
# as a hand-written nbgrader notebook would test them.
PLAIN = {
    "df": "assert df(2) == 29 and df(0) == 1 and df(-1) == 14",
    "slope_at_2": "assert abs(slope_at_2() - 29) < 1e-9",
    "numerical_derivative": "assert abs(numerical_derivative(lambda x: x**3, 2.0) - 12) < 1e-6",
    "gradient_descent": "xs = gradient_descent(lambda x: 2 * x, 10, 0.1, 10)\n"
                        "assert len(xs) == 11 and abs(xs[-1] - 1.073741824) < 1e-9",
    "quadratic_grad": "assert quadratic_grad(5) == 2 and quadratic_grad(4) == 0",
    "minimize_quadratic": "assert abs(minimize_quadratic() - 4) < 1e-6\n"
                          "assert abs(minimize_quadratic(10, 0.1, 1) - 8.8) < 1e-9",
    "critical_learning_rate": "assert critical_learning_rate() == 1.0",
    "update_weights": "assert np.allclose(update_weights([0.5, -0.5, 0.3], [0.1, -0.2, 0.05], "
                      "0.01), [0.499, -0.498, 0.2995])",
    "update_weights-2": "w = [0.5, -0.5, 0.3]\nupdate_weights(w, [0.1, -0.2, 0.05], 0.01)\n"
                        "assert w == [0.5, -0.5, 0.3]",
    "sweep_learning_rates": "d = sweep_learning_rates([1.0], [1.0], [0.1, 1.0])\n"
                            "assert np.allclose(d[0.1], [0.9]) and np.allclose(d[1.0], [0.0])",
    "sigmoid": "assert abs(sigmoid(0) - 0.5) < 1e-12\n"
               "assert np.allclose(sigmoid(np.array([0.0, 100.0])), [0.5, 1.0])",
    "predict": "assert abs(predict(1, 0, 0) - 0.5) < 1e-12",
    "loss": "assert abs(loss(0, 0, X, Y) - 0.5 * ((0.5 - 0.2)**2 + (0.5 - 0.9)**2)) < 1e-12",
    "gradients": "assert np.allclose(gradients(0, 0, X, Y), (-0.2125, -0.025))",
    "gradients-2": "h = 1e-6\ngw, gb = gradients(0.3, -0.2, X, Y)\n"
                   "assert abs(gw - (loss(0.3 + h, -0.2, X, Y) - loss(0.3 - h, -0.2, X, Y)) "
                   "/ (2 * h)) < 1e-6",
    "train": "w, b = train(-2, -2, X, Y, 1.0, 1000)\n"
             "assert abs(w - 1.79172) < 1e-4 and abs(b + 2.28212) < 1e-4",
}


def run(cmd: list[str], cwd: Path) -> None:
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep
               + os.environ.get("PATH", ""))
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")


def plain_version(course: Path, assignment: str) -> None:
    """Replace every test cell of the source notebooks by plain asserts and
    the grader's import by numpy's."""
    for path in (course / "source" / assignment).glob("*.ipynb"):
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade_id", "").startswith("setup-"):
                cell.source = cell.source.replace(
                    "from autograder.channels.notebook import check, hint, require", "import numpy as np")
            elif meta.get("grade"):
                cell.source = PLAIN[meta["grade_id"].removeprefix("test-")]
        nbformat.write(notebook, path)


def class_sources(n: int) -> list[tuple[str, dict[str, str]]]:
    reference = {p.stem: p.read_text() for p in SOLUTIONS.glob("*.py")}
    students = []
    for i in range(n):
        modules = dict(reference)
        if i % 2:
            wrong = CORPUS / WRONG[(i // 2) % len(WRONG)]
            for path in wrong.glob("*.py"):
                modules[path.stem] = path.read_text()
        students.append((f"s{i:03d}", modules))
    return students


def autograde_each(course: Path, assignment: str, students) -> list[float]:
    release = course / "release" / assignment
    times = []
    for name, modules in students:
        answer_release(release, course / "submitted" / name / assignment, modules)
        start = time.perf_counter()
        run([sys.executable, "-m", "nbgrader", "autograde", assignment, "--student", name,
             "--force"], course)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=6,
                        help="submissions autograded by nbgrader, each way (default 6)")
    parser.add_argument("--class-size", type=int, default=200,
                        help="submissions for grade-class, the same ones cycled (default 200): "
                        "its start-up is paid once per class, so a class of a realistic size")
    parser.add_argument("--workers", type=int, default=2, help="grade-class workers")
    args = parser.parse_args()
    students = class_sources(args.n)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        courses = {}
        for kind in ("engine", "plain"):
            course = tmp / kind
            make_course(course, solutions=SOLUTIONS, seed=12345)
            if kind == "plain":
                plain_version(course, "calculus")
            run([sys.executable, "-m", "nbgrader", "generate_assignment", "calculus"], course)
            courses[kind] = course
        folders = tmp / "folders"
        for i in range(args.class_size):
            name, modules = students[i % len(students)]
            name = f"{name}-{i:05d}"
            (folders / name).mkdir(parents=True)
            for module, source in modules.items():
                (folders / name / f"{module}.py").write_text(source)
        # Interleaved, student by student, so both see the same machine state.
        engine, plain = [], []
        for student in students:
            engine += autograde_each(courses["engine"], "calculus", [student])
            plain += autograde_each(courses["plain"], "calculus", [student])
        klass = {}
        for workers in sorted({1, args.workers}):
            out = tmp / f"out{workers}"
            start = time.perf_counter()
            run([sys.executable, "-m", "autograder", "grade-class", str(folders), "--out",
                 str(out), "--workers", str(workers), "--no-progress", "--seed", "12345"], ROOT)
            klass[workers] = (time.perf_counter() - start) / args.class_size
    e, p = statistics.median(engine), statistics.median(plain)
    print(f"{len(students)} submissions (half reference, half with a known misconception); "
          f"grade-class on {args.class_size} of them, cycled")
    print(f"  nbgrader autograde, engine checks : median {e:6.2f} s per submission")
    print(f"  nbgrader autograde, plain asserts : median {p:6.2f} s per submission")
    print(f"  engine / plain inside nbgrader    : {e / p:.2f}")
    for workers, seconds in klass.items():
        print(f"  grade-class, {workers} worker(s)          : {seconds * 1000:6.0f} ms per "
              f"submission -> nbgrader (engine) / grade-class = {e / seconds:.0f}x, "
              f"10 000 submissions in {seconds * 10000 / 60:.1f} min")


if __name__ == "__main__":
    main()
