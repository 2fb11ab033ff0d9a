"""Speaker errors by class: each wrong speaker lands in one class; the worst files come first."""

from __future__ import annotations

from index.evaluate.errors import analyse_errors, error_class, folded_words, is_non_entity
from index.evaluate.gold import GoldQuote
from index.evaluate.spans import compare_key

NAMES = {"lee": ("Lee Min-ho",), "kim": ("Kim Ana", "Ana Kim")}
KEYS = {sid: frozenset(compare_key(n) for n in names) for sid, names in NAMES.items()}


def classify(gold: str | None, predicted: str | None) -> str | None:
    names = NAMES[gold] if gold is not None else None
    return error_class(names, predicted, KEYS[gold] if gold is not None else frozenset())


def test_right_speakers_are_no_error() -> None:
    assert classify("lee", "Lee Min-ho") is None
    assert classify("kim", "ana kim") is None
    assert classify(None, None) is None


def test_each_wrong_speaker_has_one_class() -> None:
    assert classify("lee", None) == "no_speaker"
    assert classify("lee", "Lee Min ho") == "name_form"
    assert classify("lee", "Min-ho") == "name_form"
    assert classify("kim", "Ana Lee") == "wrong_entity"
    assert classify("kim", "the woman") == "non_entity"
    assert classify("kim", "her plan") == "non_entity"
    assert classify("kim", "she") == "non_entity"
    assert classify("kim", "Lee Min-ho") == "wrong_entity"
    assert classify(None, "Kim Ana") == "null_given"


def test_name_helpers() -> None:
    assert folded_words("José Ramos-Horta") == ("jose", "ramos", "horta")
    assert is_non_entity("the decision")
    assert not is_non_entity("the White House")
    assert not is_non_entity("Mission Statement")


def test_analysis_counts_classes_skips_listed_nulls_and_ranks_files() -> None:
    def quote(file: str, text: str, speaker: str | None) -> GoldQuote:
        return GoldQuote(file=file, text=text, speaker=speaker, group=None)

    pairs = [
        (quote("a.txt", "one", "lee"), None),
        (quote("a.txt", "two", "kim"), "Lee Min-ho"),
        (quote("b.txt", "three", "kim"), "Kim Ana"),
        (quote("b.txt", "four", None), "Kim Ana"),
        (quote("b.txt", "five", None), "Kim Ana"),
    ]
    analysis = analyse_errors(pairs, NAMES, KEYS, skipped={("b.txt", "five")})
    assert analysis.counts == {
        "wrong_entity": 1,
        "no_speaker": 1,
        "non_entity": 0,
        "name_form": 0,
        "null_given": 1,
    }
    assert [(w.file, w.errors, w.scored) for w in analysis.worst] == [
        ("a.txt", 2, 2),
        ("b.txt", 1, 2),
    ]
    assert {error.text for error in analysis.errors} == {"one", "two", "four"}
