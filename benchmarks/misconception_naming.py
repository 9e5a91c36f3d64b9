"""How often does the feedback on a wrong submission name its misconception?

Grades every wrong submission of the project's corpus, for both
assignments, each entry's modules beside the reference solutions, under
one or more seeds, and prints per entry the misconception it should be
named with, what the feedback named, and the rates:

- ``misconceptions/<id>/``: should be named ``<id>``;
- ``wrong/<name>/`` and ``families/<name>/``: should be named as the
  corpus' ``expected.json`` says (its ``misconception``; ``family`` is
  which of the families real students write it stands for, also given for
  the ``misconceptions/`` entries that stand for one).

An entry counts as named when, under every seed, some check of its
exercise names the expected misconception.  The rates are given over the
entries without a family (the corpus before the families were added) and,
per family, over the entries that stand for one.

    python benchmarks/misconception_naming.py [--seeds 1] [--workers 2] [--unnamed]

Exit status 0 when every entry is named, 1 when one is not.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.engine.config import Limits  # noqa: E402
from autograder.engine.seed_sweep import Job, sweep  # noqa: E402

CORPUS = ROOT / "tests" / "corpus"
ASSIGNMENTS = {"calculus": (ROOT / "solutions" / "calculus", CORPUS),
               "optimizers": (ROOT / "solutions" / "optimizers", CORPUS / "optimizers")}
KINDS = ("misconceptions", "wrong", "families")
SEED = 20261122
MIB = 1024 ** 2


def expectations(corpus: Path) -> dict[str, dict]:
    """``kind/name`` -> {"misconception": id, "family": text} for every wrong
    entry of one corpus: ``misconceptions/<id>`` is named ``<id>``; the
    others (and the family of the new ones) as ``expected.json`` says."""
    manifest = corpus / "expected.json"
    listed = json.loads(manifest.read_text(encoding="utf-8")) if manifest.is_file() else {}
    out = {}
    for kind in KINDS:
        folder = corpus / kind
        if not folder.is_dir():
            continue
        for entry in sorted(p for p in folder.iterdir() if p.is_dir()):
            key = f"{kind}/{entry.name}"
            said = listed.get(key, {})
            out[key] = {"misconception": entry.name if kind == "misconceptions"
                        else said.get("misconception"), "family": said.get("family", "")}
    return out


def measure(assignment: str, seeds, workers: int) -> list[dict]:
    from autograder.course import assignment as course_assignment
    reference, corpus = ASSIGNMENTS[assignment]
    wanted = expectations(corpus)
    rows = []
    with tempfile.TemporaryDirectory(prefix="naming-") as tmp:
        jobs = []
        for key in wanted:
            entry = corpus / key
            target = Path(tmp) / key
            target.mkdir(parents=True)
            for path in reference.glob("*.py"):
                shutil.copyfile(path, target / path.name)
            modules = sorted(entry.glob("*.py"))
            for path in modules:
                shutil.copyfile(path, target / path.name)
            jobs.append(Job(target, tuple(p.stem for p in modules)))
        limits = Limits(time_seconds=10, memory_bytes=512 * MIB, output_bytes=64 * 1024)
        swept = sweep(jobs, seeds, course_assignment(assignment), workers=workers, limits=limits)
    for key, s in zip(wanted, swept):
        expected = wanted[key]["misconception"]
        named_sets = [{c[4] for c in sig if c[4]} for sig in s.by_signature]
        named = sorted(set().union(*named_sets)) if named_sets else []
        ok = bool(expected) and bool(named_sets) and not s.errors and \
            all(expected in n for n in named_sets) and sum(map(len, s.by_signature.values())) \
            == len(list(seeds))
        rows.append({"assignment": assignment, "entry": key, "expected": expected,
                     "named": named, "ok": ok, "family": wanted[key].get("family", ""),
                     "stable": s.stable})
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1, help="seeds per entry (default 1)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--unnamed", action="store_true", help="list only the entries not named")
    args = parser.parse_args(argv)
    seeds = range(SEED, SEED + args.seeds)
    rows = [r for a in ASSIGNMENTS for r in measure(a, seeds, args.workers)]
    for r in rows:
        if args.unnamed and r["ok"]:
            continue
        mark = "named  " if r["ok"] else "NOT    "
        print(f"{mark} {r['assignment']:10} {r['entry']:55} expected {r['expected'] or '-':32} "
              f"named {', '.join(r['named']) or '-'}{'' if r['stable'] else '  (unstable)'}")

    def rate(selected) -> str:
        n = len(selected)
        k = sum(r["ok"] for r in selected)
        return f"{k}/{n} ({100 * k / n:.0f}%)" if n else "0/0"

    existing = [r for r in rows if not r["family"] or r["entry"].startswith("wrong/")]
    print(f"\nthe corpus without the family entries (both assignments): {rate(existing)}")
    for a in ASSIGNMENTS:
        print(f"  {a}: {rate([r for r in existing if r['assignment'] == a])}")
    new = [r for r in rows if r["family"] and not r["entry"].startswith("wrong/")]
    if new:
        print(f"entries that stand for a family: {rate(new)}")
        by_family = defaultdict(list)
        for r in new:
            by_family[r["family"]].append(r)
        for family, selected in by_family.items():
            print(f"  {family}: {rate(selected)}")
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
