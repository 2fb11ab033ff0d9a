"""Render BENCHMARKS.md from the JSON results in bench/results/.

python -m bench.report
"""

from __future__ import annotations

import json
from typing import Any

from bench.measure import RESULTS, ROOT
from bench.report_ray import build_ray_section, group_scale_section, on_paper_section, ray_targets

OUT = ROOT / "BENCHMARKS.md"


def _load(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _when(result: dict[str, Any]) -> str:
    m = result["machine"]
    return f"_{m['date']}, {m['cpus']} cores, load average {m['loadavg_1m_at_start']} at start._"


def encode_section(r: dict[str, Any]) -> str:
    rows = []
    for name, v in r["variants"].items():
        rows.append(
            [
                name,
                v["single_query"]["p50_ms"],
                v["single_query"]["p99_ms"],
                f"{v['speedup_single_p50']}×",
                v["batch_sentences_per_s"],
                f"{v['speedup_batch']}×",
                v["cold_start_s"],
            ]
        )
    torch = r["variants"]["torch-fp32"]
    one = torch.get("single_query_1_thread", {})
    gold = r["agreement"]["gold_queries"]
    synth = r["agreement"]["synthetic"]
    searched = r["agreement"].get("searcher", {})
    agree_rows = [
        [
            name,
            f"{g['agree']}/{g['of']}",
            f"{searched[name]['agree']}/{searched[name]['of']}" if name in searched else "",
            f"{synth[name]['agree']}/{synth[name]['of']}" if name in synth else "",
            f"{synth[name]['agree_on_torch_index']}/{synth[name]['of']}" if name in synth else "",
            synth.get(name, {}).get("query_cosine_to_torch_mean", ""),
            r["eval"].get(name, {}).get("identical_to_torch", ""),
        ]
        for name, g in gold.items()
    ]
    micro = [
        [
            name,
            v["microbatch_8"]["single_ms_per_query"],
            v["microbatch_8"]["batched_ms_per_query"],
            *v["concurrent_qps"].values(),
        ]
        for name, v in r["variants"].items()
        if "microbatch_8" in v
    ]
    return "\n\n".join(
        [
            "## Query encoding (bench/encode.py)",
            _when(r),
            _table(
                [
                    "encoder",
                    "1 query p50 ms",
                    "p99 ms",
                    "speed-up",
                    "batch sent./s",
                    "speed-up",
                    "cold start s",
                ],
                rows,
            ),
            f"torch single queries on 1 thread: p50 {one.get('p50_ms')} ms, p99 "
            f"{one.get('p99_ms')} ms; speed-ups are against torch's better p50. Cold start is "
            "process spawn to first embedding. ONNX export took "
            f"{r['setup']['export_seconds']} s; files (MiB): {r['setup']['file_mib']}.",
            "Top-1 agreement with torch fp32 (gold: the 33 gold queries through Searcher over the "
            "seeds index each variant built; synthetic lookups: Searcher over "
            f"{searched.get('quotes', '?')} synthetic quotes each variant embedded; synthetic "
            "Flat: statement found for "
            f"{next(iter(synth.values()))['of']} queries over "
            f"{r['agreement']['synthetic_corpus']} synthetic quotes, Flat cosine; 'on torch "
            "index': queries encoded by the variant against torch-built vectors):",
            _table(
                [
                    "encoder",
                    "gold top-1",
                    "synthetic lookups top-1",
                    "synthetic Flat top-1",
                    "on torch index",
                    "query cosine",
                    "eval report identical",
                ],
                agree_rows,
            ),
            "Micro-batching and concurrency (one onnxruntime session, 1 intra-op thread):",
            _table(
                [
                    "encoder",
                    "ms/query single",
                    "ms/query batched ×8",
                    "qps 1 thr",
                    "2 thr",
                    "4 thr",
                ],
                micro,
            ),
        ]
    )


def ann_section(r: dict[str, Any]) -> str:
    flat = r["flat"]
    rows = [
        [
            "Flat",
            "",
            1.0,
            flat["single_query_1_thread"]["p50_ms"],
            flat["single_query_1_thread"]["p99_ms"],
            flat["build_s"],
            flat["file_mib"],
        ]
    ]
    for c in r["candidates"]:
        for point in c["sweep"]:
            parameter = next(k for k in point if k in ("efSearch", "nprobe"))
            rows.append(
                [
                    c["factory"],
                    f"{parameter}={point[parameter]}",
                    point["recall_at_10"],
                    point["single_query_1_thread"]["p50_ms"],
                    point["single_query_1_thread"]["p99_ms"],
                    c["build_s"],
                    c["file_mib"],
                ]
            )
    loads = [
        [
            name,
            load["mode"],
            load.get("load_s"),
            load.get("rss_after_load_mib"),
            load.get("error", ""),
        ]
        for name, entry in [("Flat", flat), *[(c["factory"], c) for c in r["candidates"]]]
        for load in entry["loads"]
    ]
    s = r["setup"]
    return "\n\n".join(
        [
            "## Approximate search at 1M vectors (bench/ann.py)",
            _when(r),
            f"{s['vectors']:,} vectors of {s['dimension']} dimensions grown from "
            f"{s['real_sample']:,} real embeddings (median cosine to seed "
            f"{s['growth']['cosine_to_seed_median']}); {s['queries']} real query embeddings "
            f"(median top-1 cosine {s['neighbours']['query_top1_cosine_median']}, top-10 "
            f"{s['neighbours']['query_top10_cosine_median']}). Latency: one query at a time, one "
            f"OpenMP thread, {s['latency_queries']} queries. Flat on 2 threads: p50 "
            f"{flat['single_query_2_threads']['p50_ms']} ms.",
            _table(
                ["index", "search param", "recall@10", "p50 ms", "p99 ms", "build s", "file MiB"],
                rows,
            ),
            "Loading the file in a fresh process (`read` = faiss.read_index; `mmap` = "
            "IO_FLAG_MMAP|READ_ONLY; `mmap_ifc` = IO_FLAG_MMAP_IFC|READ_ONLY):",
            _table(["index", "mode", "load s", "RSS after load MiB", "note"], loads),
            f"Recommendation: {json.dumps(r['recommendation'])}",
        ]
    )


def lookup_section(r: dict[str, Any]) -> str:
    rows = []
    for size, v in r["sizes"].items():
        rows.append(
            [
                f"{int(size):,}",
                v["factory"],
                *(
                    f"{v[p]['p50_ms']} / {v[p]['p99_ms']}"
                    for p in ("lookup", "encode", "search", "assembly", "serialise")
                ),
                v.get("recall_at_10_vs_exact", ""),
                v["rss_of_open_index_mib"],
                v["open"]["load_index_s"],
                v["open"]["searcher_init_s"],
            ]
        )
    return "\n\n".join(
        [
            "## In-process lookup (bench/lookup.py)",
            _when(r),
            "p50 / p99 in ms; the encoder each index records (ONNX int8); "
            "OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1. recall@10: the index as shipped (its "
            "factory and search parameters) against exact search over its stored vectors, for "
            "the real embeddings of the bench queries.",
            _table(
                [
                    "quotes",
                    "FAISS",
                    "lookup",
                    "encode",
                    "search",
                    "assembly",
                    "serialise",
                    "recall@10",
                    "RSS MiB",
                    "load_index s",
                    "searcher s",
                ],
                rows,
            ),
        ]
    )


def http_section(r: dict[str, Any]) -> str:
    rows = []
    for label, key in (
        ("1 thread env", "http"),
        ("library default threads", "http_default_threads"),
    ):
        for c, v in r[key]["wrk"].items():
            rows.append(
                [
                    label,
                    c,
                    v["rps"],
                    v["p50_ms"],
                    v["p99_ms"],
                    v["p50_over_in_process_p50"],
                    v["non_2xx"] + v["errors"],
                ]
            )
    workers = [
        [w, v["p50_ms"], v["p99_ms"], v["rps"]]
        for w, v in r.get("workers", {}).items()
        if isinstance(v, dict)
    ]
    parts = [
        "## HTTP (bench/http.py)",
        _when(r),
        f"{r['setup']['quotes']:,} quotes; {r['setup']['load_generator']}; "
        f"{r['setup']['seconds_per_load']} s per load. In-process lookup p50 "
        f"{r['in_process']['lookup']['p50_ms']} ms (same run, same queries). Server: "
        f"{r['setup']['server']}. Spawn to ready {r['http']['spawn_to_ready_s']} s, RSS at ready "
        f"{r['http']['rss_ready_mib']} MiB.",
        _table(
            [
                "threads",
                "concurrency",
                "req/s",
                "p50 ms",
                "p99 ms",
                "HTTP p50 / in-process p50",
                "errors",
            ],
            rows,
        ),
    ]
    if workers:
        parts += [
            "Keep-alive `GET /v1/health/live`, concurrency 1, over the 10k index:",
            _table(["workers", "p50 ms", "p99 ms", "req/s"], workers),
        ]
    return "\n\n".join(parts)


def build_section(r: dict[str, Any]) -> str:
    rows = [[name, v["seconds"], v["quotes_per_s"]] for name, v in r["stages"].items()]
    return "\n\n".join(
        [
            "## Build throughput (bench/build.py)",
            _when(r),
            f"{r['quotes_found']} quotes found ({r['quotes_attributed']} attributed) in "
            f"{r['setup']['articles']} generated articles; {r['groups']} statements.",
            _table(["stage", "seconds", "quotes/s"], rows),
            f"End to end quotes/s: {r['end_to_end_quotes_per_s']}. Extraction + attribution "
            f"alone: {r['extraction_attribution_quotes_per_s']} quotes/s.",
        ]
    )


def startup_section(r: dict[str, Any]) -> str:
    rows = []
    for size, found in r["sizes"].items():
        for round_number, v in enumerate(found.get("rounds", []), start=1):
            rows.append(
                [
                    f"{int(size):,}",
                    round_number,
                    v.get("spawn_to_ready_s", v.get("error", "")[:80]),
                    v.get("steps", {}).get("load_index_s", ""),
                    v.get("beyond_index_load_s", ""),
                    v.get("steps", {}).get("searcher_init_s", ""),
                    v.get("rss_ready_mib", ""),
                ]
            )
    return "\n\n".join(
        [
            "## Start-up (bench/startup.py)",
            _when(r),
            "Stock `whosaid serve` (ONNX int8 encoder from the index folder, uvicorn, 1 worker), "
            "spawned fresh each round: spawn to the first 200 from `/v1/health/ready`. "
            "`load_index` (read, decode and check the records; map the FAISS index and the "
            "vectors) is what the service logs; 'beyond' is the rest (imports, encoder, "
            "searcher and ranker set-up, uvicorn), of which the searcher's set-up is shown.",
            _table(
                [
                    "quotes",
                    "round",
                    "spawn→ready s",
                    "load_index s",
                    "beyond the load s",
                    "searcher set-up s",
                    "RSS MiB",
                ],
                rows,
            ),
        ]
    )


def peer_section(r: dict[str, Any]) -> str:
    rows = [
        [
            name,
            v["index_quotes_per_s"],
            v["lookup"]["p50_ms"],
            v["lookup"]["p99_ms"],
            v["lookups_per_s_one_client"],
            v["top1_accuracy_on_reprints"],
        ]
        for name, v in r["sides"].items()
    ]
    return "\n\n".join(
        [
            "## Peer: txtai (bench/peer.py)",
            _when(r),
            f"{r['setup']['quotes']:,} quotes, {r['setup']['queries']} queries. "
            f"whosaid: {r['setup']['whosaid']}. txtai: {r['setup']['txtai']}.",
            _table(
                [
                    "system",
                    "index quotes/s",
                    "lookup p50 ms",
                    "p99 ms",
                    "lookups/s",
                    "top-1 on reprints",
                ],
                rows,
            ),
            f"Lookup throughput whosaid/txtai: {r['lookup_throughput_ratio']}×; indexing: "
            f"{r['index_throughput_ratio']}×; same top-1 statement: {r['same_top1_statement']}.",
        ]
    )


def visibility_section(r: dict[str, Any]) -> str:
    rows = []
    for name, label in (
        ("workers", "2 workers, SQLite journal"),
        ("replicas", "2 replicas, PostgreSQL journal"),
    ):
        if name in r:
            w, v = r[name]["write_ms"], r[name]["visible_after_ack_ms"]
            rows.append([label, w["p50_ms"], w["p99_ms"], v["p50_ms"], v["p99_ms"]])
    return "\n\n".join(
        [
            "## Visibility between workers and replicas (bench/visibility.py)",
            _when(r),
            f"{r['writes']} one-article writes over the seeds index (real model); the lag runs "
            "from the write's acknowledgement to the first read that shows it on the other "
            "worker or replica.",
            _table(
                ["set-up", "write p50 ms", "write p99 ms", "visible p50 ms", "visible p99 ms"],
                rows,
            ),
            "The other side applies a row as the writer did (analysis, then the incremental "
            "regroup), so the lag is about one write's cost plus the wait for the next look "
            "(0.25 s, or a PostgreSQL notification).",
        ]
    )


def writes_section(r: dict[str, Any]) -> str:
    from bench.writes import section

    return section(r)


def _section_of(module: str, r: dict[str, Any]) -> str:
    """The section that the bench module ``module`` renders from its own results."""
    import importlib

    return str(importlib.import_module(module).section(r))


def writes_targets(r: dict[str, Any] | None) -> list[list[Any]]:
    from bench.writes import targets

    return targets(r) if r else []


SECTIONS = (
    ("encode", encode_section),
    ("ann", ann_section),
    ("lookup", lookup_section),
    ("http", http_section),
    ("build", build_section),
    ("build_ray", build_ray_section),
    ("group_scale", group_scale_section),
    ("startup", startup_section),
    ("peer", peer_section),
    ("visibility", visibility_section),
    ("writes", writes_section),
    ("recovery", lambda r: _section_of("bench.recovery", r)),
    ("speakers", lambda r: _section_of("bench.speakers", r)),
    ("soak", lambda r: _section_of("bench.soak", r)),
)

NOTES = """## Reading the figures

- What ships: an index records its encoder (ONNX int8 by default, the file inside the index
  folder, no torch to serve), its FAISS factory and search parameters (exact below 100k
  vectors; IVF with 8-bit scalar quantisation above, nprobe 32), and the ranker's tables
  (statement rows, term postings) precomputed at build time. FAISS, the exact vectors and
  the tables are memory-mapped, so opening an index decodes the JSON records and little else.
- A lookup is encode (ONNX, one thread) + FAISS search + ranking: the candidates' exact
  cosines from the mapped vectors, IDF coverage from the postings (numpy), and the
  contradiction checks on the best few. At 1M quotes it stays in the tens of milliseconds.
- Under concurrency one process is bound by the GIL and two cores: requests/s at 8 and 32
  connections is the single-lookup cost spread over 2 cores, and the latency is the queue.
- FAISS (libgomp) and numpy (OpenBLAS) default to one thread per core; on single queries that
  is slower, and `omp_set_num_threads` only affects the calling thread, so the environment
  (`OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1`, which `whosaid` sets unless told otherwise)
  keeps the service's worker threads on one.
- Micro-batching concurrent queries does not pay here: a batch of 8 costs more per query than
  8 single calls, and int8 vectors would depend on their batch partners. Concurrent encodes
  are capped at two (`WHOSAID_CPU_WORKERS`).
- Stock uvicorn with 2 workers adds ~44 ms to every keep-alive response: its shared socket
  lacks TCP_NODELAY. `whosaid serve` sets it there (see the workers table).
"""

INTRO = """# Benchmarks

The last results of the scripts in `bench/` (see bench/README.md for how to run them), rendered
by `python -m bench.report` from `bench/results/*.json`. The machine has 2 cores shared with
other work, so absolute numbers move from run to run; each table's ratios compare figures
taken in the same run.
"""


def targets() -> str:
    """The issue's targets against the last results (each from one bench run)."""
    rows: list[list[Any]] = []
    http = _load("http")
    if http:
        c1 = http["http"]["wrk"]["1"]
        ratio = c1["p50_over_in_process_p50"]
        rows.append(
            [
                f"HTTP p50 ≤ 1.25× in-process p50 at {http['setup']['quotes']:,} quotes",
                f"{c1['p50_ms']} ms / {http['in_process']['lookup']['p50_ms']} ms = {ratio}×",
                "met" if ratio <= 1.25 else "not met",
            ]
        )
    encode = _load("encode")
    if encode:
        int8 = encode["variants"]["onnx-int8"]
        gold = encode["agreement"]["gold_queries"]["onnx-int8"]
        share = gold["agree"] / gold["of"]
        met = int8["speedup_single_p50"] >= 4 and share >= 0.99
        rows.append(
            [
                "query encoding ≥ 4× torch fp32, top-1 agreement ≥ 99% (gold queries)",
                f"{int8['speedup_single_p50']}×, {gold['agree']}/{gold['of']}",
                "met" if met else "not met",
            ]
        )
    startup = _load("startup")
    if startup:
        for size, servers in startup["sizes"].items():
            onnx = servers.get("stock", {})
            if "beyond_index_load_s" in onnx:
                beyond = onnx["beyond_index_load_s"]
                rows.append(
                    [
                        f"start to ready ≤ 1.5 s beyond the index load ({int(size):,} quotes)",
                        f"{onnx['spawn_to_ready_s']} s total, {beyond} s beyond the load",
                        "met" if beyond <= 1.5 else "not met",
                    ]
                )
    lookup = _load("lookup")
    shipped = lookup["sizes"].get("1000000", {}) if lookup else {}
    if "recall_at_10_vs_exact" in shipped:
        recall = shipped["recall_at_10_vs_exact"]
        parameters = " ".join(f"{k}={v}" for k, v in shipped["search_parameters"].items())
        rows.append(
            [
                "ANN recall@10 ≥ 0.98 at 1M (the index as shipped, bench/lookup.py)",
                f"{shipped['factory']} {parameters}: {recall}",
                "met" if recall >= 0.98 else "not met",
            ]
        )
    ann = _load("ann")
    if ann:
        best = ann["recommendation"]["recall_0.98"]
        rows.append(
            [
                "ANN recall@10 ≥ 0.98 at 1M (bench/ann.py's sweep)",
                f"{best.get('factory')} {best.get('parameter')}={best.get('value')}: "
                f"{best.get('recall_at_10')} at {best.get('p50_ms')} ms p50",
                "met" if best.get("recall_at_10", 0) >= 0.98 else "not met",
            ]
        )
    peer = _load("peer")
    if peer:
        ours, theirs = peer["sides"]["whosaid"], peer["sides"]["txtai"]
        equal = ours["top1_accuracy_on_reprints"] >= theirs["top1_accuracy_on_reprints"]
        rows.append(
            [
                "whosaid lookups/s ≥ 2× txtai's at equal top-1",
                f"{peer['lookup_throughput_ratio']}×; top-1 {ours['top1_accuracy_on_reprints']}"
                f" vs {theirs['top1_accuracy_on_reprints']}",
                "met" if peer["lookup_throughput_ratio"] >= 2 and equal else "not met",
            ]
        )
    rows += ray_targets(_load("build_ray"), _load("group_scale"))
    rows.extend(writes_targets(_load("writes")))
    recovery = _load("recovery")
    if recovery is not None:
        from bench.recovery import targets as recovery_targets

        rows.extend(recovery_targets(recovery))
    soak = _load("soak")
    if soak is not None:
        from bench.soak import targets as soak_targets

        rows.extend(soak_targets(soak))
    return "## Targets\n\n" + _table(["target", "measured", "status"], rows)


def render() -> str:
    parts = [INTRO, targets(), NOTES]
    for name, section in SECTIONS:
        result = _load(name)
        if result is not None:
            parts.append(section(result))
    if _load("build_ray") is not None or _load("group_scale") is not None:
        parts.append(on_paper_section(_load("build_ray"), _load("group_scale")))
    return "\n\n".join(parts) + "\n"


def main() -> None:
    OUT.write_text(render())
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
