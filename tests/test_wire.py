"""What crosses back from the worker is read as untrusted data: values by
exact shape, expression trees only from whitelisted nodes and bounded."""

import json

import pytest
import sympy

from autograder.engine.expressions import TreeError, rebuild_tree
from autograder.sandbox.protocol import Malformed, as_float, as_vector, decode_value, read_lines

x = sympy.Symbol("x")


def test_trees_rebuild_to_the_same_expression():
    from autograder.sandbox.worker import expr_to_tree
    for expr in (9 * x**2 - 4 * x + 1, x * (9 * x - 4) + 1, sympy.sin(x) / 3 + sympy.exp(-x),
                 sympy.Rational(1, 3) * x**sympy.Rational(5, 2), sympy.pi * x + sympy.E,
                 sympy.Float(0.25) * x):
        assert rebuild_tree(expr_to_tree(expr, sympy)) == expr


@pytest.mark.parametrize("tree, message", [
    (["Symbol", "y"], "symbol other than x"),
    (["Integer", "9" * 40], "too large"),
    (["Pow", ["Integer", "2"], ["Integer", "100000"]], "exponent is too large"),
    (["Function", "__import__('os')"], "unknown expression node"),
    (["?", "Integral"], "cannot read"),
    ("9*x**2", "malformed"),
    (["Rational", "1", "0"], "zero denominator"),
])
def test_hostile_or_unreadable_trees_are_refused(tree, message):
    with pytest.raises(TreeError, match=message):
        rebuild_tree(tree)


def test_deep_and_wide_trees_are_bounded():
    deep = ["Symbol", "x"]
    for _ in range(500):
        deep = ["sin", deep]
    with pytest.raises(TreeError, match="too large"):
        rebuild_tree(deep)
    wide = ["Add"] + [["Symbol", "x"]] * 10_000
    with pytest.raises(TreeError, match="too large"):
        rebuild_tree(wide)


def test_values_decode_by_exact_shape():
    assert as_float(decode_value(2.5)) == 2.5
    assert as_float(decode_value({"$np": "float64", "v": 1.0})) == 1.0
    assert as_vector(decode_value({"$tuple": [1, 2.0]})) == [1.0, 2.0]
    assert as_vector(decode_value({"$array": [[1.0]], "shape": [1, 1]})) is None
    assert as_float(decode_value({"$bool": True})) is None       # True is not a number here
    assert as_float(decode_value({"$other": "Cheater"})) is None
    with pytest.raises(Malformed):
        decode_value({"$np": "float64", "v": "29"})
    with pytest.raises(Malformed):
        decode_value([1, 2])


def test_forged_or_broken_lines_spoil_only_themselves():
    lines = [json.dumps({"masked": True, "gaps": ["ipc", "<b>", 3]}),
             json.dumps({"masked": True, "gaps": ["network"]}),   # only the first counts
             json.dumps({"imported": True}),
             json.dumps({"i": 0, "value": 1.0}),
             "{not json", json.dumps({"i": 1, "value": {"$np": 3}}),
             json.dumps({"i": 0, "value": 99.0}),          # a second answer for probe 0
             json.dumps({"i": 7, "value": 1.0}),           # a probe that does not exist
             json.dumps({"i": 2, "error": {"type": "ValueError", "message": "m", "line": 3}})]
    report = read_lines(lines, 3)
    assert report.imported and report.masked and report.gaps == ("ipc",)
    assert as_float(report.results[0].value) == 1.0
    assert 1 not in report.results and 7 not in report.results
    assert report.results[2].error_text() == "ValueError: m (line 3)"
    assert report.malformed == 2
