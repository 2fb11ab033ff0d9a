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
from collections import Counter, defaultdict, deque
from collections.abc import Collection, Iterable, Mapping, Sequence

from index.evaluate.errors import analyse_errors
from index.evaluate.gold import (
    OVERALL,
    WHYS,
    ErrorAnalysis,
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
from index.evaluate.spans import (
    Span,
    compare_key,
    gold_spans,
    match_quotes,
    spans_match,
    trimmed_span,
    validate_gold,
)

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


def _matched(
    gold: Gold, predictions: Predictions, texts: Mapping[str, str]
) -> tuple[list[PredictedQuote], list[tuple[GoldQuote, PredictedQuote]]]:
    """The predicted quotes of the gold's files, and the matched (gold, predicted) pairs."""
    golds = gold_spans(gold, texts)
    known = {article.file for article in gold.articles}
    predicted = [quote for quote in predictions.quotes if quote.file in known]
    predicted_spans = [
        trimmed_span(quote.file, texts[quote.file], quote.start, quote.end) for quote in predicted
    ]
    pairs = [(gold.quotes[g], predicted[p]) for g, p in match_quotes(golds, predicted_spans, texts)]
    return predicted, pairs


def speaker_errors(
    gold: Gold,
    predictions: Predictions,
    texts: Mapping[str, str],
    skipped: Collection[tuple[str, str]] = (),
) -> ErrorAnalysis:
    """The matched quotes' speaker errors by class (:mod:`index.evaluate.errors`).

    ``skipped`` holds (file, compare-form text) of gold-null quotes whose source exists but
    could not be named: they are left out of ``null_given``.
    """
    validate_gold(gold)
    _, pairs = _matched(gold, predictions, texts)
    return analyse_errors(
        ((g, p.speaker) for g, p in pairs),
        {s.id: (s.name, *s.aliases) for s in gold.speakers},
        speaker_keys(gold),
        skipped,
    )


def score(gold: Gold, predictions: Predictions, texts: Mapping[str, str]) -> Report:
    """All of eval's scores: extraction, speaker, grouping, lookup, and per file.

    ``texts`` holds each gold article's text by its gold file path. Predicted quotes in files
    the gold file does not list are ignored.
    """
    validate_gold(gold)
    files = [article.file for article in gold.articles]
    predicted, pairs = _matched(gold, predictions, texts)
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
