"""FSRS benchmark (`nox -s bench`): default vs per-user fitted parameters on a
real review log (../shared/data/review-log-anki-user.csv, 12,580 reviews).

The log is split by time: the earlier 80% of reviews (by review_time) are the
training set; personal parameters are fitted on them with fsrs-rs-python
(``aksio.assessments.optimizer.fit_parameters``). The later 20% are scored:
each one that is not its card's first review gets a predicted recall
probability from the card's state just before it (its earlier reviews, on
either side of the split, replayed through the product's scheduler), and is
compared with the outcome (rating > 1). Reported: log loss and RMSE over 20
equal-width probability bins, for default and fitted parameters, their ratio
(fitted / default, below 1 is better), and fit time, on two subsets:
``long_term`` (reviews on a later UTC day than the card's previous one, what
FSRS models and what the FSRS benchmark scores: the headline figure) and
``all`` (also same-day learning-step reviews, which the forgetting curve
predicts poorly with either parameter set).

Results: a table on stdout and build/bench/fsrs_fit.json. Exits non-zero only
on errors (missing data, failed fit).

Usage: ``python bench/fsrs_fit.py [--data PATH] [--train-fraction 0.8]``
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "shared"))

from aksio.assessments.optimizer import (  # noqa: E402
    RMSE_BINS,
    ReviewRecord,
    evaluate,
    fit_parameters,
)
from aksio.assessments.scheduling import DEFAULT_PARAMETERS  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "review-log-anki-user.csv"
OUT = ROOT / "build" / "bench" / "fsrs_fit.json"


def load(path: Path) -> list[ReviewRecord]:
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [
        ReviewRecord(
            card_id=row["card_id"],
            rating=int(row["review_rating"]),
            reviewed_at=datetime.fromisoformat(row["review_time"]),
            duration_ms=int(row["review_duration"]) if row["review_duration"] else None,
        )
        for row in rows
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--train-fraction", type=float, default=0.8)
    args = parser.parse_args(argv)

    reviews = sorted(load(args.data), key=lambda r: r.reviewed_at)
    split = int(len(reviews) * args.train_fraction)
    train, test = reviews[:split], reviews[split:]

    started = time.perf_counter()
    fitted = fit_parameters(train)
    fit_seconds = time.perf_counter() - started
    if fitted is None:
        print("fit_parameters returned None: too few reviews to fit", file=sys.stderr)
        return 1

    started = time.perf_counter()
    scores = {
        subset: {
            "default": evaluate(None, train, test, long_term_only=long_term),
            "fitted": evaluate(fitted, train, test, long_term_only=long_term),
        }
        for subset, long_term in (("long_term", True), ("all", False))
    }
    eval_seconds = time.perf_counter() - started

    result: dict[str, Any] = {
        "data": str(args.data),
        "reviews": len(reviews),
        "cards": len({r.card_id for r in reviews}),
        "train_reviews": len(train),
        "test_reviews": len(test),
        "split_at": test[0].reviewed_at.isoformat() if test else None,
        "rmse_bins": RMSE_BINS,
        "fit_seconds": fit_seconds,
        "evaluate_seconds": eval_seconds,
        "default_parameters": list(DEFAULT_PARAMETERS),
        "fitted_parameters": fitted,
    }
    print(
        f"FSRS fit: {len(train)} train / {len(test)} test reviews, "
        f"split at {result['split_at']}, fit {fit_seconds:.2f} s, evaluate {eval_seconds:.2f} s"
    )
    for subset, pair in scores.items():
        d, f = pair["default"], pair["fitted"]
        ratio = {"log_loss": f.log_loss / d.log_loss, "rmse_bins": f.rmse_bins / d.rmse_bins}
        result[subset] = {
            "scored_reviews": d.count,
            "default": {"log_loss": d.log_loss, "rmse_bins": d.rmse_bins},
            "fitted": {"log_loss": f.log_loss, "rmse_bins": f.rmse_bins},
            "ratio_fitted_to_default": ratio,
        }
        print(f"\n{subset} ({d.count} scored test reviews)")
        print(f"{'parameters':<10} {'log loss':>9} {'RMSE(bins)':>11}")
        print(f"{'default':<10} {d.log_loss:>9.4f} {d.rmse_bins:>11.4f}")
        print(f"{'fitted':<10} {f.log_loss:>9.4f} {f.rmse_bins:>11.4f}")
        print(f"{'ratio':<10} {ratio['log_loss']:>9.3f} {ratio['rmse_bins']:>11.3f}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\n-> {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
