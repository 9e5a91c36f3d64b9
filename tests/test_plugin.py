"""The pytest plugin, driven end to end: one item per check, the feedback
without the grader's traceback, and the score table at the end."""

import re

import pytest

from conftest import EXERCISES, SOLUTIONS

pytest_plugins = ["pytester"]

# The runs through pytester are in this process (each pytest start would
# cost a second of CPU); the tests of pytest where the student is, below,
# and test_plain_pytest_in_the_repository_grades_the_exercises run pytest
# as a process of its own, as a student does.


def test_solutions_pass_every_check(pytester):
    result = pytester.runpytest_inprocess("--submission", str(SOLUTIONS), "-p", "no:cacheprovider")
    result.assert_outcomes(passed=16)
    result.stdout.fnmatch_lines(["*score*", "*derivatives*25/25*", "total*100/100*"])


def test_stubs_fail_as_not_attempted_without_tracebacks(pytester):
    result = pytester.runpytest_inprocess("--submission", str(EXERCISES), "-p", "no:cacheprovider")
    result.assert_outcomes(failed=16)
    text = result.stdout.str()
    assert "[not attempted] derivatives.df" in text
    assert "total                  0/100" in text
    assert "Traceback" not in text and "autograder/" not in text


def test_feedback_of_a_wrong_submission(pytester, submission):
    wrong = submission({"neuron": (SOLUTIONS / "neuron.py").read_text()
                        .replace("1.0 / (1.0 + np.exp(-z))", "1.0 / (1.0 + np.exp(z))")})
    result = pytester.runpytest_inprocess("--submission", str(wrong), "--grader-seed", "3")
    text = result.stdout.str()
    assert "[wrong] neuron.sigmoid" in text
    assert "the exponent is minus z" in text          # the misconception's hint
    assert "seed 3" in text


def test_the_plugin_stays_out_of_ordinary_test_runs(pytester):
    pytester.makepyfile(test_plain="def test_one():\n    assert True\n")
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert "grading:" not in result.stdout.str()


def test_a_folder_without_modules_is_a_usage_error(pytester, tmp_path):
    result = pytester.runpytest_inprocess("--submission", str(tmp_path))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "holds none of" in result.stderr.str()


def test_plain_pytest_in_the_repository_grades_the_exercises():
    import subprocess
    import sys

    from conftest import ROOT
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 1
    assert "16 failed" in run.stdout
    assert "not attempted: edit exercises/calculus/neuron.py" in run.stdout
    assert "Traceback" not in run.stdout


def test_a_bad_limit_names_the_flag_that_was_typed(pytester):
    """pytest-timeout owns --timeout: an error about the grader's own
    option must name --grader-timeout, the flag the user gave."""
    result = pytester.runpytest_inprocess("--submission", str(SOLUTIONS),
                                           "--grader-timeout", "abc", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--grader-timeout: *"])
    assert "--timeout:" not in result.stderr.str()


# ------------------------------------------------- pytest where the student is

def _bare_pytest(folder, *args, timeout=300):
    import subprocess
    import sys
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
                          cwd=folder, capture_output=True, text=True, timeout=timeout)


def test_bare_pytest_in_a_folder_of_modules_grades_them(tmp_path):
    """A student who copied the exercises folder runs plain `pytest` in it:
    it grades the folder (not "no tests ran"), and --seed means what it
    means for `grade`."""
    import shutil
    folder = tmp_path / "mine"
    shutil.copytree(EXERCISES, folder)
    shutil.copyfile(SOLUTIONS / "derivatives.py", folder / "derivatives.py")
    run = _bare_pytest(folder, "--seed", "5")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "3 passed" in run.stdout and "13 failed" in run.stdout
    assert "[not attempted] neuron.sigmoid" in run.stdout
    assert "seed 5; regrade with --seed 5" in run.stdout
    assert re.search(r"^derivatives +25/25 +all checks passed$", run.stdout, re.M)
    # --grader-seed is the same option.
    again = _bare_pytest(folder, "--grader-seed", "5")
    assert "seed 5; regrade with --seed 5" in again.stdout


def test_a_folder_with_its_own_tests_is_left_to_them(tmp_path):
    """Modules beside the user's own test files: pytest runs those tests,
    and the grader stays out."""
    import shutil
    folder = tmp_path / "project"
    shutil.copytree(SOLUTIONS, folder)
    (folder / "test_mine.py").write_text("from derivatives import df\n\n"
                                         "def test_df():\n    assert df(2) == 29\n")
    run = _bare_pytest(folder)
    assert run.returncode == 0, run.stdout
    assert "1 passed" in run.stdout and "grading:" not in run.stdout


def test_no_tests_in_a_folder_of_modules_says_what_to_run(tmp_path):
    """`pytest derivatives.py` collects nothing: one line says how to
    grade the folder."""
    import shutil
    folder = tmp_path / "mine"
    shutil.copytree(EXERCISES, folder)
    run = _bare_pytest(folder, "derivatives.py")
    assert run.returncode == pytest.ExitCode.NO_TESTS_COLLECTED
    assert (". holds the calculus modules: grade them with `pytest --submission .` "
            "(or `python -m autograder grade .`)") in run.stdout


def test_another_plugins_seed_flag_is_left_to_it(pytester):
    """Where another plugin has --seed, the grader's stays --grader-seed,
    and both work."""
    pytester.makepyfile(seedplugin='''
def pytest_addoption(parser):
    parser.addoption("--seed", dest="other_seed")

def pytest_report_header(config):
    return [f"other seed: {config.getoption('other_seed')}"]
''')
    pytester.syspathinsert()
    result = pytester.runpytest_inprocess("-p", "seedplugin", "--submission", str(SOLUTIONS),
                                           "--seed", "9", "--grader-seed", "3",
                                           "-p", "no:cacheprovider")
    result.assert_outcomes(passed=16)
    result.stdout.fnmatch_lines(["other seed: 9", "*seed 3; regrade with --grader-seed 3*"])
