"""Reading articles: a folder with a manifest (the seeds' shape), JSON Lines or Parquet.

A manifest is ``manifest.json`` in the articles folder::

    {"articles": [{"id": "…", "file": "a.txt", "outlet": "…", "title": null,
                   "url": null, "published": "2023-05-24"}]}

A folder of ``.txt`` files without a manifest is read too: each file is an article whose id
is the file's stem and whose outlet is unknown. JSON Lines has one article a line with the
keys ``id``, ``outlet``, ``text`` and optional ``title``, ``url``, ``published``; a Parquet
file has those columns. An archive is many such files, named by a glob (:func:`shard_files`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import msgspec

from index.errors import ArticleError
from index.models import Article

MANIFEST = "manifest.json"
UNKNOWN_OUTLET = "unknown"


class ManifestEntry(msgspec.Struct, frozen=True, kw_only=True):
    file: str
    outlet: str = UNKNOWN_OUTLET
    id: str | None = None
    title: str | None = None
    url: str | None = None
    published: str | None = None


class Manifest(msgspec.Struct, frozen=True, kw_only=True):
    articles: tuple[ManifestEntry, ...]


class ArticleLine(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One JSON Lines record: the shape the ingest API takes too."""

    id: str
    outlet: str
    text: str
    title: str | None = None
    url: str | None = None
    published: str | None = None


def read_text(path: Path) -> str:
    """Read an article file as UTF-8, keeping its characters (and so its offsets) as they are."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ArticleError(f"cannot read article {path}: {exc}") from exc


def load_folder(folder: Path) -> list[Article]:
    """Articles of a folder: those its manifest lists, or every ``.txt`` file when it has none."""
    if not folder.is_dir():
        raise ArticleError(f"articles folder not found: {folder}")
    manifest_path = folder / MANIFEST
    if not manifest_path.exists():
        return [
            Article(id=path.stem, outlet=UNKNOWN_OUTLET, text=read_text(path), file=path.name)
            for path in sorted(folder.rglob("*.txt"))
        ]
    try:
        manifest = msgspec.json.decode(manifest_path.read_bytes(), type=Manifest)
    except (OSError, msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise ArticleError(f"invalid manifest {manifest_path}: {exc}") from exc
    root = folder.resolve()
    articles = []
    for entry in manifest.articles:
        path = (folder / entry.file).resolve()
        if not path.is_relative_to(root):
            raise ArticleError(f"manifest entry leaves the articles folder: {entry.file}")
        articles.append(
            Article(
                id=entry.id or Path(entry.file).stem,
                outlet=entry.outlet,
                text=read_text(path),
                title=entry.title,
                url=entry.url,
                published=entry.published,
                file=entry.file,
            )
        )
    return articles


def parse_jsonl(lines: Iterable[bytes | str], source: str = "<jsonl>") -> Iterator[Article]:
    """Articles from JSON Lines; blank lines are skipped, a bad line is an error naming it."""
    decoder = msgspec.json.Decoder(ArticleLine)
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = decoder.decode(line)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise ArticleError(f"{source}:{number}: {exc}") from exc
        yield Article(
            id=record.id,
            outlet=record.outlet,
            text=record.text,
            title=record.title,
            url=record.url,
            published=record.published,
        )


JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
PARQUET_SUFFIXES = frozenset({".parquet"})
_GLOB = frozenset("*?[")


def shard_files(source: Path) -> list[Path]:
    """The JSON Lines or Parquet files ``source`` names: one file, or a glob (``shards/*.jsonl``,
    ``archive/**/*.parquet``) matched in sorted order, so every build reads them alike."""
    text = str(source)
    if _GLOB & set(text):
        anchor = Path(text[: min(text.index(c) for c in _GLOB if c in text)]).parent
        files = sorted(p for p in anchor.glob(str(Path(text).relative_to(anchor))) if p.is_file())
        if not files:
            raise ArticleError(f"no files match {source}")
    else:
        files = [source]
    for path in files:
        if path.suffix not in JSONL_SUFFIXES | PARQUET_SUFFIXES:
            raise ArticleError(f"not an articles folder, .jsonl or .parquet file: {path}")
    return files


def article_of(row: Mapping[str, object], source: str = "<row>") -> Article:
    """An article from one record (a JSON Lines line decoded, a Parquet row)."""
    try:
        line = msgspec.convert(
            {key: value for key, value in row.items() if value is not None}, ArticleLine
        )
    except msgspec.ValidationError as exc:
        raise ArticleError(f"{source}: {exc}") from exc
    return Article(
        id=line.id,
        outlet=line.outlet,
        text=line.text,
        title=line.title,
        url=line.url,
        published=line.published,
    )


def _read_shard(path: Path) -> list[Article]:
    try:
        if path.suffix in JSONL_SUFFIXES:
            with path.open("rb") as handle:
                return list(parse_jsonl(handle, str(path)))
        try:
            import pyarrow.parquet as pq
        except ImportError as exc:  # pragma: no cover - the ray extra brings pyarrow
            raise ArticleError(f"reading {path} needs pyarrow: pip install 'whosaid[ray]'") from exc
        rows = pq.read_table(path).to_pylist()
    except OSError as exc:
        raise ArticleError(f"cannot read {path}: {exc}") from exc
    return [article_of(row, f"{path}:{number}") for number, row in enumerate(rows, start=1)]


def load_articles(source: Path) -> list[Article]:
    """Articles from a folder (manifest or ``.txt`` files), or from JSON Lines or Parquet files
    (one, or a glob of shards read in sorted order)."""
    if source.is_dir():
        articles = load_folder(source)
    else:
        articles = [article for path in shard_files(source) for article in _read_shard(path)]
    check_unique(articles)
    return articles


def check_unique(articles: Iterable[Article]) -> None:
    """Refuse two articles with one id."""
    seen: set[str] = set()
    for article in articles:
        if article.id in seen:
            raise ArticleError(f"duplicate article id: {article.id}")
        seen.add(article.id)


def checksum(articles: Iterable[Article]) -> str:
    """A SHA-256 over the articles' ids, outlets and texts, in order: the index's input checksum."""
    digest = hashlib.sha256()
    for article in articles:
        for part in (article.id, article.outlet, article.title or "", article.text):
            data = part.encode("utf-8", "surrogatepass")
            digest.update(len(data).to_bytes(8, "big"))
            digest.update(data)
    return digest.hexdigest()
