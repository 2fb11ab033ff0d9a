"""What a write does with each article it is sent: add it, keep what the index already holds
(by id or by content), or refuse it with a conflict; and what replaying journal rows changes."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Literal

import msgspec

from index.errors import WhosaidError
from index.live.journal import Entry, content_hash
from index.models import Article

if TYPE_CHECKING:
    from index.search.searcher import Searcher

IngestStatus = Literal["created", "unchanged"]


class ArticleConflictError(WhosaidError):
    """An article id the index already holds, sent with another outlet or text."""

    def __init__(self, article_id: str) -> None:
        self.article_id = article_id
        super().__init__(
            f"article {article_id!r} is already indexed with another outlet or text; "
            "delete it first to replace it"
        )


class ArticleRejectedError(WhosaidError):
    """An article the text stages would take far too long on
    (:func:`index.analyse.pipeline.refusal`)."""

    def __init__(self, article_id: str, reason: str) -> None:
        self.article_id = article_id
        super().__init__(f"article {article_id!r} is not taken: {reason}")


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    """What became of one article sent for ingest.

    ``article_id`` is the article that holds its content: the id sent, or, for content
    already indexed under another id, that id.
    """

    requested_id: str
    article_id: str
    status: IngestStatus


class ContentHashes(Mapping[str, str]):
    """Content hash -> article id, worked out on first use (the first write), not when the
    index opens: hashing every article of a large corpus takes a while, and a server that only
    reads never needs it."""

    def __init__(self, articles: Sequence[Article]) -> None:
        self._articles = articles
        self._lock = threading.Lock()
        self._hashes: dict[str, str] | None = None

    def _mapping(self) -> dict[str, str]:
        with self._lock:
            if self._hashes is None:
                self._hashes = {content_hash(a): a.id for a in self._articles}
            return self._hashes

    def __getitem__(self, digest: str) -> str:
        return self._mapping()[digest]

    def __iter__(self) -> Iterator[str]:
        return iter(self._mapping())

    def __len__(self) -> int:
        return len(self._mapping())


def plan_ingest(
    searcher: Searcher, hashes: Mapping[str, str], articles: Sequence[Article]
) -> tuple[tuple[Outcome, ...], list[Article]]:
    """What to do with each article of a batch: the outcomes, and the articles to add."""
    outcomes: list[Outcome] = []
    fresh: list[Article] = []
    batch_ids: dict[str, str] = {}  # id -> content hash, for this batch
    batch_hashes: dict[str, str] = {}  # content hash -> id, for this batch
    for article in articles:
        digest = content_hash(article)
        held = searcher.article(article.id)
        held_digest = content_hash(held) if held is not None else batch_ids.get(article.id)
        if held_digest is not None:
            if held_digest != digest:
                raise ArticleConflictError(article.id)
            outcomes.append(
                Outcome(requested_id=article.id, article_id=article.id, status="unchanged")
            )
            continue
        owner = hashes.get(digest) or batch_hashes.get(digest)
        if owner is not None:
            outcomes.append(Outcome(requested_id=article.id, article_id=owner, status="unchanged"))
            continue
        fresh.append(article)
        batch_ids[article.id] = digest
        batch_hashes[digest] = article.id
        outcomes.append(Outcome(requested_id=article.id, article_id=article.id, status="created"))
    return tuple(outcomes), fresh


def plan_replay(
    searcher: Searcher, entries: Sequence[Entry]
) -> tuple[frozenset[str], list[Article]]:
    """The article ids to remove and the articles to add so that the index holds what the
    journal ``entries`` say (one row per id, in the order of their last change). A row the
    index already reflects (this writer's own, read back after another writer's) changes
    nothing."""
    remove: set[str] = set()
    add: list[Article] = []
    for entry in entries:
        held = searcher.article(entry.article_id)
        if held is None and entry.article is None:
            continue
        if (
            held is not None
            and entry.article is not None
            and content_hash(held) == content_hash(entry.article)
        ):
            continue
        if held is not None:
            remove.add(entry.article_id)
        if entry.article is not None:
            add.append(entry.article)
    return frozenset(remove), add
