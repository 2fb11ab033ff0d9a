"""Live writes: one-article write latency by corpus size, lookups while a writer writes, merges.

For each size, a base index folder of N synthetic quotes (:func:`bench.bigindex.synth_corpus`,
vectors from a hashed bag of words of 384 dimensions, so building 100k quotes takes minutes,
not hours of the model) is opened as a live index, and then, in one process:

- **writes**: ``--writes`` articles of :func:`bench.corpus.articles` (new statements on the
  corpus's topics, in the corpus's outlets) are ingested one at a time. Each write's latency is
  split into the analysis (spaCy), the embedding, and the rest: grouping, delta and snapshot,
  the part that the segments make independent of the corpus;
- **lookups**: ``--lookups`` lookups idle, then as many again while a writer thread adds an
  article a second (same process, same queries);
- **merge**: the checkpoint that folds the delta into a new base folder: its duration and the
  peak resident memory while it runs.

``--code PATH`` imports ``index`` from another checkout (the copy-on-write live index of
``main``, for the before numbers). Results go to ``bench/results/writes.json``.

    python -m bench.writes [--quotes 10000 100000] [--writes 30] [--lookups 200]
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.measure import CACHE, machine, rss_mib, summary_ms, write_result

WORD = re.compile(r"\w+")


class HashedWords:
    """A deterministic bag-of-words embedder (384 dimensions): texts sharing words are close."""

    def __init__(self, dimension: int = 384) -> None:
        from index.embed.protocol import EmbedderInfo, Encoder

        self.dimension = dimension
        self.info = EmbedderInfo(
            name="bench/hashed-words", dimension=dimension, encoder=Encoder(runtime="custom")
        )
        self.seconds = 0.0

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        start = time.perf_counter()
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in WORD.findall(text.lower()):
                digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
                vectors[row, int.from_bytes(digest) % self.dimension] += 1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors /= np.where(norms > 0, norms, 1.0)
        self.seconds += time.perf_counter() - start
        return vectors


def base_folder(count: int) -> Path:
    """The cached base index of ``count`` quotes (built when missing)."""
    from bench.bigindex import synth_corpus
    from index.build import index_corpus
    from index.errors import IndexFormatError
    from index.store.manifest import read_manifest

    out = CACHE / f"writes-base-{count}"
    try:
        read_manifest(out)
        return out
    except IndexFormatError:
        pass
    started = time.perf_counter()
    index_corpus(synth_corpus(count), out, HashedWords())
    print(f"built {out} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return out


def new_articles(count: int, outlets: Sequence[str]) -> list[Any]:
    from bench.corpus import articles
    from index.models import Article

    made = []
    for number, line in enumerate(articles(count * 4, seed=99)):
        made.append(
            Article(id=f"w{number:06d}", outlet=outlets[number % len(outlets)], text=line.text)
        )
    return made[:count]


def run(count: int, writes: int, lookups: int) -> dict[str, Any]:
    import shutil

    import index.analyse.pipeline as pipeline
    from bench.lookup import bench_queries
    from index.live.live import LiveIndex

    source = base_folder(count)
    folder = CACHE / f"writes-live-{count}"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(source, folder)
    journal = CACHE / f"writes-live-{count}.jsonl"
    journal.unlink(missing_ok=True)
    embedder = HashedWords()
    rss_base = rss_mib()
    started = time.perf_counter()
    live = LiveIndex.open(folder, journal=journal, embedder=embedder)
    opened = time.perf_counter() - started
    outlets = sorted({a.outlet for a in live.current.searcher.corpus.articles})
    fresh = new_articles(writes * 2 + 2, outlets)
    queries = bench_queries(lookups, count)

    analysis = [0.0]
    real_analyse = pipeline.analyse

    def timed_analyse(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return real_analyse(*args, **kwargs)
        finally:
            analysis[0] += time.perf_counter() - start

    pipeline.analyse = timed_analyse  # type: ignore[assignment]
    # The first write makes what is made once per base (maps of its quotes and statements).
    first = time.perf_counter()
    live.ingest([fresh[0]])
    first_s = time.perf_counter() - first
    total, index_part = [], []
    for article in fresh[1 : writes + 1]:
        analysis[0], embedder.seconds = 0.0, 0.0
        start = time.perf_counter()
        live.ingest([article])
        took = time.perf_counter() - start
        total.append(took)
        index_part.append(took - analysis[0] - embedder.seconds)

    def lookup_all() -> list[float]:
        times = []
        for text in queries:
            start = time.perf_counter()
            live.current.searcher.lookup(text)
            times.append(time.perf_counter() - start)
        return times

    lookup_all()  # warm the caches
    idle = lookup_all()
    stop = threading.Event()
    written = [0]

    def writer() -> None:
        for article in fresh[writes + 1 :]:
            if stop.is_set():
                return
            start = time.perf_counter()
            live.ingest([article])
            written[0] += 1
            stop.wait(max(0.0, 1.0 - (time.perf_counter() - start)))

    thread = threading.Thread(target=writer)
    thread.start()
    busy = lookup_all()
    stop.set()
    thread.join()

    peak = [rss_mib()]
    merging = threading.Event()

    def sample() -> None:
        while not merging.wait(0.05):
            peak[0] = max(peak[0], rss_mib())

    sampler = threading.Thread(target=sample)
    sampler.start()
    rows = getattr(live, "delta_rows", None)
    start = time.perf_counter()
    live.checkpoint()
    merge_s = time.perf_counter() - start
    merging.set()
    sampler.join()
    live.close()
    return {
        "quotes": count,
        "open_s": round(opened, 2),
        "first_write_s": round(first_s, 3),
        "write": summary_ms(total),
        "write_index_part": summary_ms(index_part),
        "lookup_idle": summary_ms(idle),
        "lookup_while_writing": summary_ms(busy),
        "writes_during_lookups": written[0],
        "merge": {
            "delta_rows": rows,
            "seconds": round(merge_s, 2),
            "rss_before_mib": round(rss_base, 1),
            "rss_peak_mib": round(peak[0], 1),
        },
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="live write benchmark")
    parser.add_argument("--quotes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--writes", type=int, default=30)
    parser.add_argument("--lookups", type=int, default=200)
    parser.add_argument("--code", type=Path, default=None, help="import index from here")
    parser.add_argument("--name", default="writes")
    args = parser.parse_args(argv)
    if args.code is not None:
        sys.path.insert(0, str(args.code.resolve()))
    import index

    result: dict[str, Any] = {
        "machine": machine(),
        "code": str(Path(index.__file__).parent.parent),
        "sizes": [],
    }
    for count in args.quotes:
        result["sizes"].append(run(count, args.writes, args.lookups))
        print(result["sizes"][-1], file=sys.stderr)
        write_result(args.name, result)


if __name__ == "__main__":
    main()


def section(r: dict[str, Any]) -> str:
    """The BENCHMARKS.md section (bench/report.py)."""
    from bench.report import _table, _when

    rows = []
    for s in r["sizes"]:
        w, part = s["write"], s["write_index_part"]
        idle, busy = s["lookup_idle"], s["lookup_while_writing"]
        rows.append(
            [
                f"{s['quotes']:,}",
                f"{w['p50_ms']:.0f} / {w['p99_ms']:.0f}",
                f"{part['p50_ms']:.0f} / {part['p99_ms']:.0f}",
                f"{idle['p50_ms']:.1f} / {idle['p99_ms']:.1f}",
                f"{busy['p50_ms']:.1f} / {busy['p99_ms']:.1f}",
                f"{s['merge']['seconds']} s ({s['merge']['delta_rows']} rows)",
                f"{s['merge']['rss_before_mib']:.0f} → {s['merge']['rss_peak_mib']:.0f}",
                s["first_write_s"],
            ]
        )
    header = [
        "quotes",
        "write p50 / p99 ms",
        "of which index ms",
        "lookup idle p50 / p99 ms",
        "lookup, 1 write/s ms",
        "merge",
        "RSS open → merge peak MiB",
        "first write s",
    ]
    parts = ["## Live writes (bench/writes.py)", _when(r), _table(header, rows)]
    before = r.get("before")
    if before:
        b = before["write"]
        parts.append(
            f"Before (copy-on-write rebuild per write, `main` at {before['quotes']:,} quotes): "
            f"write p50 {b['p50_ms']:.0f} ms, p99 {b['p99_ms']:.0f} ms."
        )
    parts.append(
        'A write is one article of about four quotes (bench.corpus). "Of which index" is '
        "the write less its analysis (spaCy) and embedding: incremental grouping, the delta and "
        "the snapshot, the part that no longer grows with the corpus. The first write after "
        "opening also loads spaCy and makes the maps kept per base folder. Vectors: hashed bag "
        "of words (384 dimensions), so the numbers are the index's, not the model's."
    )
    return "\n\n".join(parts)


def targets(r: dict[str, Any]) -> list[list[Any]]:
    """Issue 13's targets against the largest size measured (bench/report.py)."""
    sizes = r["sizes"]
    if not sizes:
        return []
    small, large = sizes[0], sizes[-1]
    w = large["write"]
    at = f"{large['quotes']:,} quotes"
    growth = w["p50_ms"] / small["write"]["p50_ms"]
    idle, busy = large["lookup_idle"]["p99_ms"], large["lookup_while_writing"]["p99_ms"]
    return [
        [
            f"one-article write p50 ≤ 150 ms, p99 ≤ 500 ms ({at}; 1M not built here)",
            f"{w['p50_ms']:.0f} ms / {w['p99_ms']:.0f} ms",
            "met" if w["p50_ms"] <= 150 and w["p99_ms"] <= 500 else "not met",
        ],
        [
            f"write cost growth under 3× ({small['quotes']:,} → {at})",
            f"{growth:.2f}× (p50)",
            "met" if growth < 3 else "not met",
        ],
        [
            f"lookup p99 under 1 write/s ≤ 1.5× idle ({at})",
            f"{busy:.1f} ms / {idle:.1f} ms = {busy / idle:.2f}×",
            "met" if busy <= 1.5 * idle else "not met",
        ],
    ]
