"""Speaker errors by class: the instrument for working through a development corpus.

Every matched quote whose speaker is wrong falls in exactly one class:

- ``no_speaker``: the gold names a speaker, the system gave none;
- ``name_form``: the system named the right person in another form (accents, hyphens or
  punctuation differ from a gold name, or the gold name's words are a part of the given one's
  or the other way round, with the same last word: a bare surname, a title kept);
- ``non_entity``: the system gave something that is not a name (a pronoun, or a phrase with no
  capitalised word after its determiner, such as "the woman" or "her plan");
- ``wrong_entity``: the system named someone else;
- ``null_given``: the gold has nobody (a title, a scare quote) and the system gave a speaker.
  Quotes listed as ``skipped`` (gold null only because the source could not be named) are left
  out, as the PolNeAR README asks.

Pure functions; :func:`analyse_errors` is called by :func:`index.evaluate.scores.score`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence

from index.evaluate.gold import (
    ERROR_CLASSES,
    ErrorAnalysis,
    ErrorClass,
    FileErrors,
    GoldQuote,
    SpeakerError,
)
from index.evaluate.spans import compare_key

WORST_FILES = 10
_PRONOUNS = frozenset(
    "i you he she it we they him her them his hers its our their this that these those".split()
)
_DETERMINERS = frozenset("the a an his her its their our my your this that these those".split())
_NON_WORD = re.compile(r"[^\w]+")


def folded_words(name: str) -> tuple[str, ...]:
    """A name's words without accents, case or punctuation ("Lee Min-ho" -> lee, min, ho)."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return tuple(word for word in _NON_WORD.split(plain.casefold()) if word)


def is_non_entity(name: str) -> bool:
    """Whether a given speaker is no name at all: a pronoun or an uncapitalised phrase."""
    words = name.split()
    if not words:
        return True
    if len(words) == 1 and words[0].casefold() in _PRONOUNS:
        return True
    rest = words[1:] if words[0].casefold() in _DETERMINERS else words
    return not any(word[:1].isupper() for word in rest)


def _same_person_other_form(predicted: str, accepted: Sequence[str]) -> bool:
    """Same words but for accents and punctuation as an accepted name, or the words of the gold
    name in part or in full with more (a bare surname, a title kept), ending alike."""
    mine = folded_words(predicted)
    if not mine or not accepted:
        return False
    if any(mine == folded_words(name) for name in accepted):
        return True
    theirs = folded_words(accepted[0])
    if not theirs or mine[-1] != theirs[-1]:
        return False
    return set(mine) <= set(theirs) or set(theirs) <= set(mine)


def error_class(
    gold_names: Sequence[str] | None, predicted: str | None, keys: Collection[str]
) -> ErrorClass | None:
    """The class of one matched quote's speaker error, or None when it is right.

    ``gold_names`` are the gold speaker's name and aliases (None for a gold-null quote);
    ``keys`` are the same names in compare form.
    """
    if gold_names is None:
        return None if predicted is None else "null_given"
    if predicted is None:
        return "no_speaker"
    if compare_key(predicted) in keys:
        return None
    if _same_person_other_form(predicted, gold_names):
        return "name_form"
    if is_non_entity(predicted):
        return "non_entity"
    return "wrong_entity"


def analyse_errors(
    pairs: Iterable[tuple[GoldQuote, str | None]],
    names: Mapping[str, tuple[str, ...]],
    keys: Mapping[str, frozenset[str]],
    skipped: Collection[tuple[str, str]] = (),
) -> ErrorAnalysis:
    """Classify the speaker of each (gold quote, predicted speaker) pair of matched quotes.

    ``names`` and ``keys`` map gold speaker ids to their accepted names (plain and compare
    form); ``skipped`` holds (file, compare-form text) of gold-null quotes not to count.
    """
    errors: list[SpeakerError] = []
    scored: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    for quote, predicted in pairs:
        if quote.speaker is None and (quote.file, compare_key(quote.text)) in skipped:
            continue
        scored[quote.file] += 1
        accepted = names[quote.speaker] if quote.speaker is not None else None
        own_keys = keys[quote.speaker] if quote.speaker is not None else frozenset()
        kind = error_class(accepted, predicted, own_keys)
        if kind is None:
            continue
        wrong[quote.file] += 1
        gold_name = accepted[0] if accepted else None
        errors.append(
            SpeakerError(
                file=quote.file, text=quote.text, kind=kind, gold=gold_name, predicted=predicted
            )
        )
    counts = Counter(error.kind for error in errors)
    worst = sorted(wrong, key=lambda file: (-wrong[file], file))[:WORST_FILES]
    return ErrorAnalysis(
        counts={kind: counts[kind] for kind in ERROR_CLASSES},
        worst=tuple(FileErrors(file=f, errors=wrong[f], scored=scored[f]) for f in worst),
        errors=tuple(errors),
    )
