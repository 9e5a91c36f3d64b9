"""`handout`: the folder a class gets -- the stubs, a README, what to
install, the GitHub Classroom workflow -- and no reference code anywhere in
it; and a wheel of this repository, installed as students install it,
grades the handed-out folder with a student's code dropped in."""

import ast
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from autograder.channels.handout import Handout, HandoutError, reference_leaks, write_handout
from autograder.course.stubs import _MARKER
from conftest import CORPUS, EXERCISES, OPTIMIZER_STUBS, OPTIMIZERS, ROOT, SOLUTIONS

SPEC = "calculus-autograder @ https://example.org/calculus_autograder-0.1.0-py3-none-any.whl"


def cli(*args, cwd=ROOT, env=None):
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300, env=env)


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def solution_bodies(solutions: Path) -> list[tuple[str, str, str]]:
    """(file, function, ast dump of its body without the docstring) for
    every function of the reference that holds a solution region."""
    out = []
    for path in sorted(solutions.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        marked = {n for n, line in enumerate(source.splitlines(), 1) if _MARKER.match(line)}
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
                    node.lineno <= n <= node.end_lineno for n in marked):
                body = node.body[1:] if ast.get_docstring(node) is not None else node.body
                out.append((path.name, node.name, ast.dump(ast.Module(body, []))))
    return out


def function_bodies(folder: Path) -> set[str]:
    bodies = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                body = node.body[1:] if ast.get_docstring(node) is not None else node.body
                bodies.add(ast.dump(ast.Module(body, [])))
    return bodies


def region_texts(solutions: Path) -> list[str]:
    """The code lines of every solution region, stripped, one string a region."""
    out = []
    for path in sorted(solutions.glob("*.py")):
        inside, lines = False, []
        for line in path.read_text(encoding="utf-8").splitlines():
            match = _MARKER.match(line)
            if match:
                inside = match.group(2) == "BEGIN"
                if not inside:
                    out.append("\n".join(lines))
                    lines = []
            elif inside and line.strip():
                lines.append(line.strip())
    return out


def assert_no_reference(folder: Path, solutions: Path) -> None:
    """The test's own search, independent of the command's: no solutions
    folder, no solution marker, no reference function body (as a syntax
    tree), no solution region's code lines."""
    assert not [p for p in folder.rglob("*") if p.name == "solutions"]
    texts = {name: data.decode("utf-8", "replace") for name, data in files(folder).items()}
    assert not [n for n, t in texts.items() if "SOLUTION" in t]
    bodies = function_bodies(folder)
    references = solution_bodies(solutions)
    assert len(references) >= 8
    leaked = [(f, fn) for f, fn, body in references if body in bodies]
    assert not leaked, leaked
    flat = {n: "\n".join(line.strip() for line in t.splitlines() if line.strip())
            for n, t in texts.items()}
    for region in region_texts(solutions):
        assert not [n for n, t in flat.items() if region in t], region


@pytest.mark.parametrize("name,stubs,solutions", [("calculus", EXERCISES, SOLUTIONS),
                                                  ("optimizers", OPTIMIZER_STUBS, OPTIMIZERS)])
def test_the_handout_holds_the_stubs_a_readme_and_no_solution(tmp_path, name, stubs,
                                                              solutions):
    out = tmp_path / "class-repo"
    done = cli("handout", out, "--assignment", name)
    assert done.returncode == 0, done.stderr
    got = files(out)
    modules = sorted(p.name for p in stubs.glob("*.py"))
    assert sorted(got) == sorted([*modules, "README.md", "requirements.txt", "pyproject.toml",
                                  ".gitignore"])
    for module in modules:
        assert got[module] == (stubs / module).read_bytes()      # the stubs, byte for byte
    readme = got["README.md"].decode()
    for module in modules:
        assert f"`{module}`" in readme
    assert "python -m autograder grade ." in readme and "pytest" in readme
    assert "hint" in readme and "pip install -r requirements.txt" in readme
    assert got["requirements.txt"].decode() == "calculus-autograder==0.1.0\n"
    assert f'assignment = "{name}"' in got["pyproject.toml"].decode()
    assert_no_reference(out, solutions)
    assert reference_leaks(out, solutions) == []
    # The same check finds the reference when it is there.
    shutil.copyfile(solutions / modules[0], out / modules[0])
    assert_fails = reference_leaks(out, solutions)
    assert assert_fails and all(modules[0] in leak for leak in assert_fails)


