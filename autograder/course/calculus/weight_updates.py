"""Exercise 3, ``weight_updates``: every weight moves by its own gradient
(15 points)."""

from __future__ import annotations

import random

from autograder.engine.families import Parametric, ROUNDED_EXAMPLES, Rounded
from autograder.engine.judging import Mismatch, judge_cases, vector
from autograder.engine.spec import Case, Check, Excuse, Exercise, Lesson, Misconception, Picture, Probe
from autograder.engine.tolerance import Tolerance, fmt, is_close
from autograder.sandbox.protocol import Array, ProbeResult, Tuple, as_float, as_vector, describe

EXAMPLE = ([0.5, -0.5, 0.3], [0.1, -0.2, 0.05], 0.01)

# w − η·g written in any order (η·g or g·η, lists or NumPy) rounds by an ulp;
# the wrong answers differ by whole steps η·g.  (Single precision is held to
# 1e-5 instead: see judging.SINGLE_REL.)
WU_TOLERANCE = Tolerance(1e-9, 1e-12, "one update in any order rounds by an ulp")


def update(w, g, lr, sign=-1.0):
    return [wi + sign * lr * gi for wi, gi in zip(w, g)]


def _random_vectors(rng: random.Random, n: int):
    return ([round(rng.uniform(-2, 2), 4) for _ in range(n)],
            [round(rng.uniform(-1, 1), 4) for _ in range(n)])


# update_weights's kinds of input, each with its share of the check's 7 points.
UW_KINDS = (("lists", 4), ("tuples", 1.5), ("NumPy arrays", 1.5))


def _case(w, g, lr, wrap=list, label="", watch=False):
    args = (wrap(w), wrap(g), lr)
    kind = {list: "lists", _tuple: "tuples", _array: "NumPy arrays"}[wrap]
    return Case((Probe("update_weights", args, watch_args=(0,) if watch else ()),),
                expected=update(w, g, lr), context={"w": w, "g": g, "lr": lr}, label=label,
                kind=kind)


def _array(values):
    return Array(tuple(values))


def _tuple(values):
    return Tuple(tuple(values))


def uw_cases(rng: random.Random) -> list[Case]:
    # Each kind (lists, tuples, arrays) has a case of more than three
    # weights: code right for three weights alone earns no kind's points.
    cases = [_case(*EXAMPLE, label="the contract's example")]
    for n, wrap, label in ((1, list, "one weight"), (4, list, ""), (7, list, ""),
                           (4, _tuple, "tuples"), (5, _array, "NumPy arrays")):
        w, g = _random_vectors(rng, n)
        cases.append(_case(w, g, round(rng.uniform(0.001, 1.0), 4), wrap, label))
    return cases


def _uw_model(fn):
    return lambda case: fn(case.context["w"], case.context["g"], case.context["lr"])


UW_MISCONCEPTIONS = (
    Misconception(
        "wu-ascent", "weights moved along the gradient",
        "Each weight moves against its gradient: wᵢ ← wᵢ − η·gᵢ (minus, not plus).",
        model=_uw_model(lambda w, g, lr: update(w, g, lr, sign=+1.0))),
    Misconception(
        "wu-no-learning-rate", "the learning rate is not used",
        "Scale each gradient by the learning rate: wᵢ − η·gᵢ, not wᵢ − gᵢ.",
        model=_uw_model(lambda w, g, lr: update(w, g, 1.0))),
    Misconception(
        "wu-returns-step", "returned the step instead of the new weights",
        "η·gᵢ is how far a weight moves; return where it ends up: wᵢ − η·gᵢ.",
        model=_uw_model(lambda w, g, lr: [lr * gi for gi in g])),
    Misconception(
        "wu-fixed-length", "written for the example's three weights only",
        "A model may have any number of weights: loop over them (or use a comprehension over "
        "zip(weights, gradients), or NumPy arrays) instead of naming weights[0], weights[1], "
        "weights[2].",
        error_pattern=r"IndexError: .*(index out of range|out of bounds)"),
    Misconception(
        "wu-rounded", "the new weights rounded before they are returned",
        "Return w − η·g as computed: a small η changes a weight in its 4th or 5th digit, and "
        "rounding throws exactly that change away.",
        family=Rounded(examples=ROUNDED_EXAMPLES)),
)


# ---------------------------------------------------------- no mutation

def unchanged_cases(rng: random.Random) -> list[Case]:
    cases = []
    for wrap, label in ((list, "a list"), (_array, "a NumPy array")):
        w, g = _random_vectors(rng, 4)
        case = _case(w, g, round(rng.uniform(0.01, 0.5), 3), wrap, label, watch=True)
        cases.append(Case(case.probes, expected=list(w), context=case.context, label=label))
    return cases


_updated = vector(WU_TOLERANCE, label="index", what="new weights")


class InPlace(list):
    """A model's prediction: the input was overwritten with the update (or,
    as when a list is copied by np.asarray first, left alone)."""


def _same(got, want) -> bool:
    return got is not None and len(got) == len(want) and all(
        is_close(a, b, 0.0, 0.0) for a, b in zip(got, want))


