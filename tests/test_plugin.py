"""The pytest plugin, driven end to end: one item per check, the feedback
without the grader's traceback, and the score table at the end."""

import pytest

from conftest import EXERCISES, SOLUTIONS

pytest_plugins = ["pytester"]


def test_solutions_pass_every_check(pytester):
    result = pytester.runpytest_subprocess("--submission", str(SOLUTIONS), "-p", "no:cacheprovider")
    result.assert_outcomes(passed=16)
    result.stdout.fnmatch_lines(["*score*", "*derivatives*25/25*", "total*100/100*"])


def test_stubs_fail_as_not_attempted_without_tracebacks(pytester):
    result = pytester.runpytest_subprocess("--submission", str(EXERCISES), "-p", "no:cacheprovider")
    result.assert_outcomes(failed=16)
    text = result.stdout.str()
    assert "[not attempted] derivatives.df" in text
    assert "total                  0/100" in text
    assert "Traceback" not in text and "autograder/" not in text


def test_feedback_of_a_wrong_submission(pytester, submission):
    wrong = submission({"neuron": (SOLUTIONS / "neuron.py").read_text()
                        .replace("1.0 / (1.0 + np.exp(-z))", "1.0 / (1.0 + np.exp(z))")})
    result = pytester.runpytest_subprocess("--submission", str(wrong), "--grader-seed", "3")
    text = result.stdout.str()
    assert "[wrong] neuron.sigmoid" in text
    assert "the exponent is minus z" in text          # the misconception's hint
    assert "seed 3" in text


def test_the_plugin_stays_out_of_ordinary_test_runs(pytester):
    pytester.makepyfile(test_plain="def test_one():\n    assert True\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert "grading:" not in result.stdout.str()


def test_a_folder_without_modules_is_a_usage_error(pytester, tmp_path):
    result = pytester.runpytest_subprocess("--submission", str(tmp_path))
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
    result = pytester.runpytest_subprocess("--submission", str(SOLUTIONS),
                                           "--grader-timeout", "abc", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--grader-timeout: *"])
    assert "--timeout:" not in result.stderr.str()
