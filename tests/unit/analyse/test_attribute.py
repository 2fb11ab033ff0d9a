"""Speaker attribution: one row per cue form, on invented news sentences."""

from __future__ import annotations

import pytest

from index.analyse.pipeline import analyse
from index.models import Article, Corpus


def speaker_of(corpus: Corpus, fragment: str) -> str | None:
    names = {s.id: s.name for s in corpus.speakers}
    quote = next(q for q in corpus.quotes if fragment in q.text)
    return names.get(quote.speaker) if quote.speaker else None


def run(text: str) -> Corpus:
    return analyse([Article(id="a", outlet="o", text=text)])


CASES = [
    pytest.param(
        "Finance Minister Anna Berg presented the budget.\n"
        "“We will cut taxes for families,” Berg said.",
        "cut taxes",
        "Anna Berg",
        id="after-name-said",
    ),
    pytest.param(
        "“Growth will return next year,” said Mr Tomas Lind, the central bank governor.",
        "Growth will return",
        "Tomas Lind",
        id="after-inverted-said",
    ),
    pytest.param(
        "Interior Minister Carla Ruiz met police chiefs on Monday.\n"
        "“Crime is falling in every region,” she told reporters.",
        "Crime is falling",
        "Carla Ruiz",
        id="pronoun-she-told",
    ),
    pytest.param(
        "Opposition leader Mark Osei spoke after the vote. He said: “This law will not survive "
        "the courts.”",
        "This law will not survive",
        "Mark Osei",
        id="colon-lead-in",
    ),
    pytest.param(
        "Mayor Ruth Okafor said the city would “never again” allow such delays.",
        "never again",
        "Ruth Okafor",
        id="partial-after-said",
    ),
    pytest.param(
        "Senator Paul Grady warned that the deal was “a trap for farmers”.",
        "a trap for farmers",
        "Paul Grady",
        id="warned-that",
    ),
    pytest.param(
        "Health Secretary Lena Haas praised the nurses’ “extraordinary courage” during the "
        "outbreak.",
        "extraordinary courage",
        "Lena Haas",
        id="praised-object",
    ),
    pytest.param(
        "Exports will fall by a third, according to a report by the Trade Council.\n"
        "Shipments were “the weakest in a decade”, according to the Trade Council.",
        "the weakest in a decade",
        "Trade Council",
        id="according-to-organisation",
    ),
    pytest.param(
        "The plan was described as “a historic step” at the summit.",
        "a historic step",
        None,
        id="passive-no-agent",
    ),
    pytest.param(
        "Hospital director Omar Said spoke at length.\n"
        "“We have run out of beds. We have run out of staff,” Said said.\n"
        "“Nobody is listening to us.”",
        "Nobody is listening",
        "Omar Said",
        id="continuation-paragraph",
    ),
    pytest.param(
        "“Talks are over,” said Prime Minister Elena Varga. “We will now vote.”",
        "We will now vote",
        "Elena Varga",
        id="second-quote-same-paragraph",
    ),
    pytest.param(
        "Energy Minister Jonas Berg visited the plant on Friday.\n"
        "“Output will double by spring,” the energy minister said.",
        "Output will double",
        "Jonas Berg",
        id="role-description",
    ),
    pytest.param(
        "Analysts believe the currency is “deeply undervalued”.",
        "deeply undervalued",
        "Analysts",
        id="unnamed-group",
    ),
    pytest.param(
        "The weather was “unusually warm” for March.",
        "unusually warm",
        None,
        id="unattributed-scare",
    ),
    pytest.param(
        "Coach Dara Flynn told the club's website that the team had “plenty left to give”.",
        "plenty left to give",
        "Dara Flynn",
        id="told-object-that",
    ),
    pytest.param(
        "“Rates will stay high,” the central bank said in a statement.",
        "Rates will stay high",
        "the central bank",
        id="organisation-said",
    ),
    pytest.param(
        "Anna Weiss was quoted by a news agency as saying the vote was “rigged”.",
        "rigged",
        "Anna Weiss",
        id="quoted-as-saying",
    ),
    pytest.param(
        "“The figures speak for themselves,” a spokesperson for the ministry said.",
        "The figures speak",
        "a spokesperson for the ministry",
        id="role-with-its-organisation",
    ),
    pytest.param(
        "Prime Minister Rishi Sunak and Labour leader Keir Starmer clashed.\n"
        "Starmer accused the government of “total chaos”.",
        "total chaos",
        "Keir Starmer",
        id="surname-the-tagger-missed",
    ),
    pytest.param(
        "Tom Hale, who chairs the committee, said the report was “deeply flawed”.",
        "deeply flawed",
        "Tom Hale",
        id="subject-with-relative-clause",
    ),
    pytest.param(
        "Union chief Sarah Connolly addressed the rally.\n"
        "“We are not going anywhere,” she said, “and we will fight this in court.”",
        "and we will fight",
        "Sarah Connolly",
        id="split-quote-around-cue",
    ),
    pytest.param(
        "“It is a dark day,” wrote Jane Doe on social media.",
        "dark day",
        "Jane Doe",
        id="wrote-inverted",
    ),
    pytest.param(
        "The defence minister, Petra Novak, addressed parliament. She said:\n"
        "“Our troops will stay as long as they are needed.”",
        "Our troops will stay",
        "Petra Novak",
        id="colon-lead-in-across-paragraphs",
    ),
    pytest.param(
        "PORTVILLE, May 3 (Wire) - Portville Mayor Lena Cole urged residents to stay home, "
        'saying the city was "ready for the worst".',
        "ready for the worst",
        "Lena Cole",
        id="wire-dateline",
    ),
    pytest.param(
        'The union\'s general secretary, Dan Price, said members had been left with "no choice".',
        "no choice",
        "Dan Price",
        id="role-with-name-in-apposition",
    ),
    pytest.param(
        "Labour's shadow health secretary, Nora Vance, accused ministers of "
        '"sitting on their hands" throughout the dispute.',
        "sitting on their hands",
        "Nora Vance",
        id="misparsed-verb-falls-back-to-named-subject",
    ),
]