def unchanged_compare(case: Case, results, expected) -> Mismatch | None:
    """The weights passed in are as they were, and the call did its job:
    leaving the input alone scores only with the right new weights
    returned (``return 0.0`` changes nothing, and earns nothing here)."""
    c = case.context
    wrong = _updated(case, results, update(c["w"], c["g"], c["lr"]))
    if wrong is not None:
        return Mismatch(wrong.got, wrong.expected, wrong.table,
                        why="This check counts only when update_weights also returns the new "
                            "weights w − η·g: fix what it returns first.")
    after = results[0].args_after
    got = as_vector(after[0]) if after else None
    if _same(got, expected) or (isinstance(expected, InPlace) and _same(got, case.context["w"])):
        return None
    return Mismatch(f"after the call, the weights passed in were {describe(after[0])}"
                    if after else "the weights passed in could not be read back",
                    "[" + ", ".join(fmt(v) for v in case.context["w"]) + "] (unchanged)",
                    why="Build a new list (or array) for the result; leave `weights` as it was.")


def _in_place_error(case: Case, results) -> bool:
    """A tuple cannot be changed in place: code that updates its input
    raises this on tuples (charged by the check that the input is left
    unchanged)."""
    r = results[0]
    return r.status == "error" and r.error_type == "TypeError" and \
        "does not support item assignment" in r.error_message


IN_PLACE_NOTE = ("Your update_weights changes the weights it is given: that is charged once, "
                 "in the check that it leaves its input unchanged, and not again here.")


UNCHANGED_MISCONCEPTIONS = (
    Misconception(
        "wu-mutates-input", "the caller's weights updated in place",
        "`weights` belongs to the caller: `weights[i] -= ...` or `weights -= ...` on an "
        "array changes it for them too. Compute a new list, e.g. "
        "[w - learning_rate * g for w, g in zip(weights, gradients)].",
        model=_uw_model(lambda w, g, lr: InPlace(update(w, g, lr)))),
)


# -------------------------------------------------------------- sweep

def sweep_cases(rng: random.Random) -> list[Case]:
    specs = [(EXAMPLE[0], EXAMPLE[1], [0.001, 0.01, 0.1, 1.0], "the course's sweep")]
    w, g = _random_vectors(rng, 3)
    specs.append((w, g, sorted(round(rng.uniform(0.001, 2), 4) for _ in range(3)), ""))
    cases = []
    for w, g, rates, label in specs:
        cases.append(Case((Probe("sweep_learning_rates", (w, g, rates)),),
                          expected={r: update(w, g, r) for r in rates},
                          context={"w": w, "g": g, "rates": rates}, label=label))
    return cases


_row = vector(WU_TOLERANCE)


def sweep_compare(case: Case, results, expected) -> Mismatch | None:
    value = results[0].value
    rates = case.context["rates"]
    want = "a dict {learning rate: new weights} with keys " + ", ".join(fmt(r) for r in rates)
    if isinstance(expected, list):   # a model that returns a list of rows
        if value.kind not in ("list", "tuple") or len(value.value) != len(expected):
            return Mismatch(describe(value), want)
        rows = list(zip(value.value, expected))
    else:
        if value.kind != "dict":
            return Mismatch(describe(value), want,
                            why="Return a dict whose keys are the learning rates.")
        got = {}
        for k, v in value.value:
            key = as_float(k)
            if key is None:
                return Mismatch(describe(value), want)
            got[key] = v
        keys = sorted(expected)
        matched = []
        for r in keys:
            hit = next((k for k in got if is_close(k, r)), None)
            if hit is None:
                return Mismatch(f"keys {', '.join(fmt(k) for k in sorted(got))}", want)
            matched.append((got[hit], expected[r]))
        if len(got) != len(keys):
            return Mismatch(f"{len(got)} entries", f"{len(keys)} entries, one per rate")
        rows = matched
    for rate, (got_row, want_row) in zip(rates, rows):
        m = _row(case, [ProbeResult("value", value=got_row)], want_row)
        if m is not None:
            return Mismatch.later(lambda rate=rate, m=m: Mismatch(
                describe(value), want,
                table=f"for learning rate {fmt(rate)}:\n{m.table or m.got}", why=m.why))
    return None


def sweep_in_place(w, g, rates, alias: bool):
    """What a correct sweep returns when update_weights updates the list it
    is given and returns it: each rate's update applied on top of the
    previous ones, every entry the same list at the end (``alias``) or a
    copy taken at each step."""
    current, rows = list(w), []
    for r in rates:
        current = update(current, g, r)
        rows.append(list(current))
    if alias:
        rows = [rows[-1]] * len(rows)
    return {r: row for r, row in zip(rates, rows)}


def _sweep_in_place(case: Case, results) -> bool:
    c = case.context
    return any(sweep_compare(case, results, sweep_in_place(c["w"], c["g"], c["rates"], alias))
               is None for alias in (True, False))