def test_with_github_classroom_the_workflow_is_the_one_github_classroom_writes(tmp_path):
    out, other = tmp_path / "template", tmp_path / "other"
    other.mkdir()
    done = cli("handout", out, "--github-classroom", "--package-spec", SPEC, "--seed", 42,
               "--timeout", 20)
    assert done.returncode == 0, done.stderr
    assert "seed 42" in done.stdout
    same = cli("github-classroom", other, "--package-spec", SPEC, "--seed", 42,
               "--timeout", 20)
    assert same.returncode == 0, same.stderr
    workflow = (out / ".github" / "workflows" / "classroom.yml").read_bytes()
    assert workflow == (other / ".github" / "workflows" / "classroom.yml").read_bytes()
    assert (out / "requirements.txt").read_text() == SPEC + "\n"
    assert "Actions" in (out / "README.md").read_text()
    assert_no_reference(out, SOLUTIONS)


def test_the_handed_out_folder_grades_a_students_code(tmp_path):
    out = tmp_path / "repo"
    assert cli("handout", out).returncode == 0
    untouched = cli("grade", ".", "--quiet", cwd=out)
    assert untouched.returncode == 0 and re.search(r"total +0/100", untouched.stdout)
    for path in SOLUTIONS.glob("*.py"):            # a student's correct code
        shutil.copyfile(path, out / path.name)
    wrong = CORPUS / "wrong" / "gd-stops-on-tolerance" / "gradient_descent.py"
    shutil.copyfile(wrong, out / "gradient_descent.py")
    graded = cli("grade", ".", "--quiet", "--seed", 3, cwd=out)
    assert graded.returncode == 0, graded.stderr
    # 92: the early stop keeps the 4 points of its steps = 0 and 1 cases.
    assert re.search(r"total +92/100", graded.stdout), graded.stdout
    # A bare pytest in the folder grades it (the pyproject.toml says what).
    tested = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "--grader-seed", "3"], cwd=out, capture_output=True, text=True,
                            timeout=300)
    assert "1 failed, 15 passed" in tested.stdout, tested.stdout[-2000:]


def test_a_stub_holding_the_reference_is_refused_and_nothing_is_written(tmp_path):
    out = tmp_path / "repo"
    # Solutions given as the stubs: they hold the markers.
    done = cli("handout", out, "--exercises", SOLUTIONS)
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "solution marker" in done.stderr and not out.exists()
    # A stub with the reference's code in it (markers removed): out of date.
    stubs = tmp_path / "stubs"
    shutil.copytree(EXERCISES, stubs)
    source = (SOLUTIONS / "derivatives.py").read_text()
    (stubs / "derivatives.py").write_text("\n".join(
        line for line in source.splitlines() if not _MARKER.match(line)) + "\n")
    done = cli("handout", out, "--exercises", stubs)
    assert done.returncode == 2 and "out of date" in done.stderr and not out.exists()
    assert not list(tmp_path.glob(".repo.*"))             # no temporary folder left


def test_the_search_sees_a_solution_however_it_is_laid_out(tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "notes.py").write_text(textwrap.dedent("""\
        def my_df(y):
            \"\"\"Mine.\"\"\"
            return (9 * x ** 2
                    - 4 * x + 1)   # the same statement, laid out otherwise
        """))
    leaks = reference_leaks(folder, SOLUTIONS)
    assert leaks == ["notes.py: the solution of derivatives.py ('return 9 * x**2 - 4 * x + 1')"]
    (folder / "notes.py").write_text("def g(x):\n    return 9 * x**2 - 4 * x + 2\n")
    assert reference_leaks(folder, SOLUTIONS) == []
    (folder / "solutions").mkdir()
    assert reference_leaks(folder, SOLUTIONS) == ["solutions: a solutions folder"]


