"""A whosaid index folder at 10k, 100k or 1M quotes, without hours of embedding.

The records come from :mod:`bench.corpus` (articles of four quotes, speakers, one group per
statement with a variant per outlet), laid out the way the pipeline's stages would lay them
out, so loading, ranking and answer assembly do the work they do on a real index. Running
spaCy over 1M quotes and embedding them would take hours here, so the vectors are the
:mod:`bench.ann` ones: real embeddings of corpus quotes grown to the size needed (PCA-shaped
noise and neighbour mixes). A unit's vector is therefore realistic in distribution but not
the embedding of its own text; the lookup timings depend on the former, not the latter.

The folder itself is written by ``index.build.index_corpus`` (units, lexical statistics,
calibration, the FAISS index its size calls for, the manifest), fed a stand-in embedder that
hands out the grown vectors.

    python -m bench.bigindex --quotes 1000000 --out var/bench/index-1m
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.corpus import quotes
from bench.measure import CACHE


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")


def synth_corpus(count: int, *, seed: int = 7) -> Any:
    """A grouped :class:`index.models.Corpus` of ``count`` quotes (no spaCy, no model)."""
    from index.models import Article, Corpus, Group, Quote, Speaker, Variant

    articles: list[Article] = []
    records: list[Quote] = []
    by_statement: dict[str, list[tuple[Quote, str]]] = defaultdict(list)
    speakers: dict[str, Speaker] = {}
    pending: dict[str, list[Any]] = defaultdict(list)

    def flush(outlet: str, items: list[Any]) -> None:
        article_id = f"a{len(articles):07d}"
        parts: list[str] = []
        offset = 0
        for paragraph, item in enumerate(items):
            lead = f"{item.role.capitalize()} {item.speaker} said: \u201c"
            start = offset + len(lead)
            parts.append(f"{lead}{item.text}\u201d")
            offset += len(parts[-1]) + 2
            speaker_id = slug(item.speaker)
            speakers.setdefault(
                speaker_id, Speaker(id=speaker_id, name=item.speaker, kind="person")
            )
            quote = Quote(
                id=item.id,
                article_id=article_id,
                start=start,
                end=start + len(item.text),
                text=item.text,
                kind="full",
                paragraph=paragraph,
                mention=item.speaker,
                cue="said",
                speaker=speaker_id,
            )
            records.append(quote)
            by_statement[item.statement].append((quote, outlet))
        articles.append(Article(id=article_id, outlet=outlet, text="\n\n".join(parts)))

    for item in quotes(count, seed=seed):
        batch = pending[item.outlet]
        batch.append(item)
        if len(batch) == 4:
            flush(item.outlet, batch)
            pending[item.outlet] = []
    for outlet, rest in pending.items():
        if rest:
            flush(outlet, rest)

    groups = []
    for statement, members in by_statement.items():
        canonical = max(members, key=lambda pair: len(pair[0].text))[0]
        groups.append(
            Group(
                id=statement,
                speaker=canonical.speaker,
                canonical_quote_id=canonical.id,
                canonical_text=canonical.text,
                variants=tuple(
                    Variant(
                        quote_id=quote.id,
                        article_id=quote.article_id,
                        outlet=outlet,
                        start=quote.start,
                        end=quote.end,
                        text=quote.text,
                        fragment=quote.text != canonical.text
                        and quote.text.rstrip(".") in canonical.text,
                    )
                    for quote, outlet in members
                ),
            )
        )
    return Corpus(
        articles=tuple(articles),
        quotes=tuple(records),
        speakers=tuple(speakers.values()),
        groups=tuple(groups),
    )


class GrownEmbedder:
    """Hands out rows of a vector pool in order: the stand-in for the model at build time.

    It passes for ``like`` (the ONNX int8 encoder the pool was grown from), so the folder
    records that encoder and holds its files, and serves queries as a real build would.
    """

    def __init__(self, pool: np.ndarray, like: Any) -> None:
        self._pool = pool
        self._next = 0
        self._like = like

    @property
    def info(self) -> Any:
        return self._like.info

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        start = self._next
        self._next += len(texts)
        if self._next > len(self._pool):
            raise ValueError("vector pool exhausted")
        return self._pool[start : self._next]


def build(count: int, out: Path) -> dict[str, Any]:
    """Write the index folder for ``count`` quotes at ``out``; timings and counts."""
    from bench.ann import grow, real_vectors
    from bench.encode import EXPORT_DIR, ensure_export
    from index.build import index_corpus
    from index.embed.export import INT8_FILE
    from index.embed.onnx import OnnxEmbedder

    started = time.perf_counter()
    corpus = synth_corpus(count)
    made = time.perf_counter() - started
    base, _ = real_vectors(12_000, 1000)
    # Quotes, then sentence units of long quotes (about one in three quotes has two).
    pool, growth = grow(base, int(count * 1.8) + 1000, seed=1)
    ensure_export(fresh=False)
    embedder = GrownEmbedder(pool, OnnxEmbedder(EXPORT_DIR / INT8_FILE))
    start = time.perf_counter()
    manifest = index_corpus(corpus, out, embedder, quote_vectors=pool[:count])
    written = time.perf_counter() - start
    return {
        "quotes": count,
        "folder": str(out),
        "synth_s": round(made, 1),
        "index_corpus_s": round(written, 1),
        "factory": manifest.faiss_factory,
        "faiss_params": manifest.faiss_params,
        "counts": {
            "articles": manifest.counts.articles,
            "groups": manifest.counts.groups,
            "vectors": manifest.counts.vectors,
        },
        "growth": growth,
    }


def ensure(count: int) -> Path:
    """The cached index folder for ``count`` quotes, built when missing."""
    from index.errors import IndexFormatError
    from index.store.manifest import read_manifest

    out = CACHE / f"index-{count}"
    try:
        read_manifest(out)
        current = True
    except IndexFormatError:  # missing, or written by an older whosaid
        current = False
    if not current:
        print(f"building {out} ...", file=sys.stderr)
        print(build(count, out), file=sys.stderr)
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="synthetic index folder")
    parser.add_argument("--quotes", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    out = args.out or CACHE / f"index-{args.quotes}"
    print(build(args.quotes, out))


if __name__ == "__main__":
    main()
