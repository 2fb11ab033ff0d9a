"""Checks before serving that fail fast, with one line, where a server would otherwise start
and answer 503 for good: an unreadable manifest, an articles source that cannot be read or
(unless allowed) holds no article, an index built from other articles than the ones named."""

from __future__ import annotations

from index.articles import checksum, load_articles
from index.errors import ArticleError, IndexFormatError
from index.live.served import Serving, index_present
from index.store.manifest import read_manifest


def check_not_empty(count: int, serving: Serving, *, allow_empty: bool) -> None:
    """An articles source with no article is a mistake unless ``allow_empty`` says otherwise."""
    if count == 0 and not allow_empty:
        raise ArticleError(
            f"no articles in {serving.articles}; point WHOSAID_ARTICLES (--articles) at a "
            "folder or .jsonl file of articles, or pass --allow-empty for an empty index"
        )


def preflight(serving: Serving, *, check_articles: bool = False, allow_empty: bool = False) -> None:
    """Raise :class:`ArticleError` or :class:`IndexFormatError` for a start that cannot work.

    With ``check_articles`` (the articles were named on purpose), an existing index folder must
    have been built from exactly those articles: its manifest's input checksum must match
    theirs. An index that has taken writes since its build (its manifest records journal rows)
    holds more than its source and is not compared.
    """
    if not index_present(serving.index_dir):
        check_not_empty(len(load_articles(serving.articles)), serving, allow_empty=allow_empty)
        return
    manifest = read_manifest(serving.index_dir)
    if not check_articles or manifest.journal_seq > 0:
        return
    if checksum(load_articles(serving.articles)) != manifest.input_checksum:
        raise IndexFormatError(
            f"the index in {serving.index_dir} was built from other articles than "
            f"{serving.articles} (its input checksum differs); remove that folder to rebuild "
            "it from these articles, or leave WHOSAID_ARTICLES (--articles) out to serve it"
        )
