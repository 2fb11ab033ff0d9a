"""Quote spans of the gold and the predictions, and how they are matched.

The rules are those of the gold README (``whosaid eval``): texts are compared after
:func:`normalise` (NFKC, curly quotes, apostrophes and the acute accent folded to straight
ones by :data:`index.text.normalise.QUOTE_FOLD`, whitespace collapsed, edge whitespace and
``,.;:!?`` stripped) and case-folded; a predicted and a gold quote of the same file match when
their trimmed spans overlap by at least 80% of the longer of the two (lengths in normalised
characters), one to one, greedy, largest overlap first.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence

import msgspec

from index.errors import GoldError
from index.evaluate.gold import (
    Gold,
)
from index.text.normalise import fold_quotes

# ---------------------------------------------------------------- normalisation

EDGE_PUNCTUATION = ",.;:!?"
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """NFKC, quotes folded to straight ones, whitespace collapsed, edges stripped."""
    folded = fold_quotes(text)
    return _SPACES.sub(" ", folded).strip(" " + EDGE_PUNCTUATION)


def compare_key(text: str) -> str:
    """The form two names or texts are compared in: normalised and case-folded."""
    return normalise(text).casefold()


def _is_edge(char: str) -> bool:
    return all(c.isspace() or c in EDGE_PUNCTUATION for c in unicodedata.normalize("NFKC", char))


class Span(msgspec.Struct, frozen=True, kw_only=True):
    """A quote's place in its file, trimmed of edge whitespace and punctuation."""

    file: str
    start: int
    end: int
    length: int  # in normalised characters


def trimmed_span(file: str, text: str, start: int, end: int) -> Span:
    """The span ``text[start:end]`` without edge whitespace and ``,.;:!?``."""
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"span {start}:{end} is outside {file} ({len(text)} characters)")
    while start < end and _is_edge(text[start]):
        start += 1
    while end > start and _is_edge(text[end - 1]):
        end -= 1
    return Span(file=file, start=start, end=end, length=len(normalise(text[start:end])))


def overlap(a: Span, b: Span, text: str) -> int:
    """How many normalised characters two spans of the same file share."""
    if a.file != b.file:
        return 0
    start, end = max(a.start, b.start), min(a.end, b.end)
    return len(normalise(text[start:end])) if start < end else 0


def spans_match(a: Span, b: Span, text: str) -> bool:
    """Whether two spans overlap by at least 80% of the longer one."""
    shared = overlap(a, b, text)
    return shared > 0 and 5 * shared >= 4 * max(a.length, b.length)


# ---------------------------------------------------------------- gold checks and spans

_OPENING = "\u201c\u201e\u201f\"\u2018\u201a\u201b'\u00b4`\u00ab\u00bb\u2039\u203a"
_CLOSING = "\u201d\u201c\"\u2019\u2018'\u00b4`\u00bb\u00ab\u203a\u2039"


def validate_gold(gold: Gold) -> None:
    """Raise GoldError when the gold file names files or speakers it does not define."""
    files = [article.file for article in gold.articles]
    if len(set(files)) != len(files):
        raise GoldError("the gold file lists an article file twice")
    speaker_ids = [speaker.id for speaker in gold.speakers]
    if len(set(speaker_ids)) != len(speaker_ids):
        raise GoldError("the gold file defines a speaker id twice")
    known_files, known_speakers = set(files), set(speaker_ids)
    for quote in gold.quotes:
        if quote.file not in known_files:
            raise GoldError(f"quote {quote.text[:40]!r} names a file not in articles: {quote.file}")
        if quote.speaker is not None and quote.speaker not in known_speakers:
            raise GoldError(f"quote {quote.text[:40]!r} names an unknown speaker: {quote.speaker}")
    for query in gold.queries:
        if query.speaker is not None and query.speaker not in known_speakers:
            raise GoldError(f"query {query.q[:40]!r} names an unknown speaker: {query.speaker}")
        for file in query.files:
            if file not in known_files:
                raise GoldError(f"query {query.q[:40]!r} names a file not in articles: {file}")


def gold_spans(gold: Gold, texts: Mapping[str, str]) -> list[Span]:
    """Each gold quote's span: its first unclaimed occurrence, preferring one between marks.

    Entries claim distinct occurrences in document order, so two gold quotes with the same
    text in one file take its first and second occurrence.
    """
    claimed: set[tuple[str, int, int]] = set()
    spans = []
    for quote in gold.quotes:
        text = _text_of(texts, quote.file)
        size = len(quote.text)

        def taken(at: int, file: str = quote.file, size: int = size) -> bool:
            return (file, at, at + size) in claimed

        found = _find_occurrence(text, quote.text, taken)
        if found is None:
            raise GoldError(f"quote text not found in {quote.file}: {quote.text[:60]!r}")
        claimed.add((quote.file, found, found + size))
        spans.append(trimmed_span(quote.file, text, found, found + len(quote.text)))
    return spans


def _find_occurrence(text: str, needle: str, taken: Callable[[int], bool]) -> int | None:
    if not needle:
        return None
    occurrences = []
    at = text.find(needle)
    while at >= 0:
        if not taken(at):
            occurrences.append(at)
        at = text.find(needle, at + 1)

    def rank(at: int) -> int:
        end = at + len(needle)
        opened = at > 0 and text[at - 1] in _OPENING
        closed = end < len(text) and text[end] in _CLOSING
        return 0 if opened and closed else 1 if opened else 2

    return min(occurrences, key=lambda at: (rank(at), at), default=None)


def _text_of(texts: Mapping[str, str], file: str) -> str:
    try:
        return texts[file]
    except KeyError:
        raise GoldError(f"no article text for gold file {file}") from None


# ---------------------------------------------------------------- extraction matching


def match_quotes(
    golds: Sequence[Span], predicted: Sequence[Span], texts: Mapping[str, str]
) -> list[tuple[int, int]]:
    """One-to-one (gold index, predicted index) pairs: greedy, largest overlap first."""
    gold_by_file: dict[str, list[int]] = defaultdict(list)
    for index, span in enumerate(golds):
        gold_by_file[span.file].append(index)
    candidates = []
    for p_index, p_span in enumerate(predicted):
        for g_index in gold_by_file.get(p_span.file, ()):
            g_span = golds[g_index]
            text = texts[p_span.file]
            if spans_match(g_span, p_span, text):
                longer = max(g_span.length, p_span.length)
                candidates.append((-overlap(g_span, p_span, text), longer, g_index, p_index))
    candidates.sort()
    pairs, used_gold, used_predicted = [], set(), set()
    for _, _, g_index, p_index in candidates:
        if g_index not in used_gold and p_index not in used_predicted:
            used_gold.add(g_index)
            used_predicted.add(p_index)
            pairs.append((g_index, p_index))
    return sorted(pairs)
