"""Build throughput on Ray against the single-process build, in one run on this machine.

For each corpus size (bench.corpus articles, four quotes an article, written as four JSON Lines
shards), three builds of the same shards, each in its own process so peak memory is its own:

- ``local``: ``whosaid build`` (:func:`index.build.build_index`);
- ``ray-1`` and ``ray-2``: ``whosaid build --engine ray --workers N`` on a local Ray cluster
  of 2 CPUs (:func:`index.build_on_ray`), N actors per stage.

Each reports its stage seconds (analyse, embed, group, index, write: the build's own
:class:`~index.build.StageClock`), quotes per second end to end and for analyse + embed, the
driver's peak RSS, and the peak RSS of every Ray worker process (``VmHWM``, sampled from
/proc), by what it ran. The encoder's export and spaCy are warm (loaded once before timing in
the local build; Ray's actors load their own, inside the timed stage, as a cluster would).

    nice -n 10 python -m bench.build_ray --quotes 10000 [--quotes 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.measure import ROOT, machine, write_result

MODES = ("local", "ray-1", "ray-2")
SHARDS = 4


def write_shards(folder: Path, quotes: int) -> Path:
    """The generated corpus as :data:`SHARDS` JSON Lines files; the glob naming them."""
    import msgspec

    from bench.corpus import articles

    folder.mkdir(parents=True, exist_ok=True)
    handles = [(folder / f"part-{n}.jsonl").open("wb") for n in range(SHARDS)]
    try:
        for number, line in enumerate(articles(quotes, seed=41)):
            handles[number % SHARDS].write(msgspec.json.encode(line) + b"\n")
    finally:
        for handle in handles:
            handle.close()
    return folder / "part-*.jsonl"


class WorkerMemory:
    """Peak RSS of every Ray worker process seen while running (``ray::`` process titles)."""

    def __init__(self) -> None:
        self.peak: dict[int, tuple[str, float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> WorkerMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.is_set():
            for proc in Path("/proc").iterdir():
                if not proc.name.isdigit():
                    continue
                try:
                    title = (proc / "cmdline").read_bytes().split(b"\0")[0].decode()
                    if not title.startswith("ray::"):
                        continue
                    status = (proc / "status").read_text()
                except OSError:
                    continue
                for line in status.splitlines():
                    if line.startswith("VmHWM:"):
                        mib = int(line.split()[1]) / 1024
                        old = self.peak.get(int(proc.name), (title, 0.0))
                        self.peak[int(proc.name)] = (max(title, old[0], key=len), max(mib, old[1]))
            self._stop.wait(0.5)

    def by_role(self) -> dict[str, float]:
        """The largest peak RSS (MiB) per kind of worker: analyser, encoder, other."""
        roles: dict[str, float] = {}
        for title, mib in self.peak.values():
            role = (
                "analyser" if "Analyser" in title else "encoder" if "Encoder" in title else "other"
            )
            roles[role] = round(max(roles.get(role, 0.0), mib), 1)
        return roles


def run_mode(mode: str, source: Path) -> dict[str, Any]:
    """One build of ``source`` (in this process); its stage times and memory."""
    from index import Serving, build_embedder, build_index, build_on_ray, load_articles
    from index.build import StageClock

    with tempfile.TemporaryDirectory(prefix="bench-build-ray-") as tmp:
        serving = Serving(
            index_dir=Path(tmp) / "index",
            articles=source,
            journal=Path(tmp) / "journal.sqlite3",
            encoder_cache=ROOT / "var" / "encoders",
        )
        memory = WorkerMemory()
        clock = StageClock()
        if mode == "local":
            from index.analyse.language import load_language

            embedder = build_embedder(serving)
            load_language()
            start = time.perf_counter()
            manifest = build_index(load_articles(source), serving.index_dir, embedder, clock=clock)
        else:
            import ray

            ray.init(num_cpus=2, include_dashboard=False, configure_logging=False)
            try:
                from ray.data import DataContext

                DataContext.get_current().enable_progress_bars = False
                with memory:
                    start = time.perf_counter()
                    manifest = build_on_ray(
                        source,
                        serving.index_dir,
                        serving,
                        workers=int(mode.split("-")[1]),
                        clock=clock,
                    )
            finally:
                ray.shutdown()
        seconds = clock.seconds
        wall = time.perf_counter() - start
    quotes = manifest.counts.quotes
    analyse_embed = seconds["analyse"] + seconds["embed"]
    return {
        "mode": mode,
        "quotes": quotes,
        "statements": manifest.counts.groups,
        "wall_s": round(wall, 1),
        "stages_s": {name: round(value, 2) for name, value in seconds.items()},
        "quotes_per_s": round(quotes / wall, 1),
        "analyse_embed_quotes_per_s": round(quotes / analyse_embed, 1),
        "group_share": round(seconds["group"] / sum(seconds.values()), 4),
        "driver_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "worker_peak_rss_mib": memory.by_role(),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="build throughput: single process against Ray")
    parser.add_argument("--quotes", type=int, action="append", help="corpus sizes (repeatable)")
    parser.add_argument("--mode", choices=MODES, help="one build in this process (internal)")
    parser.add_argument("--source", type=Path, help="shards glob for --mode (internal)")
    args = parser.parse_args(argv)
    if args.mode:
        print(json.dumps(run_mode(args.mode, args.source)))
        return
    import subprocess

    runs: list[dict[str, Any]] = []
    result: dict[str, Any] = {"bench": "build_ray", "machine": machine(), "runs": runs}
    with tempfile.TemporaryDirectory(prefix="bench-shards-") as tmp:
        for quotes in args.quotes or [10_000]:
            source = write_shards(Path(tmp) / str(quotes), quotes)
            for mode in MODES:
                done = subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "bench.build_ray",
                        "--mode",
                        mode,
                        "--source",
                        str(source),
                    ],
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    env={**os.environ, "OMP_NUM_THREADS": "1"},
                    check=False,
                )
                if done.returncode != 0:
                    print(done.stderr[-3000:], file=sys.stderr)
                    raise SystemExit(f"{mode} at {quotes} quotes failed")
                run = {
                    "generated_quotes": quotes,
                    **json.loads(done.stdout.strip().splitlines()[-1]),
                }
                runs.append(run)
                print(json.dumps(run), file=sys.stderr, flush=True)
                write_result("build_ray", result)
    result["machine"]["loadavg_1m_at_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result, indent=2))
    print(write_result("build_ray", result), file=sys.stderr)


if __name__ == "__main__":
    main()
