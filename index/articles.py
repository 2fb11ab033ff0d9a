"""Reading articles: a folder with a manifest (the seeds' shape) or JSON Lines.

A manifest is ``manifest.json`` in the articles folder::

    {"articles": [{"id": "…", "file": "a.txt", "outlet": "…", "title": null,
                   "url": null, "published": "2023-05-24"}]}

A folder of ``.txt`` files without a manifest is read too: each file is an article whose id
is the file's stem and whose outlet is unknown. JSON Lines has one article a line with the
keys ``id``, ``outlet``, ``text`` and optional ``title``, ``url``, ``published``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
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


def load_articles(source: Path) -> list[Article]:
    """Articles from a folder (manifest or ``.txt`` files) or a ``.jsonl`` file."""
    if source.is_dir():
        articles = load_folder(source)
    elif source.suffix in {".jsonl", ".ndjson"}:
        try:
            with source.open("rb") as handle:
                articles = list(parse_jsonl(handle, str(source)))
        except OSError as exc:
            raise ArticleError(f"cannot read {source}: {exc}") from exc
    else:
        raise ArticleError(f"not an articles folder or a .jsonl file: {source}")
    seen: set[str] = set()
    for article in articles:
        if article.id in seen:
            raise ArticleError(f"duplicate article id: {article.id}")
        seen.add(article.id)
    return articles


def checksum(articles: Iterable[Article]) -> str:
    """A SHA-256 over the articles' ids, outlets and texts, in order: the index's input checksum."""
    digest = hashlib.sha256()
    for article in articles:
        for part in (article.id, article.outlet, article.title or "", article.text):
            data = part.encode("utf-8", "surrogatepass")
            digest.update(len(data).to_bytes(8, "big"))
            digest.update(data)
    return digest.hexdigest()
