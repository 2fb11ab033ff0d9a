"""The eval scores (index.scores) on tiny invented gold files and predictions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import msgspec
import pytest

from index.errors import GoldError
from index.evaluate.gold import (
    WHYS,
    Gold,
    GoldArticle,
    GoldQuery,
    GoldQuote,
    GoldSpeaker,
    PairScore,
    PredictedLookup,
    PredictedQuote,
    PredictedVariant,
    Predictions,
)
from index.evaluate.scores import lookup_outcomes, score
from index.evaluate.spans import compare_key, gold_spans, normalise

ANN = GoldSpeaker(
    id="ann-lee",
    name="Ann Lee",
    aliases=("Ms Lee", "Lee", "The minister", "Canada´s Minister Ann Lee"),
)
BOB = GoldSpeaker(id="bob-roe", name="Bob Roe", aliases=("Mr Roe",))


def make_gold(
    texts: Mapping[str, str],
    quotes: Sequence[tuple[str, str, str | None, str | None]],
    queries: Sequence[GoldQuery] = (),
) -> Gold:
    return Gold(
        articles=tuple(GoldArticle(file=file, outlet=f"Outlet {file}") for file in texts),
        speakers=(ANN, BOB),
        quotes=tuple(
            GoldQuote(file=file, text=text, speaker=speaker, group=group)
            for file, text, speaker, group in quotes
        ),
        queries=tuple(queries),
    )


def predicted(
    texts: Mapping[str, str],
    file: str,
    text: str,
    speaker: str | None = None,
    group: str | None = None,
    *,
    occurrence: int = 0,
) -> PredictedQuote:
    """A predicted quote at the n-th occurrence of ``text`` in ``file``."""
    start = -1
    for _ in range(occurrence + 1):
        start = texts[file].index(text, start + 1)
    return PredictedQuote(
        file=file, start=start, end=start + len(text), text=text, speaker=speaker, group=group
    )


def span_quote(texts: Mapping[str, str], file: str, start: int, end: int) -> PredictedQuote:
    return PredictedQuote(file=file, start=start, end=end, text=texts[file][start:end])


# ---------------------------------------------------------------- normalisation


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("“Hello,” she said.", '"Hello," she said'),
        ("it’s ‘core’", "it's 'core'"),
        ("China´s President", "China's President"),  # the acute accent used as an apostrophe
        ("  a \n\n b\u00a0 c  ", "a b c"),
        ("Done!?.;:, ", "Done"),
        ("…and so…", "and so"),  # NFKC first, then the edge trim
        ("ﬁrm", "firm"),  # NFKC ligature
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_compare_key_case_folds() -> None:
    assert compare_key("STRASSE’s") == compare_key("straße's")


# ---------------------------------------------------------------- extraction: the 80% rule

TEN = 'A said "0123456789" today.'
GOLD_LONGER_8 = 'A said "01234567"89 today.'
GOLD_LONGER_7 = 'A said "0123456"789 today.'
PUNCTUATED = 'A said "abc,.;" today.'
TRAILING = 'A said "abcd" ,;:!? today.'
SPACED = 'A said "a          bcdefghij" today.'


@pytest.mark.parametrize(
    ("text", "gold_text", "span", "matches"),
    [
        pytest.param(TEN, "0123456789", (8, 18), True, id="same-span"),
        pytest.param(TEN, "0123456789", (8, 16), True, id="prediction-80pct-of-gold"),
        pytest.param(TEN, "0123456789", (8, 15), False, id="prediction-70pct-of-gold"),
        pytest.param(TEN, "0123456789", (10, 18), True, id="prediction-80pct-tail"),
        pytest.param(GOLD_LONGER_8, "01234567", (8, 18), True, id="gold-80pct-of-prediction"),
        pytest.param(GOLD_LONGER_7, "0123456", (8, 18), False, id="gold-70pct-of-prediction"),
        pytest.param(TEN, "0123456789", (18, 24), False, id="disjoint"),
        # Trimmed of ",.;" the gold span is "abc": equal to the prediction (3 of 6 untrimmed).
        pytest.param(PUNCTUATED, "abc,.;", (8, 11), True, id="gold-edge-punctuation-trimmed"),
        # 'abcd" ,;:!?' is trimmed to 'abcd"': 4 of 5 (4 of 11 untrimmed).
        pytest.param(TRAILING, "abcd", (8, 19), True, id="prediction-edge-punctuation-trimmed"),
        pytest.param(TEN, "0123456789", (7, 17), True, id="a-mark-is-not-trimmed-9-of-10"),
        # 9 of 20 raw characters, but 9 of 11 normalised ones ("a bcdefghij").
        pytest.param(SPACED, "a          bcdefghij", (19, 28), True, id="whitespace-collapsed"),
        pytest.param(SPACED, "a          bcdefghij", (20, 28), False, id="collapsed-but-short"),
    ],
)
def test_extraction_overlap_threshold(
    text: str, gold_text: str, span: tuple[int, int], matches: bool
) -> None:
    texts = {"a.txt": text}
    gold = make_gold(texts, [("a.txt", gold_text, None, "g")])
    report = score(gold, Predictions(quotes=(span_quote(texts, "a.txt", *span),)), texts)
    assert report.extraction.matched == int(matches)
    assert report.extraction.gold == 1
    assert report.extraction.predicted == 1
    assert report.extraction.precision == report.extraction.recall == float(matches)


def test_quotes_match_only_within_their_file() -> None:
    texts = {"a.txt": TEN, "b.txt": TEN}
    gold = make_gold(texts, [("a.txt", "0123456789", None, "g")])
    report = score(gold, Predictions(quotes=(predicted(texts, "b.txt", "0123456789"),)), texts)
    assert report.extraction.matched == 0
    assert report.files["b.txt"].extraction.predicted == 1
    assert report.files["a.txt"].extraction.gold == 1


def test_predictions_in_files_the_gold_does_not_list_are_ignored() -> None:
    texts = {"a.txt": TEN}
    gold = make_gold(texts, [("a.txt", "0123456789", None, "g")])
    stray = PredictedQuote(file="elsewhere.txt", start=0, end=3, text="abc")
    report = score(gold, Predictions(quotes=(stray,)), texts)
    assert report.extraction.predicted == 0


def test_matching_is_one_to_one() -> None:
    texts = {"a.txt": TEN}
    gold = make_gold(texts, [("a.txt", "0123456789", None, "g")])
    twice = (span_quote(texts, "a.txt", 8, 18), span_quote(texts, "a.txt", 8, 17))
    report = score(gold, Predictions(quotes=twice), texts)
    assert (report.extraction.gold, report.extraction.predicted, report.extraction.matched) == (
        1,
        2,
        1,
    )
    assert report.extraction.precision == 0.5
    assert report.extraction.recall == 1.0
    assert report.extraction.f1 == pytest.approx(2 / 3)


NESTED = 'A said "abcdefghijkl" today.'


def test_matching_takes_the_largest_overlap_first() -> None:
    # Gold: the long quote (Ann) and the short one inside it (Bob). The first prediction
    # (Bob, short) also qualifies for the long gold quote; taken in prediction order it would
    # steal it. Largest overlap first pairs long with long and short with short.
    texts = {"a.txt": NESTED}
    gold = make_gold(
        texts,
        [("a.txt", "abcdefghijkl", "ann-lee", "g1"), ("a.txt", "abcdefghij", "bob-roe", "g2")],
    )
    short = predicted(texts, "a.txt", "abcdefghij", speaker="Bob Roe")
    long = predicted(texts, "a.txt", "abcdefghijkl", speaker="Ann Lee")
    report = score(gold, Predictions(quotes=(short, long)), texts)
    assert report.extraction.matched == 2
    assert (report.speaker.correct, report.speaker.total) == (2, 2)


def test_matching_is_greedy_not_maximal() -> None:
    # P1 (10 chars) fits G1 exactly and G2 (11) at 10/11; P2 (8) fits only G1 (8/10).
    # Greedy gives P1-G1 first and leaves P2 and G2 unmatched, though two pairs were possible.
    texts = {"a.txt": 'A said "abcdefghijk" today.'}
    gold = make_gold(
        texts, [("a.txt", "abcdefghij", None, "g1"), ("a.txt", "abcdefghijk", None, "g2")]
    )
    p1 = predicted(texts, "a.txt", "abcdefghij")
    p2 = predicted(texts, "a.txt", "abcdefgh")
    report = score(gold, Predictions(quotes=(p1, p2)), texts)
    assert report.extraction.matched == 1


def test_repeated_gold_texts_claim_successive_occurrences() -> None:
    texts = {"a.txt": "The ‘core’ issue and the ‘core’ interests, core."}
    gold = make_gold(texts, [("a.txt", "core", None, "g"), ("a.txt", "core", None, "g")])
    spans = gold_spans(gold, texts)
    assert [(s.start, s.end) for s in spans] == [(5, 9), (26, 30)]
    # The unquoted third "core" does not match either gold quote.
    report = score(
        gold, Predictions(quotes=(predicted(texts, "a.txt", "core", occurrence=2),)), texts
    )
    assert report.extraction.matched == 0


# ---------------------------------------------------------------- speakers

SPEECH = "Ann Lee said: “We will build the bridge.” A sign read “Keep out”."


@pytest.mark.parametrize(
    ("name", "correct"),
    [
        ("Ann Lee", True),
        ("ann lee", True),
        ("MS LEE", True),
        ("Lee", True),
        ("the minister", True),
        ("Canada's Minister Ann Lee", True),  # straight apostrophe vs the gold's acute accent
        ("Canada’s Minister Ann Lee", True),  # curly apostrophe
        ("Ann Lee.", True),  # trailing punctuation
        ("  Ann \n Lee ", True),  # whitespace
        ("she", False),  # pronouns are never aliases
        ("Ann", False),
        ("Bob Roe", False),
        (None, False),
    ],
)
def test_speaker_matches_name_or_alias(name: str | None, correct: bool) -> None:
    texts = {"a.txt": SPEECH}
    gold = make_gold(texts, [("a.txt", "We will build the bridge.", "ann-lee", "g")])
    quote = predicted(texts, "a.txt", "We will build the bridge.", speaker=name)
    report = score(gold, Predictions(quotes=(quote,)), texts)
    assert (report.speaker.correct, report.speaker.total) == (int(correct), 1)
    assert report.files["a.txt"].speaker.correct == int(correct)


def test_gold_null_quotes_given_a_speaker_are_counted_apart() -> None:
    texts = {"a.txt": SPEECH + " Then “Stop” and “Go”."}
    gold = make_gold(
        texts,
        [
            ("a.txt", "We will build the bridge.", "ann-lee", "g1"),
            ("a.txt", "Keep out", None, "g2"),
            ("a.txt", "Stop", None, "g3"),
            ("a.txt", "Go", None, "g4"),
        ],
    )
    quotes = (
        predicted(texts, "a.txt", "We will build the bridge.", speaker="Ann Lee"),
        predicted(texts, "a.txt", "Keep out", speaker="Ann Lee"),
        predicted(texts, "a.txt", "Stop", speaker=None),
        predicted(texts, "a.txt", "Go", speaker="Bob Roe"),
    )
    report = score(gold, Predictions(quotes=quotes), texts)
    assert report.speaker.total == 1
    assert report.speaker.correct == 1
    assert report.speaker.null_given_speaker == 2
    assert report.files["a.txt"].speaker.null_given_speaker == 2


def test_speaker_accuracy_counts_matched_quotes_only() -> None:
    texts = {"a.txt": SPEECH}
    gold = make_gold(
        texts,
        [("a.txt", "We will build the bridge.", "ann-lee", "g1"), ("a.txt", "Keep out", None, "g")],
    )
    report = score(gold, Predictions(), texts)
    assert (report.speaker.total, report.speaker.accuracy) == (0, 0.0)


# ---------------------------------------------------------------- grouping

GROUP_TEXTS = {
    "a.txt": "“one one one” and “three three”.",
    "b.txt": "“two two two” and “four four”.",
    "c.txt": "“five five” and “six six”.",
}


def test_grouping_pairs_all_and_cross_file() -> None:
    # q1..q5 matched; q6 (gold g1) unmatched and a stray prediction in p1 match nothing.
    #   q1 a g1 p1 | q2 b g1 p1 | q3 a g1 p2 | q4 b g2 p2 | q5 c g2 (no predicted group)
    # gold pairs: q1q2 q1q3 q2q3 q4q5 (cross-file: all but q1q3); predicted: q1q2, q3q4.
    texts = GROUP_TEXTS
    gold = make_gold(
        texts,
        [
            ("a.txt", "one one one", None, "g1"),
            ("b.txt", "two two two", None, "g1"),
            ("a.txt", "three three", None, "g1"),
            ("b.txt", "four four", None, "g2"),
            ("c.txt", "five five", None, "g2"),
            ("c.txt", "six six", None, "g1"),
        ],
    )
    quotes = (
        predicted(texts, "a.txt", "one one one", group="p1"),
        predicted(texts, "b.txt", "two two two", group="p1"),
        predicted(texts, "a.txt", "three three", group="p2"),
        predicted(texts, "b.txt", "four four", group="p2"),
        predicted(texts, "c.txt", "five five", group=None),
        predicted(texts, "c.txt", "and", group="p1"),  # unmatched: no pairs
    )
    grouping = score(gold, Predictions(quotes=quotes), texts).grouping
    assert (grouping.all.precision, grouping.all.recall) == (0.5, 0.25)
    assert grouping.all.f1 == pytest.approx(1 / 3)
    assert grouping.cross_file.precision == 0.5
    assert grouping.cross_file.recall == pytest.approx(1 / 3)
    assert grouping.cross_file.f1 == pytest.approx(0.4)


def test_grouping_same_file_pairs_are_not_cross_file() -> None:
    texts = GROUP_TEXTS
    gold = make_gold(
        texts, [("a.txt", "one one one", None, "g"), ("a.txt", "three three", None, "g")]
    )
    quotes = (
        predicted(texts, "a.txt", "one one one", group="p"),
        predicted(texts, "a.txt", "three three", group="p"),
    )
    grouping = score(gold, Predictions(quotes=quotes), texts).grouping
    assert grouping.all == PairScore(precision=1.0, recall=1.0, f1=1.0)
    assert grouping.cross_file == PairScore(precision=0.0, recall=0.0, f1=0.0)


def test_grouping_without_predicted_groups_predicts_no_pairs() -> None:
    texts = GROUP_TEXTS
    gold = make_gold(
        texts, [("a.txt", "one one one", None, "g"), ("b.txt", "two two two", None, "g")]
    )
    quotes = (predicted(texts, "a.txt", "one one one"), predicted(texts, "b.txt", "two two two"))
    grouping = score(gold, Predictions(quotes=quotes), texts).grouping
    assert grouping.all == PairScore(precision=0.0, recall=0.0, f1=0.0)


# ---------------------------------------------------------------- lookups

BRIDGE = "We will build the bridge next year"
LOOKUP_TEXTS = {
    "a.txt": f"Ann Lee said: “{BRIDGE}.” Bob Roe said “Never”.",
    "b.txt": "Ms Lee said the ‘bridge’ would be built: “we will build the bridge next year”.",
    "c.txt": f"Nobody said: {BRIDGE}. Ann Lee said “The river is high”.",
}
LOOKUP_QUOTES: list[tuple[str, str, str | None, str | None]] = [
    ("a.txt", f"{BRIDGE}.", "ann-lee", "bridge"),
    ("a.txt", "Never", "bob-roe", "never"),
    ("b.txt", "bridge", "ann-lee", "bridge"),
    ("b.txt", BRIDGE.lower(), "ann-lee", "bridge"),
    ("c.txt", "The river is high", "ann-lee", "river"),
]
BRIDGE_QUERY = GoldQuery(
    q="Will they build the bridge?",
    why="paraphrase",
    speaker="ann-lee",
    group="bridge",
    files=("a.txt", "b.txt"),
)


def at(file: str, text: str) -> PredictedVariant:
    start = LOOKUP_TEXTS[file].index(text)
    return PredictedVariant(file=file, text=text, start=start, end=start + len(text))


def answer(speaker: str | None, *variants: PredictedVariant) -> PredictedLookup:
    return PredictedLookup(q=BRIDGE_QUERY.q, match=True, speaker=speaker, variants=variants)


NO_MATCH = PredictedLookup(q=BRIDGE_QUERY.q, match=False)


@pytest.mark.parametrize(
    ("lookup", "correct"),
    [
        pytest.param(answer("Ann Lee", at("a.txt", BRIDGE)), True, id="equal-text"),
        pytest.param(
            answer("Ann Lee", PredictedVariant(file="a.txt", text="WE WILL BUILD THE BRIDGE")),
            True,
            id="contained-words-no-offsets",
        ),
        pytest.param(answer("ms lee", at("a.txt", "build the bridge")), True, id="alias-3-words"),
        pytest.param(answer("Ann Lee", at("a.txt", "the bridge")), False, id="only-2-words"),
        pytest.param(
            answer("Ann Lee", at("a.txt", "uild the bridge")), False, id="not-at-word-boundary"
        ),
        pytest.param(
            answer("Ann Lee", at("b.txt", "said the ‘bridge’ would be built: “we will build")),
            False,
            id="one-word-gold-quote-inside-variant",
        ),
        pytest.param(
            answer("Ann Lee", at("b.txt", "built: “we will build the bridge next year”.")),
            True,
            id="gold-contained-in-variant",
        ),
        pytest.param(
            answer("Ann Lee", at("a.txt", "e will build the bridge next year")),
            True,
            id="same-file-overlap-80pct",
        ),
        pytest.param(
            answer("Ann Lee", at("a.txt", "e will build the b")),
            False,
            id="same-file-overlap-below-80pct",
        ),
        pytest.param(
            answer("Ann Lee", at("c.txt", "e will build the bridge next year")),
            False,
            id="overlap-needs-a-gold-quote-of-the-file",
        ),
        pytest.param(answer("Ann Lee", at("c.txt", "The river is high")), False, id="other-group"),
        pytest.param(answer("Bob Roe", at("a.txt", BRIDGE)), False, id="wrong-speaker"),
        pytest.param(answer(None, at("a.txt", BRIDGE)), False, id="no-speaker"),
        pytest.param(answer("Ann Lee"), False, id="no-variants"),
        pytest.param(NO_MATCH, False, id="no-match"),
    ],
)
def test_lookup_rules(lookup: PredictedLookup, correct: bool) -> None:
    gold = make_gold(LOOKUP_TEXTS, LOOKUP_QUOTES, [BRIDGE_QUERY])
    report = score(gold, Predictions(lookups=(lookup,)), LOOKUP_TEXTS)
    assert (report.lookup["paraphrase"].correct, report.lookup["paraphrase"].total) == (
        int(correct),
        1,
    )
    assert report.lookup["overall"].correct == int(correct)


@pytest.mark.parametrize(("speaker", "correct"), [(None, True), ("Ann Lee", False)])
def test_lookup_gold_null_speaker_needs_a_null_answer(speaker: str | None, correct: bool) -> None:
    texts = {"a.txt": "A sign read “Keep out of the water”."}
    query = GoldQuery(q="keep out", why="exact", speaker=None, group="sign", files=("a.txt",))
    gold = make_gold(texts, [("a.txt", "Keep out of the water", None, "sign")], [query])
    variant = PredictedVariant(file="a.txt", text="Keep out of the water")
    lookup = PredictedLookup(q="keep out", match=True, speaker=speaker, variants=(variant,))
    report = score(gold, Predictions(lookups=(lookup,)), texts)
    assert report.lookup["exact"].correct == int(correct)


@pytest.mark.parametrize(("match", "correct"), [(False, True), (True, False)])
def test_negative_lookup_wants_no_match(match: bool, correct: bool) -> None:
    query = GoldQuery(q="Bob said the bridge is cancelled", why="negative")
    gold = make_gold(LOOKUP_TEXTS, LOOKUP_QUOTES, [query])
    variants = (at("a.txt", BRIDGE),) if match else ()
    lookup = PredictedLookup(q=query.q, match=match, speaker="Ann Lee", variants=variants)
    report = score(gold, Predictions(lookups=(lookup,)), LOOKUP_TEXTS)
    assert (report.lookup["negative"].correct, report.lookup["negative"].total) == (int(correct), 1)
    assert report.lookup["negative"].outlet_recall is None
    assert report.lookup["overall"].outlet_recall is None


@pytest.mark.parametrize(
    ("lookup", "recall", "correct"),
    [
        pytest.param(answer("Ann Lee", at("a.txt", BRIDGE)), 0.5, True, id="one-of-two-files"),
        pytest.param(
            answer("Bob Roe", at("a.txt", BRIDGE), at("b.txt", BRIDGE.lower())),
            1.0,
            False,
            id="both-files-wrong-speaker",
        ),
        pytest.param(answer("Ann Lee", at("c.txt", "The river")), 0.0, False, id="other-file"),
        pytest.param(NO_MATCH, 0.0, False, id="no-match"),
    ],
)
def test_outlet_recall(lookup: PredictedLookup, recall: float, correct: bool) -> None:
    negative = GoldQuery(q="Bob said the bridge is cancelled", why="negative")
    gold = make_gold(LOOKUP_TEXTS, LOOKUP_QUOTES, [BRIDGE_QUERY, negative])
    no_match = PredictedLookup(q=negative.q, match=False)
    report = score(gold, Predictions(lookups=(lookup, no_match)), LOOKUP_TEXTS)
    assert report.lookup["paraphrase"].outlet_recall == recall
    assert report.lookup["paraphrase"].correct == int(correct)
    # Overall outlet recall averages over the non-negative queries only.
    assert report.lookup["overall"].outlet_recall == recall
    assert report.lookup["overall"].total == 2


def test_lookups_pair_with_queries_by_text_and_missing_ones_count_as_no_match() -> None:
    other = GoldQuery(q="Who said never?", why="exact", speaker="bob-roe", group="never", files=())
    gold = make_gold(LOOKUP_TEXTS, LOOKUP_QUOTES, [BRIDGE_QUERY, other])
    never = PredictedLookup(
        q=other.q, match=True, speaker="Mr Roe", variants=(at("a.txt", "Never"),)
    )
    outcomes = lookup_outcomes(gold, Predictions(lookups=(never,)), LOOKUP_TEXTS)
    assert [(o.q, o.correct, o.answered) for o in outcomes] == [
        (BRIDGE_QUERY.q, False, False),
        (other.q, True, True),
    ]
    assert outcomes[1].outlet_recall is None  # a query that lists no files


def test_without_lookups_every_lookup_total_is_zero() -> None:
    gold = make_gold(LOOKUP_TEXTS, LOOKUP_QUOTES, [BRIDGE_QUERY])
    report = score(gold, Predictions(), LOOKUP_TEXTS)
    assert list(report.lookup) == [*WHYS, "overall"]
    assert all(entry.total == 0 and entry.accuracy == 0.0 for entry in report.lookup.values())
    assert all(entry.outlet_recall is None for entry in report.lookup.values())


# ---------------------------------------------------------------- the gold file itself


def test_gold_ignores_unknown_keys_and_needs_no_optional_ones() -> None:
    raw = {
        "articles": [{"file": "a.txt", "outlet": "X", "extra": 1}],
        "speakers": [{"id": "s", "name": "S"}],
        "quotes": [{"file": "a.txt", "text": "hi", "speaker": "s", "group": "g", "mood": "?"}],
        "comment": "not a known key",
    }
    gold = msgspec.json.decode(msgspec.json.encode(raw), type=Gold)
    assert gold.queries == ()
    assert gold.speakers[0].aliases == ()


@pytest.mark.parametrize(
    ("quotes", "queries", "message"),
    [
        ([("z.txt", "0123456789", None, "g")], [], "not in articles"),
        ([("a.txt", "0123456789", "nobody", "g")], [], "unknown speaker"),
        ([("a.txt", "not in the text", None, "g")], [], "not found"),
        (
            [("a.txt", "0123456789", None, "g")],
            [GoldQuery(q="x", why="exact", speaker="nobody")],
            "unknown speaker",
        ),
        (
            [("a.txt", "0123456789", None, "g")],
            [GoldQuery(q="x", why="exact", files=("z.txt",))],
            "not in articles",
        ),
    ],
)
def test_malformed_gold_is_a_gold_error(
    quotes: list[tuple[str, str, str | None, str | None]],
    queries: list[GoldQuery],
    message: str,
) -> None:
    texts = {"a.txt": TEN}
    with pytest.raises(GoldError, match=message):
        score(make_gold(texts, quotes, queries), Predictions(), texts)
