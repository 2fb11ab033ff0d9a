"""``whosaid build``: the one build, in this process or on a Ray cluster (``--engine ray``)."""

from __future__ import annotations

import argparse

from index import WhosaidError

ENGINES = ("local", "ray")


class BuildUsageError(WhosaidError):
    """A build refused before it runs (exit code 2, as every usage error)."""


def add_engine_flags(build: argparse.ArgumentParser) -> None:
    """``--engine``, ``--address`` and ``--workers`` of ``whosaid build``."""
    build.add_argument(
        "--engine",
        choices=ENGINES,
        default="local",
        help="local: this process; ray: analyse and embed on a Ray cluster (default: local)",
    )
    build.add_argument(
        "--address",
        default=None,
        help="Ray cluster to run on, as ray.init takes it (default: RAY_ADDRESS, else a local "
        "cluster started for the build)",
    )
    build.add_argument(
        "--workers",
        dest="ray_workers",
        type=int,
        default=None,
        help="Ray actors per stage, one CPU each (default: the cluster's CPUs)",
    )


def run_build(args: argparse.Namespace) -> int:
    from index import build_embedder, build_index, build_on_ray, load_articles
    from service.settings import load_settings

    settings = load_settings(
        articles=args.articles,
        index_dir=args.out,
        model_dir=args.model_dir,
        encoder=args.encoder,
        allow_empty=args.allow_empty,
    )
    if args.engine != "ray" and (args.address is not None or args.ray_workers is not None):
        raise BuildUsageError("--address and --workers need --engine ray")
    if args.ray_workers is not None and args.ray_workers < 1:
        raise BuildUsageError(f"--workers must be at least 1, not {args.ray_workers}")
    progress = not args.quiet
    if args.engine == "ray":
        manifest = build_on_ray(
            settings.articles,
            settings.index_dir,
            settings.serving(),
            address=args.address,
            workers=args.ray_workers,
            progress=progress,
            allow_empty=bool(settings.allow_empty),
        )
    else:
        articles = load_articles(settings.articles)
        if not articles and not settings.allow_empty:
            raise BuildUsageError(
                f"no articles in {settings.articles}; pass --allow-empty (WHOSAID_ALLOW_EMPTY=1) "
                "to build an empty index"
            )
        embedder = build_embedder(settings.serving())
        manifest = build_index(articles, settings.index_dir, embedder, progress=progress)
    print(
        f"built {settings.index_dir}: {manifest.counts.articles} articles, "
        f"{manifest.counts.quotes} quotes, {manifest.counts.groups} statements, "
        f"{manifest.counts.speakers} speakers"
    )
    return 0
