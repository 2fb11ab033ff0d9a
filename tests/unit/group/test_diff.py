"""Word-level differences: typed edits with offsets into both texts."""

from __future__ import annotations

import pytest

from index.group.diff import diff_words
from index.models import Edit
from index.text.spelling import american_form, spelling_key

# (canonical, variant, expected edits as (op, canonical words, variant words))
CASES = [
    pytest.param(
        "The harbour authority will cooperate with the council.",
        "The harbor authority will co-operate with the council.",
        [("spelling", "harbour", "harbor"), ("spelling", "cooperate", "co-operate")],
        id="british-american-and-hyphenation",
    ),
    pytest.param(
        "We need a large-scale plan for the city centre",
        "We need a large scale plan for the city center",
        [("spelling", "large-scale", "large scale"), ("spelling", "centre", "center")],
        id="hyphen-against-space",
    ),
    pytest.param(
        "Farmers have been paralysed by the new catalogue of rules.",
        "Farmers have been paralyzed by the new catalog of rules.",
        [("spelling", "paralysed", "paralyzed"), ("spelling", "catalogue", "catalog")],
        id="yse-and-ogue",
    ),
    pytest.param(
        "Today, the harvest is better than we feared,",
        "today, the harvest is better than we feared.",
        [("case", "Today,", "today,"), ("punctuation", "feared,", "feared.")],
        id="case-and-final-mark",
    ),
    pytest.param(
        "The new rules will take effect in March, the minister said today",
        "The minister said today the new rules will take effect in March",
        [
            ("case", "The", "the"),
            ("punctuation", "March,", "March"),
            ("reordering", "the minister said today", "The minister said today"),
        ],
        id="moved-phrase-is-one-reordering",
    ),
    pytest.param(
        "We will defend our interests with firmness and resolve.",
        "With firmness and resolve, we will defend our interests.",
        [
            ("case", "We", "we"),
            ("punctuation", "interests", "interests."),
            ("reordering", "with firmness and resolve.", "With firmness and resolve,"),
        ],
        id="moved-to-the-front",
    ),
    pytest.param(
        "It is the people’s decision, not the U.S. government’s",
        "It is the people's decision, not the US government's",
        [
            ("punctuation", "people’s", "people's"),
            ("punctuation", "U.S. government’s", "US government's"),
        ],
        id="apostrophes-and-abbreviation",
    ),
    pytest.param(
        "We will rebuild the bridge, and we will rebuild it this year.",
        "We will rebuild the bridge ... this year.",
        [("punctuation", "bridge,", "bridge"), ("omission", "and we will rebuild it", "...")],
        id="ellipsis",
    ),
    pytest.param(
        "The talks were useful.",
        "The talks were very useful.",
        [("insertion", "", "very")],
        id="insertion",
    ),
    pytest.param(
        "They face the threat of harsh tariffs from abroad.",
        "They face the burden of unfair levies from abroad.",
        [("substitution", "threat of harsh tariffs", "burden of unfair levies")],
        id="substitution",
    ),
    pytest.param(
        "They complained about the weight of punishing tariffs from abroad.",
        "They complained about the tariffs of punishing weight from abroad.",
        [("substitution", "weight of punishing tariffs", "tariffs of punishing weight")],
        id="moved-word-reads-as-one-substitution",
    ),
]


def triples(edits: tuple[Edit, ...]) -> list[tuple[str, str, str]]:
    return [(edit.op, edit.canonical, edit.variant) for edit in edits]


@pytest.mark.parametrize(("canonical", "variant", "expected"), CASES)
def test_typed_edits(canonical: str, variant: str, expected: list[tuple[str, str, str]]) -> None:
    assert triples(diff_words(canonical, variant)) == expected


@pytest.mark.parametrize(("canonical", "variant", "expected"), CASES)
def test_offsets_point_at_the_words(canonical: str, variant: str, expected: object) -> None:
    for edit in diff_words(canonical, variant):
        assert canonical[edit.canonical_start : edit.canonical_end] == edit.canonical
        assert variant[edit.variant_start : edit.variant_end] == edit.variant


def test_equal_texts_have_no_edits() -> None:
    assert diff_words("Prices will fall.", "Prices will fall.") == ()


FULL = (
    "The ministry said the new bridge over the river will open to traffic"
    " in the spring of next year."
)


@pytest.mark.parametrize(
    ("fragment", "before", "after"),
    [
        ("bridge", "The ministry said the new", "over the river will open"),
        ("open to traffic", "The ministry said the new bridge over the river will", "in the"),
        ("The ministry said", None, "the new bridge over the river"),
        ("in the spring of next year.", "The ministry said the new bridge", None),
    ],
)
def test_fragment_leaves_one_omission_at_each_end(
    fragment: str, before: str | None, after: str | None
) -> None:
    edits = diff_words(FULL, fragment)
    assert all(edit.op == "omission" for edit in edits)
    expected = [side for side in (before, after) if side is not None]
    assert len(edits) == len(expected)
    for edit, start in zip(edits, expected, strict=True):
        assert edit.canonical.startswith(start)
        assert edit.variant == ""


def test_fragment_does_not_latch_onto_a_stray_function_word() -> None:
    # "the" occurs far from the fragment's own words; it must not split the leading omission.
    edits = diff_words(
        "Under the plan the council will restore the old harbour wall by June",
        "restore the old harbor wall",
    )
    assert triples(edits) == [
        ("omission", "Under the plan the council will", ""),
        ("spelling", "harbour", "harbor"),
        ("omission", "by June", ""),
    ]


def test_truncated_start_with_a_new_word_is_omission_then_substitution() -> None:
    edits = diff_words("The premier said both sides should raise exports", "must raise exports")
    assert triples(edits) == [
        ("omission", "The premier said both sides", ""),
        ("substitution", "should", "must"),
    ]


@pytest.mark.parametrize(
    ("british", "american"),
    [
        ("colourful", "colorful"),
        ("neighbourhoods", "neighborhoods"),
        ("modernisation", "modernization"),
        ("digitised", "digitized"),
        ("analysing", "analyzing"),
        ("theatres", "theaters"),
        ("monologue", "monolog"),
        ("travelled", "traveled"),
        ("enrolment", "enrollment"),
        ("skilful", "skillful"),
    ],
)
def test_suffix_rules_make_both_forms_meet(british: str, american: str) -> None:
    # The rules alone, without the word list: words it does not know still meet.
    assert american_form(british) == american_form(american)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Co-ordination", "coordination"),
        ("organisations", "organizations"),
        ("labour", "labor"),
        ("defence", "defense"),
        ("grey", "gray"),
        ("fulfil", "fulfill"),
        ("modelling", "modeling"),
        ("fuelled", "fueled"),
        ("Labour’s", "labor's"),
    ],
)
def test_spellings_of_one_word_share_a_key(left: str, right: str) -> None:
    assert spelling_key(left) == spelling_key(right)


@pytest.mark.parametrize(
    ("left", "right"),
    [("filled", "filed"), ("four", "for"), ("rise", "rose"), ("called", "caled")],
)
def test_different_words_keep_different_keys(left: str, right: str) -> None:
    assert spelling_key(left) != spelling_key(right)
