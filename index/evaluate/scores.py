"""Scores of the pipeline against a gold annotation: pure functions, no I/O, no models.

The rules are those of the gold README (``whosaid eval``):

- Texts are compared after :func:`normalise` (NFKC, curly quotes, apostrophes and the acute
  accent folded to straight ones, whitespace collapsed, edge whitespace and ``,.;:!?``
  stripped) and case-folded.
- A predicted and a gold quote of the same file match when their spans, trimmed of edge
  whitespace and ``,.;:!?``, overlap by at least 80% of the longer of the two (lengths in
  normalised characters). Matching is one to one, greedy, largest overlap first.
- Speaker accuracy is over matched quotes with a gold speaker; a name matches the gold
  speaker's ``name`` or one of its ``aliases``.
- Grouping is pairwise precision/recall over matched quotes, for all pairs and cross-file pairs.
- Lookups are scored per ``why``; outlet recall averages over the non-negative queries.

:func:`score` takes the gold file, what the system produced (:class:`Predictions`, the shape
``eval --predictions`` writes) and the article texts, and returns a :class:`Report` whose JSON
encoding is the shape ``eval --json`` writes. A ratio with a zero denominator is 0.0;
``outlet_recall`` is null where no non-negative query was asked.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Mapping, Sequence

import msgspec

from index.errors import GoldError
from index.evaluate.gold import (
    OVERALL,
    WHYS,
    ExtractionScore,
    FileScore,
    Gold,
    GoldQuote,
    GroupingScore,
    LookupScore,
    PairScore,
    PredictedLookup,
    PredictedQuote,
    PredictedVariant,
    Predictions,
    QueryOutcome,
    Report,
    SpeakerScore,
)

# ---------------------------------------------------------------- normalisation

EDGE_PUNCTUATION = ",.;:!?"
_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u02bc": "'",
        "\u00b4": "'",  # the acute accent used as an apostrophe
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
    }
)
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """NFKC, quotes folded to straight ones, whitespace collapsed, edges stripped."""
    # Fold before NFKC too: NFKC turns the acute accent into a space and a combining accent.
    folded = unicodedata.normalize("NFKC", text.translate(_FOLD)).translate(_FOLD)
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


# ---------------------------------------------------------------- scores


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def _f1(precision: float, recall: float) -> float:
    return _ratio(2 * precision * recall, precision + recall)


def _extraction(gold: int, predicted: int, matched: int) -> ExtractionScore:
    precision, recall = _ratio(matched, predicted), _ratio(matched, gold)
    return ExtractionScore(
        precision=precision,
        recall=recall,
        f1=_f1(precision, recall),
        gold=gold,
        predicted=predicted,
        matched=matched,
    )


SpeakerKeys = Mapping[str, frozenset[str]]


def speaker_keys(gold: Gold) -> dict[str, frozenset[str]]:
    """Each gold speaker id's accepted names (name and aliases) in compare form."""
    return {
        speaker.id: frozenset(compare_key(name) for name in (speaker.name, *speaker.aliases))
        for speaker in gold.speakers
    }


def _speaker(pairs: Iterable[tuple[GoldQuote, PredictedQuote]], keys: SpeakerKeys) -> SpeakerScore:
    correct = total = null_given = 0
    for gold_quote, predicted in pairs:
        if gold_quote.speaker is None:
            null_given += predicted.speaker is not None
            continue
        total += 1
        correct += _same_speaker(gold_quote.speaker, predicted.speaker, keys)
    return SpeakerScore(
        accuracy=_ratio(correct, total), correct=correct, total=total, null_given_speaker=null_given
    )


def _same_speaker(gold_id: str | None, name: str | None, keys: SpeakerKeys) -> bool:
    if gold_id is None or name is None:
        return gold_id is None and name is None
    return compare_key(name) in keys[gold_id]


