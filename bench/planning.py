"""Study plan benchmark (`nox -s bench`): time to generate a plan.

Two cases from issue #5: 20 sections over 90 days (target: under 200 ms) and
60 sections over 365 days (no target of its own in the issue; reported against
the same 200 ms). Each course is made from a fixed seed (section sizes of
1,000-15,000 words or 5-60 pages, random difficulty and weakness), with a
realistic week (weekday evenings, a longer Saturday, a free Sunday) and some
blackout dates, so every run plans the same input. Generation
(``aksio.learning.planning.generate_plan``, including input validation) is
timed over repeated runs after one warm-up; the median and p90 are reported,
and every plan is checked with ``aksio.learning.constraints.check``.

Results: a table on stdout and build/bench/planning.json. Exits non-zero when
a plan breaks a constraint or a median misses its target.

Usage: ``python bench/planning.py [--repeats 25]``
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "shared"))

from aksio.learning.constraints import check  # noqa: E402
from aksio.learning.planning import PlanRequest, SectionInput, generate_plan  # noqa: E402

OUT = ROOT / "build" / "bench" / "planning.json"
TARGET_MS = 200.0
CASES = ((20, 90), (60, 365))
START = date(2026, 1, 5)
WEEK = {
    "monday": 90,
    "tuesday": 60,
    "wednesday": 90,
    "thursday": 60,
    "friday": 45,
    "saturday": 180,
    "sunday": 0,
}


def make_request(sections: int, days: int, seed: int = 5) -> PlanRequest:
    rnd = random.Random(seed)
    course = []
    for i in range(sections):
        by_words = rnd.random() < 0.7
        course.append(
            SectionInput(
                section_id=f"s{i:03d}",
                title=f"Chapter {i + 1}",
                words=rnd.randint(1_000, 15_000) if by_words else None,
                pages=None if by_words else rnd.randint(5, 60),
                difficulty=rnd.random(),
                weakness=rnd.random() * 0.6,
            )
        )
    blackouts = frozenset(START + timedelta(days=rnd.randrange(days)) for _ in range(days // 15))
    return PlanRequest(
        start_date=START,
        exam_date=START + timedelta(days=days),
        availability=WEEK,
        sections=course,
        blackout_dates=blackouts,
        preferred_session_minutes=45,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=25)
    args = parser.parse_args(argv)

    failed = False
    rows: list[dict[str, Any]] = []
    for sections, days in CASES:
        request = make_request(sections, days)
        plan = generate_plan(request)  # warm-up, and the plan to check
        violations = check(request, plan)
        timings = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            generate_plan(request)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        median = statistics.median(timings)
        row = {
            "sections": sections,
            "days": days,
            "repeats": args.repeats,
            "median_ms": median,
            "p90_ms": timings[min(len(timings) - 1, int(len(timings) * 0.9))],
            "target_ms": TARGET_MS,
            "ratio_to_target": median / TARGET_MS,
            "sessions": len(plan.sessions),
            "unscheduled_sections": len(plan.unscheduled),
            "violations": len(violations),
        }
        rows.append(row)
        failed |= bool(violations) or median > TARGET_MS
        for v in violations[:5]:
            print(f"violation ({sections}x{days}): {v.rule}: {v.message}", file=sys.stderr)

    print(f"Plan generation, median of {args.repeats} runs (target {TARGET_MS:.0f} ms)")
    print(
        f"{'sections':>8} {'days':>5} {'median ms':>10} {'p90 ms':>8} {'ratio':>7} "
        f"{'sessions':>9} {'unsched.':>9} {'violations':>10}"
    )
    for r in rows:
        print(
            f"{r['sections']:>8} {r['days']:>5} {r['median_ms']:>10.2f} {r['p90_ms']:>8.2f} "
            f"{r['ratio_to_target']:>7.3f} {r['sessions']:>9} {r['unscheduled_sections']:>9} "
            f"{r['violations']:>10}"
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"target_ms": TARGET_MS, "cases": rows}, indent=2) + "\n")
    print(f"\n-> {OUT.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
