"""Recovery: time to ready after a crash with journal rows past the last checkpoint.

A server killed with SIGKILL restarts by loading its index folder, replaying the journal rows
the folder lacks, and checkpointing them (:meth:`index.live.live.LiveIndex.open`); readiness
waits for all three. Here, in one process and with the real model: the seeds' index folder,
and a journal holding ``N`` articles of :func:`bench.corpus.articles` (four quotes each) that
the folder has not seen, as a kill right after acknowledging them leaves it. The restart is
timed in parts: analysis (spaCy), embedding, grouping (the incremental grouping's add), the
checkpoint, and the rest (loading, speakers, terms).

    python -m bench.recovery [--rows 100 1000]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.measure import ROOT, machine, write_result

TARGET_S = 5.0
TARGET_ROWS = 1000
PARTS = ("analyse", "embed", "group", "checkpoint")


@contextmanager
def timed(owner: Any, name: str, part: str, spent: dict[str, float]) -> Iterator[None]:
    """Add the time spent in ``owner.name`` to ``spent[part]`` while the block runs."""
    original: Callable[..., Any] = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[part] = spent.get(part, 0.0) + time.perf_counter() - start

    setattr(owner, name, wrapper)
    try:
        yield
    finally:
        setattr(owner, name, original)


def restart(base: Path, rows: int, embedder: Any, work: Path) -> dict[str, Any]:
    from bench.corpus import articles
    from index.analyse import pipeline
    from index.group.incremental import IncrementalGrouping
    from index.live import live, writes
    from index.live.journal import Journal
    from index.models import Article

    shutil.copytree(base, work / "index")
    journal = Journal(work / "journal.sqlite3")
    for line in list(articles(rows * 4, per_article=4))[:rows]:
        article = Article(
            id=line.id, outlet=line.outlet, title=line.title, text=line.text,
            published=line.published,
        )  # fmt: skip
        journal.record(puts=[article])
    journal.close()
    spent: dict[str, float] = {}
    with (
        timed(pipeline, "analyse", "analyse", spent),
        timed(writes, "embed_texts", "embed", spent),
        timed(IncrementalGrouping, "add", "group", spent),
        timed(live.LiveIndex, "checkpoint", "checkpoint", spent),
    ):
        start = time.perf_counter()
        index = live.LiveIndex.open(
            work / "index", journal=work / "journal.sqlite3", embedder=embedder
        )
        total = time.perf_counter() - start
    seq = index.seq
    index.close()
    found: dict[str, Any] = {"rows": rows, "journal_seq": seq, "ready_s": round(total, 2)}
    found.update({f"{part}_s": round(spent.get(part, 0.0), 2) for part in PARTS})
    found["rest_s"] = round(total - sum(spent.get(part, 0.0) for part in PARTS), 2)
    found["share"] = {part: round(spent.get(part, 0.0) / total, 3) for part in PARTS}
    return found


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="recovery benchmark")
    parser.add_argument("--rows", type=int, nargs="+", default=[100, TARGET_ROWS])
    args = parser.parse_args(argv)
    from index.articles import load_folder
    from index.build import build_index
    from index.embed.choice import DEFAULT, DEFAULT_CACHE, for_build

    result: dict[str, Any] = {"bench": "recovery", "machine": machine(), "rows": []}
    embedder = for_build(DEFAULT, None, DEFAULT_CACHE)
    with tempfile.TemporaryDirectory(prefix="whosaid-recovery-") as tmp:
        base = Path(tmp) / "base"
        build_index(load_folder(ROOT / "seeds"), base, embedder, progress=False)
        for rows in args.rows:
            work = Path(tmp) / f"rows-{rows}"
            work.mkdir()
            result["rows"].append(restart(base, rows, embedder, work))
            print(result["rows"][-1], flush=True)
    write_result("recovery", result)


def section(r: dict[str, Any]) -> str:
    """BENCHMARKS.md's recovery section."""
    from bench.report import _when

    lines = [
        "## Recovery after a crash",
        "",
        "`python -m bench.recovery`: restart to ready with journal rows past the last "
        "checkpoint (seeds index, real model; each row an article of four quotes), in parts.",
        "",
        "| rows | ready s | analyse s | embed s | group s | checkpoint s | rest s |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in r["rows"]:
        lines.append(
            f"| {row['rows']} | {row['ready_s']} | {row['analyse_s']} | {row['embed_s']} | "
            f"{row['group_s']} | {row['checkpoint_s']} | {row['rest_s']} |"
        )
    lines += [
        "",
        _when(r),
        "",
        f"The target (ready in under {TARGET_S:g} s with {TARGET_ROWS} rows) is not met: a "
        "replay analyses every row again with spaCy and embeds its quotes, work the write "
        "already did when it acknowledged the row. Keeping each row's analysis in the journal "
        "would leave the replay the grouping and the checkpoint.",
        "",
        "Grouping's part, measured back to back at 1,000 rows with the code before the link "
        "floor (grouping compares two quotes' words only when their vectors are close enough "
        "for a link rule): 13.4 s → 8.7 s, 0.50 → 0.34 of the analysis time in each run.",
    ]
    return "\n".join(lines)


def targets(r: dict[str, Any]) -> list[list[Any]]:
    """The recovery target's row of BENCHMARKS.md's targets table."""
    rows = [row for row in r["rows"] if row["rows"] == TARGET_ROWS]
    if not rows:
        return []
    ready = rows[0]["ready_s"]
    return [
        [
            f"restart to ready with {TARGET_ROWS} journal rows past the checkpoint "
            f"< {TARGET_S:g} s",
            f"{ready} s",
            "met" if ready < TARGET_S else "not met",
        ]
    ]


if __name__ == "__main__":
    main()