SWEEP_MISCONCEPTIONS = (
    Misconception(
        "sweep-list-not-dict", "a list of results instead of a dict keyed by rate",
        "Map each learning rate to its update: {rate: update_weights(weights, gradients, rate) "
        "for rate in learning_rates}.",
        model=lambda case: [update(case.context["w"], case.context["g"], r)
                            for r in case.context["rates"]]),
    Misconception(
        "sweep-one-rate", "the same learning rate used for every entry",
        "Call update_weights with each rate in turn; every entry should differ.",
        model=lambda case: {r: update(case.context["w"], case.context["g"],
                                      case.context["rates"][0]) for r in case.context["rates"]}),
    Misconception(
        "sweep-cumulative", "each rate applied to the weights the previous rate left",
        "Every learning rate starts from the same original weights: call "
        "update_weights(weights, gradients, rate) with the weights you were given, and do not "
        "assign the result back to `weights` (or update one list in place) inside the loop.",
        family=Parametric(lambda case, how: _carried(case, how), ("chained", "one list"),
                          lambda how: "each entry starts from the previous entry's weights"
                          if how == "chained" else "every entry is the same list, updated by "
                          "every rate in turn",
                          examples=(lambda case: _carried(case, "chained"),
                                    lambda case: _carried(case, "one list")))),
)


PICTURES = "autograder.course.plots"  # where the lesson's pictures are drawn


def _carried(case: Case, how: str) -> dict:
    """What a sweep returns that carries the weights from one rate to the
    next: each entry from the one before (``chained``), or one list updated
    in place by every rate and stored under every key (``one list``)."""
    w, out = list(case.context["w"]), {}
    for r in case.context["rates"]:
        w = update(w, case.context["g"], r)
        out[r] = w
    if how == "one list":
        out = {r: w for r in out}
    return out


# What the exercise's notebook teaches (the classroom); its hints are also
# what hint("<function>") says.
LESSON = Lesson(
    intro="""\
# 3. Updating many weights

A model has many weights, and gradient descent moves each of them against
its own slope, all with the same learning rate:

$$w_i \\leftarrow w_i - \\eta\\, g_i.$$

With weights $[0.5, -0.5, 0.3]$, gradients $[0.1, -0.2, 0.05]$ and
$\\eta = 0.01$ the new weights are $[0.499, -0.498, 0.2995]$. Trying
$\\eta = 0.001, 0.01, 0.1, 1$ shows how the learning rate scales the size
of the change.""",
    before={
        "update_weights": """\
## One update

Return the new weights and leave the list you were given as it was: the
caller may still need the old weights.""",
        "sweep_learning_rates": """\
## Several learning rates side by side

Map each learning rate to the weights one update with that rate would
give.""",
    },
    hints={  # a nudge first, then more; never the answer (tests/test_course.py)
        "update_weights": (
            "Every weight moves on its own, by its own gradient, in the direction that "
            "lowers the loss.",
            "Pair each weight with the gradient in the same position: the new weight is "
            "the old one minus the learning rate times that gradient, one entry per "
            "weight.",
            "Make a new sequence and leave the one you were given as it was: the caller "
            "still needs the old weights. Lists, tuples and NumPy arrays all come in.",
        ),
        "sweep_learning_rates": (
            "This is update_weights tried once for each learning rate, each time from the "
            "same starting weights.",
            "Build a dictionary whose keys are the rates and whose values are what "
            "update_weights gives for that rate. Every rate starts from the original "
            "weights, never from the previous rate's result.",
        ),
    },
    pictures={
        "sweep_learning_rates": Picture(
            "show_weight_sweep", ("sweep_learning_rates",), PICTURES,
            "Your sweep beside the reference: every rate starts from the same weights, "
            "and the change of each weight is the rate times its gradient."),
    },
    on_failure={
        "sweep_learning_rates": Picture("show_weight_sweep", ("sweep_learning_rates",),
                                        PICTURES),
    },
)


EXERCISE = Exercise(
    module="weight_updates",
    title="Weight updates with a learning rate",
    checks=(
        Check("update_weights computes w - lr*g", "update_weights", 7, uw_cases, judge_cases,
              compare=vector(WU_TOLERANCE), misconceptions=UW_MISCONCEPTIONS, kinds=UW_KINDS,
              excuses=(Excuse(_in_place_error, IN_PLACE_NOTE, misconception="wu-mutates-input"),)),
        Check("update_weights leaves its input unchanged", "update_weights", 3,
              unchanged_cases, judge_cases, compare=unchanged_compare,
              misconceptions=UNCHANGED_MISCONCEPTIONS),
        Check("sweep_learning_rates maps each rate to its update", "sweep_learning_rates", 5,
              sweep_cases, judge_cases, compare=sweep_compare,
              misconceptions=SWEEP_MISCONCEPTIONS, depends_on=("update_weights",),
              excuses=(Excuse(_sweep_in_place, IN_PLACE_NOTE.replace(
                  "not again here", "not again here (each rate's update landed on the "
                  "weights the previous one left)"), misconception="wu-mutates-input"),)),
    ),
    lesson=LESSON,
)
