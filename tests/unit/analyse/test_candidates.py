"""Speaker candidates and their features, on invented news sentences."""

from __future__ import annotations

from functools import cache

from index.analyse.attribute import Attribution, attribute_speakers
from index.analyse.candidates import Candidate, form_of
from index.analyse.extract import extract_quotes
from index.analyse.language import load_language
from index.models import Article


@cache
def _nlp():  # type: ignore[no-untyped-def]
    return load_language()


def attribution(text: str) -> Attribution:
    article = Article(id="a", outlet="o", text=text)
    return attribute_speakers(article, extract_quotes(article), _nlp())


def candidates_of(result: Attribution, fragment: str) -> dict[str | None, Candidate]:
    quote = next(q for q in result.quotes if fragment in q.text)
    return {c.entity.name if c.entity else None: c for c in result.candidates[quote.id]}


def test_cue_after_the_quote_marks_its_subject() -> None:
    result = attribution(
        "Finance Minister Anna Berg presented the budget.\n"
        "“We will cut taxes for families,” Berg said on Tuesday."
    )
    found = candidates_of(result, "cut taxes")
    berg = found["Anna Berg"].features
    assert berg["rule_after"] == 1.0
    assert berg["rule_form_name"] == 1.0
    assert berg["speech_subject_sentence"] == 1.0
    assert berg["kind_person"] == 1.0 and berg["full_name"] == 1.0
    assert found[None].features["null_rule_none"] == 0.0


def test_pronoun_subject_is_a_pronoun_form() -> None:
    result = attribution(
        "Interior Minister Carla Ruiz met police chiefs on Monday.\n"
        "“Crime is falling in every region,” she told reporters."
    )
    ruiz = candidates_of(result, "Crime is falling")["Carla Ruiz"].features
    assert ruiz["rule_form_pronoun"] == 1.0
    assert ruiz["form_pronoun"] == 1.0


def test_uncued_quote_sees_the_previous_paragraph() -> None:
    result = attribution(
        "The union leader Maria Costa stood with strikers outside the plant on Friday.\n"
        "“We are not going back until the offer is fair.”"
    )
    found = candidates_of(result, "not going back")
    costa = found["Maria Costa"].features
    assert costa["mention_previous_paragraph"] == 1.0
    assert costa["opening_previous_paragraph"] == 1.0
    assert costa["uncued_mention_previous_paragraph"] == 1.0
    assert found[None].features["null_rule_none"] == 1.0


def test_mentions_before_and_after_in_the_sentence() -> None:
    result = attribution(
        "Mayor Ruth Okafor said the city would “never again” allow such delays, "
        "and council member Ian Shaw agreed."
    )
    found = candidates_of(result, "never again")
    assert found["Ruth Okafor"].features["mention_sentence_before"] == 1.0
    assert found["Ian Shaw"].features["mention_sentence_after"] == 1.0
    assert found["Ruth Okafor"].features["closeness"] > found["Ian Shaw"].features["closeness"]
    assert "nearest" in found["Ruth Okafor"].features


def test_nobody_describes_a_title_in_quotation_marks() -> None:
    result = attribution("The minister appeared on “Morning Report” to defend the plan.")
    nobody = candidates_of(result, "Morning Report")[None].features
    assert nobody["null_title"] == 1.0
    assert nobody["null_capitalised"] == 1.0
    assert nobody["null_short"] == 1.0


def test_every_quote_gets_a_nobody_candidate_last() -> None:
    result = attribution("“Prices will rise,” said the economist Lena Park.\n“Soon,” she added.")
    for quote in result.quotes:
        assert result.candidates[quote.id][-1].entity is None
        assert 0.0 < result.confidence[quote.id] <= 1.0


def test_form_of_a_written_mention() -> None:
    assert form_of("she") == "pronoun"
    assert form_of("Ms Park") == "name"
    assert form_of("the economist") == "description"
    assert form_of(None) is None


def test_a_pronoun_cue_marks_agreement_and_antecedents() -> None:
    result = attribution(
        "Senator Paul Grady met Mayor Ruth Okafor on Monday. Ms Okafor thanked the senator.\n"
        "“The bridge will be built,” she said."
    )
    found = candidates_of(result, "bridge will be built")
    okafor = found["Ruth Okafor"].features
    assert okafor["pronoun_agrees"] == 1.0
    assert okafor["antecedent_1"] == 1.0
    assert okafor["antecedent_subject_agrees"] == 1.0
    grady = found["Paul Grady"].features
    assert "antecedent_1" not in grady and "antecedent_subject_agrees" not in grady