@pytest.mark.parametrize(("text", "fragment", "speaker"), CASES)
def test_cue_forms(text: str, fragment: str, speaker: str | None) -> None:
    assert speaker_of(run(text), fragment) == speaker


def test_headline_takes_the_body_speaker() -> None:
    corpus = run(
        "Country vows ‘no retreat’ on reform\n\n"
        "President Maria Lopes said there would be “no retreat” on pension reform."
    )
    assert speaker_of(corpus, "no retreat") == "Maria Lopes"
    headline = next(q for q in corpus.quotes if q.headline)
    names = {s.id: s.name for s in corpus.speakers}
    assert headline.speaker is not None and names[headline.speaker] == "Maria Lopes"


def test_mentions_resolve_to_one_speaker_with_aliases() -> None:
    corpus = run(
        "Foreign Minister Ivan Petrov arrived on Monday.\n"
        "“We came to listen,” Mr Petrov said.\n"
        "“Nothing is decided,” the foreign minister added."
    )
    petrov = [s for s in corpus.speakers if s.name == "Ivan Petrov"]
    assert len(petrov) == 1
    assert {"Mr Petrov", "Foreign Minister Ivan Petrov"} <= set(petrov[0].aliases)
    assert all(q.speaker == petrov[0].id for q in corpus.quotes)


def test_canonical_names_keep_the_article_spelling() -> None:
    corpus = run(
        "The economist Douglas Kerr-Whitby spoke after the vote.\n"
        "“The numbers do not add up,” Kerr-Whitby said.\n"
        "“We will appeal,” said José Álvarez-Ruiz, the union's lawyer."
    )
    assert speaker_of(corpus, "numbers") == "Douglas Kerr-Whitby"
    assert speaker_of(corpus, "appeal") == "José Álvarez-Ruiz"


def test_speakers_merge_across_articles() -> None:
    corpus = analyse(
        [
            Article(id="a", outlet="one", text="“We will win,” said Chancellor Ida Holm."),
            Article(id="b", outlet="two", text="“The vote is close,” Ms Holm told reporters."),
        ]
    )
    assert [s.name for s in corpus.speakers] == ["Ida Holm"]
    assert len({q.speaker for q in corpus.quotes}) == 1


def test_a_quoted_report_of_speech_names_both_source_and_speaker() -> None:
    corpus = run(
        "President Ana Silva met the visiting delegation on Monday.\n"
        "The statement went on to say, “Silva stated that the two sides should deepen trade "
        "ties and open new routes.”"
    )
    names = {s.id: s.name for s in corpus.speakers}
    [quote] = corpus.quotes
    assert quote.speaker is not None and names[quote.speaker] == "The statement"
    assert quote.reported_speaker is not None and names[quote.reported_speaker] == "Ana Silva"


def test_organisations_named_in_part_merge_across_articles() -> None:
    corpus = analyse(
        [
            Article(
                id="a",
                outlet="one",
                text="“The road is closed,” the Northern Highway Authority said on Monday.",
            ),
            Article(id="b", outlet="two", text="“The road is closed,” the highway authority said."),
        ]
    )
    assert [s.name for s in corpus.speakers] == ["Northern Highway Authority"]


def test_a_headline_verb_is_not_part_of_a_name_but_a_surname_said_is() -> None:
    corpus = run(
        "Mendel Says ‘A Bridge Alone’ Will Not End Poverty\n"
        "Mayor Tomas Mendel spoke on Monday.\n"
        "“A bridge alone will not end poverty,” Mendel said.\n"
        "The historian Amira Said answered him.\n"
        "“Poverty has older causes,” Said said."
    )
    assert speaker_of(corpus, "A Bridge Alone") == "Tomas Mendel"
    assert speaker_of(corpus, "older causes") == "Amira Said"


def test_a_headline_name_before_a_colon_speaks_its_quote() -> None:
    corpus = run(
        "Tomas Mendel: ‘We Will Not Back Down’\n"
        "Mayor Tomas Mendel spoke on Monday about the bridge.\n"
        "Critics were unconvinced.\n"
        "Breaking News: ‘Bridge Closed’"
    )
    assert speaker_of(corpus, "We Will Not Back Down") == "Tomas Mendel"
    assert speaker_of(corpus, "Bridge Closed") is None


def test_titles_of_works_in_quotation_marks_have_no_speaker() -> None:
    corpus = run(
        "Mayor Tomas Mendel spoke on “Morning Joe” on Monday, calling the plan "
        "“A Disaster.”\n"
        "“We Will Win,” Mendel told the hosts of “Good Day Today.”"
    )
    assert speaker_of(corpus, "Morning Joe") is None
    assert speaker_of(corpus, "Good Day Today") is None
    assert speaker_of(corpus, "A Disaster") == "Tomas Mendel"
    assert speaker_of(corpus, "We Will Win") == "Tomas Mendel"
