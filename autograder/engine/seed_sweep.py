"""The same code must get the same grade under every seed.

The hidden inputs are drawn from the seed; the grade of one submission must
not be.  :func:`sweep` grades each submission under many seeds, in a pool
of processes that each keep one fork server (as class grading does), and
groups the seeds by what they gave: per check, its outcome, its score and
the misconception it named.  A submission is *stable* when every seed gave
the same.  Each submission is graded under all the seeds in one go (one
worker per exercise runs the probes of every seed; a seed cut short by
another's hang or crash is graded again); each seed's cases are judged on
their own.

The project's tests sweep every submission of ``tests/corpus/``;
``benchmarks/seed_sweep.py`` sweeps any folder of submissions, for an
instructor who wants to check their own before trusting a new term's seed.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from autograder.engine.config import Limits
from autograder.engine.outcomes import SubmissionResult

UNSETTLED = "unsettled"

# (module, check name, outcome, score, misconception) per check.
Signature = tuple[tuple[str, str, str, float, "str | None"], ...]


def signature(result: SubmissionResult) -> Signature:
    """What must not depend on the seed: per check, outcome, score and the
    misconception named."""
    return tuple((c.exercise, c.name, c.outcome.value, c.score, c.verdict.misconception)
                 for e in result.exercises for c in e.checks)


@dataclass(frozen=True)
class Job:
    """One submission to sweep; ``only`` limits it to some exercises."""
    submission: Path
    only: tuple[str, ...] | None = None


@dataclass
class Swept:
    """The seeds a submission was graded with, grouped by what they gave."""
    job: Job
    by_signature: dict[Signature, list[int]] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)   # seed -> why it could not be graded
    # Seeds left unsettled: another seed's hang took their results, and
    # settling them one by one would cost a time budget each (runner.grade_seeds).
    unsettled: list[int] = field(default_factory=list)

    @property
    def stable(self) -> bool:
        """Every seed that was settled gave the same grade."""
        return len(self.by_signature) <= 1 and not self.errors

    @property
    def settled(self) -> int:
        return sum(len(s) for s in self.by_signature.values())

    @property
    def seeds(self) -> int:
        return self.settled + len(self.errors) + len(self.unsettled)

    def describe(self) -> str:
        """What differs between the seeds, check by check."""
        left = (f"; {len(self.unsettled)} left unsettled (it hangs: each would cost a "
                f"time budget)" if self.unsettled else "")
        if self.stable:
            return f"{self.job.submission}: the same under all {self.settled} seeds settled{left}"
        lines = [f"{self.job.submission}: {len(self.by_signature)} different grades "
                 f"over {self.seeds} seeds{left}"]
        groups = sorted(self.by_signature.items(), key=lambda kv: -len(kv[1]))
        first = groups[0][0]
        for sig, seeds in groups[1:]:
            shown = ", ".join(map(str, seeds[:5])) + (", ..." if len(seeds) > 5 else "")
            lines.append(f"  under {len(seeds)} seed(s) ({shown}) instead of the "
                         f"{len(groups[0][1])} others:")
            for a, b in zip(first, sig):
                if a != b:
                    lines.append(f"    {a[0]}: {a[1]}: {a[2]} {a[3]:g} ({a[4] or '-'}) "
                                 f"-> {b[2]} {b[3]:g} ({b[4] or '-'})")
        for seed, why in list(self.errors.items())[:5]:
            lines.append(f"  seed {seed}: could not be graded: {why}")
        return "\n".join(lines)




# The exercises a pool process grades: set once in each by the pool's
# initializer (exercises hold functions that do not pickle; the forked
# process inherits them instead).
_EXERCISES = None


def _use_exercises(exercises) -> None:
    global _EXERCISES
    _EXERCISES = exercises


def _grade_job(job: Job, seeds: Sequence[int], limits: Limits,
               exercises=None) -> list[tuple[Signature | None, str]]:
    """One submission under every seed, in one worker per exercise
    (``exercises``: in a pool process, those its initializer set)."""
    from autograder.engine.runner import SubmissionError, grade_seeds
    from autograder.sandbox.client import process_sandbox
    try:
        results = grade_seeds(job.submission, exercises or _EXERCISES, seeds, limits=limits,
                              only=job.only, sandbox=process_sandbox())
    except SubmissionError as exc:
        return [(None, str(exc))] * len(seeds)
    return [(None, UNSETTLED) if r is None else (signature(r), "") for r in results]


def sweep(jobs: Iterable[Job], seeds: Iterable[int], exercises, *,
          workers: int | None = None, limits: Limits = Limits(),
          progress: bool = False) -> list[Swept]:
    """Grade every job under every seed; one result per job, in order.

    Each job is graded under all the seeds at once (:func:`runner.grade_seeds`:
    one worker per exercise runs every seed's probes, so the seeds share the
    exercise's time budget), the jobs spread over ``workers`` processes.
    ``exercises``: the assignment (or its exercises) the jobs hand in."""
    from autograder.engine.runner import as_exercises
    exercises = as_exercises(exercises)
    jobs, seeds = list(jobs), list(seeds)
    swept = [Swept(job) for job in jobs]
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs) or 1))
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=len(jobs), unit="submission", desc="sweeping", dynamic_ncols=True)

    def record(s: Swept, outcomes) -> None:
        for seed, (sig, error) in zip(seeds, outcomes):
            if error == UNSETTLED:
                s.unsettled.append(seed)
            elif sig is None:
                s.errors[seed] = error
            else:
                s.by_signature.setdefault(sig, []).append(seed)
        if bar:
            bar.update()

    try:
        if workers == 1:
            for s in swept:
                record(s, _grade_job(s.job, seeds, limits, exercises))
        else:
            import multiprocessing
            with ProcessPoolExecutor(max_workers=workers,
                                     mp_context=multiprocessing.get_context("fork"),
                                     initializer=_use_exercises,
                                     initargs=(exercises,)) as pool:
                futures = {pool.submit(_grade_job, s.job, seeds, limits): s for s in swept}
                for future in as_completed(futures):
                    record(futures[future], future.result())
    finally:
        if bar:
            bar.close()
    return swept
