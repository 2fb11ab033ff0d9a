"""Run every bench in one go, then render BENCHMARKS.md.

    python -m bench.run [--quick]

``--quick`` uses small sizes so the whole run takes a few minutes (a check that the
scripts work, not figures to commit): its results go to var/bench/quick-results and
BENCHMARKS.md is left alone.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from bench.measure import CACHE, ROOT

# The targets' benches first; the ANN sweep (about half an hour at 1M) last.
FULL: tuple[tuple[str, ...], ...] = (
    ("bench.lookup",),
    ("bench.http",),
    ("bench.startup",),
    ("bench.peer",),
    ("bench.encode", "--fresh-export"),
    ("bench.build",),
    ("bench.visibility",),
    ("bench.writes",),
    ("bench.recovery",),
    ("bench.speakers",),
    ("bench.soak",),
    ("bench.ann",),
)
QUICK: tuple[tuple[str, ...], ...] = (
    ("bench.encode", "--rounds", "1", "--batch-count", "128", "--agreement-quotes", "300"),
    ("bench.ann", "--vectors", "20000", "--sample", "2000", "--queries", "200"),
    ("bench.lookup", "--quotes", "10000", "--queries", "60"),
    ("bench.http", "--quotes", "10000", "--queries", "60", "--seconds", "3"),
    ("bench.build", "--quotes", "200"),
    ("bench.startup", "--quotes", "10000"),
    ("bench.peer", "--quotes", "500", "--queries", "60"),
    ("bench.visibility", "--writes", "5"),
    ("bench.writes", "--quotes", "2000", "--writes", "5", "--lookups", "30"),
    ("bench.recovery", "--rows", "20"),
    ("bench.speakers", "--sizes", "500", "1000"),
    ("bench.soak", "--seconds", "70", "--probe", "5"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", nargs="*", default=None, help="module names to run")
    args = parser.parse_args()
    failed = []
    env = dict(os.environ)
    if args.quick:
        env["WHOSAID_BENCH_RESULTS"] = str(CACHE / "quick-results")
    for module, *options in QUICK if args.quick else FULL:
        if args.only and module.removeprefix("bench.") not in args.only:
            continue
        start = time.perf_counter()
        print(f"== {module} {' '.join(options)}", file=sys.stderr, flush=True)
        done = subprocess.run(
            [sys.executable, "-m", module, *options], cwd=ROOT, env=env, check=False
        )
        print(
            f"== {module}: exit {done.returncode} in {time.perf_counter() - start:.0f} s",
            file=sys.stderr,
        )
        if done.returncode != 0:
            failed.append(module)
    if not args.quick:
        subprocess.run([sys.executable, "-m", "bench.report"], cwd=ROOT, check=True)
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