def test_a_non_empty_out_needs_force_which_keeps_its_git(tmp_path):
    out = tmp_path / "repo"
    out.mkdir()
    assert cli("handout", out).returncode == 0            # an empty folder is fine
    (out / "mine.txt").write_text("a teacher's file")
    (out / ".git").mkdir()
    (out / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    before = files(out)
    refused = cli("handout", out, "--assignment", "optimizers")
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1
    assert "not empty" in refused.stderr and "--force" in refused.stderr
    assert files(out) == before
    forced = cli("handout", out, "--assignment", "optimizers", "--force")
    assert forced.returncode == 0, forced.stderr
    after = files(out)
    assert after[".git/HEAD"] == b"ref: refs/heads/main\n"
    assert "mine.txt" not in after and "derivatives.py" not in after
    assert "momentum.py" in after
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo"]   # nothing left aside


@pytest.mark.parametrize("args,says", [
    (("--seed", "4"), "--seed: only with --github-classroom"),
    (("--github-classroom",), "needs --package-spec"),
    (("--assignment", "nope"), "no assignment 'nope'"),
    (("--github-classroom", "--package-spec", SPEC, "--memory", "lots"), "--memory"),
    (("--exercises", "no/such/folder"), "no such folder of stubs"),
])
def test_bad_arguments_are_one_line_and_exit_2(tmp_path, args, says):
    out = tmp_path / "repo"
    done = cli("handout", out, *args)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert says in done.stderr and not out.exists()


def test_out_a_file_is_refused(tmp_path):
    (tmp_path / "repo").write_text("x")
    done = cli("handout", tmp_path / "repo")
    assert done.returncode == 2 and "not a folder" in done.stderr


def test_a_failure_midway_leaves_out_as_it_was(tmp_path, monkeypatch):
    import autograder.channels.handout as handout
    out = tmp_path / "repo"
    calls = []

    def broken(path, data):                 # the disk fills up at the third file
        calls.append(path)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real(path, data)
    real = handout.write_atomic
    monkeypatch.setattr(handout, "write_atomic", broken)
    with pytest.raises(OSError):
        write_handout(out, Handout("calculus", EXERCISES, SOLUTIONS, SPEC))
    assert not out.exists() and list(tmp_path.iterdir()) == []
    with pytest.raises(HandoutError):       # a missing stub: nothing written either
        write_handout(out, Handout("calculus", tmp_path, SOLUTIONS, SPEC))
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------- a hosted copy

def test_a_wheel_of_the_repository_installs_and_grades_the_handout(tmp_path):
    """README's *Hosting the grader*: build a wheel, hand out the folder
    naming it, install what requirements.txt names into a fresh venv (the
    wheel, --no-deps; numpy, sympy and pytest are this test environment's,
    reached through a .pth file, so no download is needed), and grade a
    student's correct code with that install: 100."""
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(ROOT / name, source / name)
    shutil.copytree(ROOT / "autograder", source / "autograder",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                            tmp_path / "dist", source], capture_output=True, text=True,
                           timeout=600, env=env)
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = (tmp_path / "dist").glob("calculus_autograder-*-py3-none-any.whl")

    out = tmp_path / "repo"
    assert cli("handout", out, "--package-spec", wheel).returncode == 0
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True,
                   timeout=120)
    python = venv / "bin" / "python"
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()"
                              "['purelib'])"], capture_output=True, text=True,
                             check=True).stdout.strip()
    import numpy
    import sympy
    import tqdm
    deps = {str(Path(m.__file__).resolve().parents[1]) for m in (numpy, sympy, tqdm, pytest)}
    Path(purelib, "test-deps.pth").write_text("\n".join(sorted(deps)) + "\n")
    installed = subprocess.run([sys.executable, "-m", "pip", "--python", python, "install",
                                "--no-deps", "--no-index", "-q", "-r",
                                out / "requirements.txt"], capture_output=True, text=True,
                               timeout=300, env=env, cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr[-3000:]

    for path in SOLUTIONS.glob("*.py"):
        shutil.copyfile(path, out / path.name)
    where = subprocess.run([python, "-I", "-c", "import autograder; print(autograder.__file__)"],
                           cwd=out, capture_output=True, text=True, env=env, timeout=60)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout + where.stderr
    graded = subprocess.run([python, "-I", "-m", "autograder", "grade", ".", "--quiet"],
                            cwd=out, capture_output=True, text=True, env=env, timeout=300)
    assert graded.returncode == 0, graded.stderr
    assert re.search(r"total +100/100", graded.stdout), graded.stdout
    tested = subprocess.run([python, "-I", "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                            cwd=out, capture_output=True, text=True, env=env, timeout=300)
    assert "16 passed" in tested.stdout, tested.stdout[-2000:]
