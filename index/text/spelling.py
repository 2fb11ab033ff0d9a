"""The key two spellings of one word share: folded, unhyphenated, American.

:func:`spelling_key` folds a word (:func:`index.text.normalise.fold`), drops its hyphens and
maps a British form to the American one, first by the word list that the ``breame`` package
ships and then by general suffix rules (:func:`american_form`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from index.text.normalise import fold

_HYPHENS = re.compile(r"[-\u2010\u2011]")
# Distinct words whose keys are kept; the cache is bounded so hostile queries cannot grow it.
CACHE_WORDS = 1 << 16

# British -> American spelling rules: (pattern, replacement), tried in order, first match wins.
# Mapping both sides of a comparison through the same rules makes the two forms meet; a rule
# that also changes a word with no second spelling (``promise`` -> ``promize``) changes it on
# both sides alike, and the stems the rules need (three letters before -ise, two vowels before
# a doubled l) keep short words such as rise, filled and called out of their way.
_SPELLING_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    # -isation/-ise/-ised/-ising/-iser -> -ization/-ize/...: organisation, characterised.
    (re.compile(r"(?<=[a-z]{3})is(ation|ations|e|ed|es|ing|er|ers|able)$"), r"iz\1"),
    # -yse -> -yze: analyse, paralysed, catalysing.
    (re.compile(r"(?<=[a-z]{2})ys(e|ed|es|ing|er|ers)$"), r"yz\1"),
    # -our -> -or: colour, labourers, favourite, honourable, behaviour, savoury.
    (
        re.compile(
            r"(?<=[a-z]{3})our(s|ed|ing|er|ers|ite|ites|able|ably|ful|less|hood|hoods|ist|y)?$"
        ),
        r"or\1",
    ),
    # -tre/-bre -> -ter/-ber: centre, theatres, metre, fibre, sombre.
    (re.compile(r"(?<=[a-z]{2})(t|b)re(s|d)?$"), r"\1er\2"),
    # -ogue -> -og: catalogue, dialogues, analogue.
    (re.compile(r"(?<=[a-z]{3})ogue(s)?$"), r"og\1"),
    # -lment/-lful (UK) against -llment/-llful (US): fulfilment, enrolment, skilful.
    (re.compile(r"(?<=[a-z]{2})ll(ment|ments|ful|fully)$"), r"l\1"),
)
# Doubled l before a suffix after an unstressed vowel (UK travelled, modelling, jeweller;
# US traveled, modeling, jeweler): a stem of two or more vowels, so call-ed and fill-ed keep it.
_DOUBLE_L = re.compile(r"^([a-z]*[aeiou][a-z]*[aeiou][a-z]*?)ll(ed|ing|er|ers|ery|or|ors|en)$")
# Word-final doubled l after two or more vowels (US fulfill, enroll, instill; UK fulfil, enrol).
_FINAL_DOUBLE_L = re.compile(r"^([a-z]*[aeiou][a-z]*[aeiou][a-z]*?)ll$")


@lru_cache(maxsize=1)
def _british_to_american() -> dict[str, str]:
    from breame.data.spelling_constants import (  # type: ignore[import-untyped]
        BRITISH_ENGLISH_SPELLINGS,
    )

    mapping: dict[str, str] = BRITISH_ENGLISH_SPELLINGS
    return mapping


def american_form(word: str) -> str:
    """The American form of a folded British word by general suffix rules (else the word)."""
    for pattern, replacement in _SPELLING_RULES:
        changed, count = pattern.subn(replacement, word)
        if count:
            return changed
    changed, count = _DOUBLE_L.subn(r"\1l\2", word)
    if count:
        return changed
    return _FINAL_DOUBLE_L.sub(r"\1l", word)


@lru_cache(maxsize=CACHE_WORDS)
def spelling_key(word: str) -> str:
    """The form two spellings of one word share: folded, unhyphenated, American."""
    folded = _HYPHENS.sub("", fold(word))
    base, apostrophe, ending = folded.partition("'")
    if apostrophe:  # labour's -> labor's
        return spelling_key(base) + apostrophe + ending
    if not folded.isalpha():
        return folded
    # The list first (irregular pairs: grey/gray, programme/program), then the rules, on
    # both forms alike, so that each side of a pair lands on the same key.
    return american_form(_british_to_american().get(folded, folded))