def _pairs_within(keys: Iterable[object]) -> int:
    return sum(n * (n - 1) // 2 for n in Counter(keys).values())


def _grouping(rows: Sequence[tuple[str, str | None, str | None]]) -> GroupingScore:
    """Pairwise scores over (file, gold group, predicted group) rows of matched quotes."""

    def counts(within_file: bool) -> tuple[int, int, int]:
        def scope(key: object, file: str) -> object:
            return (file, key) if within_file else key

        true_positive = _pairs_within(
            scope((g, p), f) for f, g, p in rows if g is not None and p is not None
        )
        predicted = _pairs_within(scope(p, f) for f, _, p in rows if p is not None)
        positive = _pairs_within(scope(g, f) for f, g, _ in rows if g is not None)
        return true_positive, predicted, positive

    def pair_score(true_positive: int, predicted: int, positive: int) -> PairScore:
        precision, recall = _ratio(true_positive, predicted), _ratio(true_positive, positive)
        return PairScore(precision=precision, recall=recall, f1=_f1(precision, recall))

    everything, same_file = counts(False), counts(True)
    cross = tuple(a - b for a, b in zip(everything, same_file, strict=True))
    return GroupingScore(all=pair_score(*everything), cross_file=pair_score(*cross))


# ---------------------------------------------------------------- lookups


def _contains_words(part: str, whole: str) -> bool:
    """Whether ``part`` (three or more words) occurs in ``whole`` at word boundaries."""
    if len(part.split()) < 3:
        return False
    return re.search(rf"(?<!\w){re.escape(part)}(?!\w)", whole) is not None


def _variant_span(variant: PredictedVariant, texts: Mapping[str, str]) -> Span | None:
    text = texts.get(variant.file)
    if text is None:
        return None
    if variant.start is not None and variant.end is not None:
        return trimmed_span(variant.file, text, variant.start, variant.end)
    at = text.find(variant.text) if variant.text else -1
    return None if at < 0 else trimmed_span(variant.file, text, at, at + len(variant.text))


def _is_gold_variant(
    variant: PredictedVariant,
    quotes: Sequence[tuple[GoldQuote, Span]],
    texts: Mapping[str, str],
) -> bool:
    """Whether a variant is one of the given gold quotes (text, containment or same-file span)."""
    key = compare_key(variant.text)
    span = _variant_span(variant, texts)
    for quote, gold_span in quotes:
        gold_key = compare_key(quote.text)
        if key and key == gold_key:
            return True
        if _contains_words(key, gold_key) or _contains_words(gold_key, key):
            return True
        if span is not None and spans_match(span, gold_span, texts[quote.file]):
            return True
    return False


def lookup_outcomes(
    gold: Gold, predictions: Predictions, texts: Mapping[str, str]
) -> list[QueryOutcome]:
    """Each gold query's outcome; empty when the predictions hold no lookups (not run).

    Lookups are paired with gold queries by their ``q`` text, in order; a query the
    predictions do not answer counts as "no match".
    """
    if not predictions.lookups:
        return []
    validate_gold(gold)
    spans = gold_spans(gold, texts)
    keys = speaker_keys(gold)
    by_group: dict[str, list[tuple[GoldQuote, Span]]] = defaultdict(list)
    for quote, span in zip(gold.quotes, spans, strict=True):
        if quote.group is not None:
            by_group[quote.group].append((quote, span))
    answers: dict[str, deque[PredictedLookup]] = defaultdict(deque)
    for lookup in predictions.lookups:
        answers[lookup.q].append(lookup)
    outcomes = []
    for query in gold.queries:
        pending = answers.get(query.q)
        answer = pending.popleft() if pending else None
        matched = answer is not None and answer.match
        variants = answer.variants if answer is not None and answer.match else ()
        speaker = answer.speaker if answer is not None and answer.match else None
        if query.why == "negative":
            correct, recall = not matched, None
        else:
            group_quotes = by_group.get(query.group, []) if query.group is not None else []
            correct = (
                matched
                and _same_speaker(query.speaker, speaker, keys)
                and any(_is_gold_variant(v, group_quotes, texts) for v in variants)
            )
            wanted = set(query.files)
            found = {variant.file for variant in variants}
            recall = len(wanted & found) / len(wanted) if wanted else None
        outcomes.append(
            QueryOutcome(
                q=query.q,
                why=query.why,
                correct=correct,
                outlet_recall=recall,
                answered=matched,
                speaker=speaker,
            )
        )
    return outcomes


def _lookup_score(outcomes: Sequence[QueryOutcome]) -> LookupScore:
    correct = sum(outcome.correct for outcome in outcomes)
    recalls = [o.outlet_recall for o in outcomes if o.outlet_recall is not None]
    return LookupScore(
        accuracy=_ratio(correct, len(outcomes)),
        correct=correct,
        total=len(outcomes),
        outlet_recall=sum(recalls) / len(recalls) if recalls else None,
    )


# ---------------------------------------------------------------- the report


def score(gold: Gold, predictions: Predictions, texts: Mapping[str, str]) -> Report:
    """All of eval's scores: extraction, speaker, grouping, lookup, and per file.

    ``texts`` holds each gold article's text by its gold file path. Predicted quotes in files
    the gold file does not list are ignored.
    """
    validate_gold(gold)
    golds = gold_spans(gold, texts)
    files = [article.file for article in gold.articles]
    known = set(files)
    predicted = [quote for quote in predictions.quotes if quote.file in known]
    predicted_spans = [
        trimmed_span(quote.file, texts[quote.file], quote.start, quote.end) for quote in predicted
    ]
    pairs = [(gold.quotes[g], predicted[p]) for g, p in match_quotes(golds, predicted_spans, texts)]
    keys = speaker_keys(gold)

    file_scores = {}
    for file in files:
        in_file = [(g, p) for g, p in pairs if g.file == file]
        file_scores[file] = FileScore(
            extraction=_extraction(
                gold=sum(quote.file == file for quote in gold.quotes),
                predicted=sum(quote.file == file for quote in predicted),
                matched=len(in_file),
            ),
            speaker=_speaker(in_file, keys),
        )

    outcomes = lookup_outcomes(gold, predictions, texts)
    lookup: dict[str, LookupScore] = {
        why: _lookup_score([o for o in outcomes if o.why == why]) for why in WHYS
    }
    lookup[OVERALL] = _lookup_score(outcomes)
    return Report(
        extraction=_extraction(gold=len(gold.quotes), predicted=len(predicted), matched=len(pairs)),
        speaker=_speaker(pairs, keys),
        grouping=_grouping([(g.file, g.group, p.group) for g, p in pairs]),
        lookup=lookup,
        files=file_scores,
    )
