"""A synthetic news corpus for benchmarks: quote-like sentences with speakers and outlets.

Sentences are drawn from a grammar of political, economic, legal, health and sports
statements (subject, verb phrase, object, time and place, often a number or a negation), so
they cluster by topic the way real quotes do. Each statement gets a speaker (name and role)
and appears in one to four outlets, as reprints with small edits (a cut clause, a changed
word, a different attribution form), the way wire copy spreads.

Two outputs:

- :func:`quotes` — ``Quote`` rows (text, speaker, outlet, statement id) for the encoding,
  search and peer benches, which need sentences, not articles;
- :func:`articles` — JSON Lines articles (``id``, ``outlet``, ``text``) that wrap the quotes
  in reporting prose (headline, lead, "X said", "according to X"), for the build bench.

Everything is a pure function of ``seed``: the same call gives the same corpus.

    python -m bench.corpus --quotes 10000 --out bench/data/corpus-10k.jsonl
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import msgspec

FIRST = (
    "Anna Maria Pavel Li Wei Ahmed Olga Jean-Luc Fatima Carlos Ingrid Kenji Amara Dmitri "
    "Sofia Tomasz Elena Hassan Grace Mikhail Priya Lars Nadia Omar Helen Viktor Chen Lucia "
    "Samuel Aiko Rafael Irina Kwame Ursula Mateo Leila Stefan Yuki Gabriel Zanele Pedro"
).split()
LAST = (
    "Novak Okafor Schmidt Tanaka Haddad Ivanova Moreau Costa Lindqvist Petrov Kowalski "
    "Nakamura Mensah Rossi Alvarez Karimi Johansson Dubois Mbeki Fischer Sato Herrera "
    "Volkov Adeyemi Bianchi Kuznetsov Nilsson Oyelaran Fernandes Horvath Park Osei Gruber "
    "Romero Yilmaz Walsh Lambert Castillo Weber Zhang Abebe Hoffmann Silva"
).split()
ROLES = (
    "prime minister", "foreign minister", "finance minister", "defence minister",
    "health minister", "president", "central bank governor", "opposition leader",
    "government spokesperson", "mayor", "chief executive", "union leader", "senator",
    "ambassador", "supreme court justice", "party chairwoman", "economy minister",
    "trade commissioner", "army chief of staff", "UN envoy", "head coach", "team captain",
)  # fmt: skip
OUTLETS = (
    "The Daily Ledger", "Northern Herald", "Global Wire", "Capital Times", "The Observer Post",
    "Metro Dispatch", "Continental Review", "Harbour Gazette", "The Evening Standard-Tribune",
    "Press Agency International", "Riverside Chronicle", "World Affairs Today", "Union Bulletin",
    "The Morning Courier", "Eastern Sentinel", "Pacific Monitor", "Atlantic Record",
    "The Weekly Compass", "National Broadcaster News", "Frontier Journal",
)  # fmt: skip
COUNTRIES = (
    "Russia", "China", "France", "Brazil", "India", "Nigeria", "Germany", "Japan", "Turkey",
    "Mexico", "Canada", "Egypt", "Indonesia", "Poland", "Kenya", "Argentina", "Vietnam",
    "Australia", "South Africa", "Norway", "Ukraine", "Iran", "Pakistan", "Chile",
)  # fmt: skip
CITIES = (
    "Beijing", "Moscow", "Paris", "Brasilia", "New Delhi", "Abuja", "Berlin", "Tokyo",
    "Ankara", "Geneva", "Brussels", "Nairobi", "Vienna", "Jakarta", "Warsaw", "Ottawa",
)  # fmt: skip
WHEN = (
    "this year", "next month", "by the end of the decade", "in the coming weeks",
    "before the summer", "for the first time since 2008", "over the next five years",
    "as soon as possible", "within days", "by next spring", "in the long run", "",
)  # fmt: skip


@dataclass(frozen=True)
class Topic:
    subjects: tuple[str, ...]
    verbs: tuple[str, ...]
    objects: tuple[str, ...]
    reasons: tuple[str, ...]
    units: tuple[str, ...]


TOPICS = {
    "diplomacy": Topic(
        subjects=(
            "our country",
            "the government",
            "{country}",
            "our two nations",
            "we",
            "the alliance",
            "Beijing and Moscow",
            "the delegation",
            "our partners",
        ),
        verbs=(
            "will continue to support",
            "is ready to strengthen",
            "firmly opposes",
            "will never accept",
            "intends to deepen",
            "has agreed to expand",
            "is seeking to restore",
            "will not tolerate",
            "remains committed to",
        ),
        objects=(
            "cooperation in multilateral arenas",
            "the territorial integrity of {country}",
            "dialogue on core interests",
            "sanctions imposed by the West",
            "a ceasefire along the front line",
            "talks with {country}",
            "economic ties with {country}",
            "the peace process",
            "the new security pact",
        ),
        reasons=(
            "despite pressure from abroad",
            "because trust has been broken",
            "as relations reach an unprecedented high level",
            "given the escalation",
            "in the interests of both peoples",
            "after months of negotiation",
        ),
        units=("agreements", "meetings", "envoys", "rounds of talks"),
    ),
    "economy": Topic(
        subjects=(
            "inflation",
            "the economy",
            "our exports",
            "the central bank",
            "trade",
            "growth",
            "the budget",
            "the currency",
            "investment",
            "unemployment",
        ),
        verbs=(
            "is expected to reach",
            "will fall below",
            "has risen to",
            "could exceed",
            "must not exceed",
            "is steadily increasing toward",
            "will stabilise at",
            "has doubled to",
            "is unlikely to return to",
        ),
        objects=(
            "{num} percent",
            "{num} billion dollars",
            "a record level",
            "pre-crisis levels",
            "{num} billion euros",
            "its highest point in decades",
            "the target of {num} percent",
        ),
        reasons=(
            "because energy prices keep climbing",
            "thanks to strong domestic demand",
            "as supply chains recover",
            "despite higher interest rates",
            "as exports of natural gas and coal grow",
            "because of the drought",
        ),
        units=("percent", "billion", "million tonnes", "jobs"),
    ),
    "law": Topic(
        subjects=(
            "the court",
            "the prosecutor",
            "the new law",
            "the commission",
            "this ruling",
            "the investigation",
            "the constitution",
            "the parliament",
            "the tribunal",
        ),
        verbs=(
            "does not allow",
            "will examine",
            "has found no evidence of",
            "clearly protects",
            "must guarantee",
            "will not overturn",
            "has opened an inquiry into",
            "cannot ignore",
            "will review",
        ),
        objects=(
            "the right to a fair trial",
            "freedom of the press",
            "the election results",
            "abuse of power",
            "the detention of {num} protesters",
            "corruption charges",
            "the ban on public gatherings",
            "the appeal",
            "the emergency decree",
        ),
        reasons=(
            "under the current rules",
            "after a thorough review",
            "because the evidence is insufficient",
            "in line with European standards",
            "following complaints from citizens",
            "as the law requires",
        ),
        units=("cases", "defendants", "hearings", "complaints"),
    ),
    "health": Topic(
        subjects=(
            "the vaccine",
            "our hospitals",
            "the ministry",
            "the outbreak",
            "the health service",
            "doctors",
            "the new treatment",
            "the virus",
        ),
        verbs=(
            "has saved",
            "cannot cope with",
            "is preparing for",
            "will be available to",
            "has reached",
            "must protect",
            "is under control in",
            "will be extended to",
        ),
        objects=(
            "{num} thousand lives",
            "the winter surge",
            "every citizen over {num}",
            "rural regions",
            "the most vulnerable patients",
            "{num} new cases a day",
            "children and pregnant women",
            "the capital",
        ),
        reasons=(
            "according to the latest data",
            "thanks to the vaccination campaign",
            "because staff are exhausted",
            "despite the shortage of nurses",
            "as cases continue to fall",
            "after the lockdown ended",
        ),
        units=("cases", "beds", "doses", "patients"),
    ),
    "sport": Topic(
        subjects=(
            "the team",
            "we",
            "our players",
            "the coach",
            "the federation",
            "the club",
            "the referee",
            "the fans",
            "this squad",
        ),
        verbs=(
            "deserved to win",
            "will fight for",
            "cannot accept",
            "played for",
            "is aiming for",
            "will never forget",
            "has shown",
            "must improve",
        ),
        objects=(
            "the title",
            "the decision",
            "the final in {city}",
            "every point",
            "a place in the championship",
            "the second half",
            "the fans",
            "the support of the whole country",
        ),
        reasons=(
            "after a difficult season",
            "despite the injuries",
            "because we played with heart",
            "in front of {num} thousand supporters",
            "even with ten men",
            "as the pressure grew",
        ),
        units=("goals", "points", "matches", "seasons"),
    ),
}
PREFIXES = ("", "", "", "I believe that ", "Let me be clear: ", "Frankly, ", "Today, ",
            "Of course, ", "We know that ", "There is no doubt that ", "In my view, ")  # fmt: skip
NEGATIONS = (("will", "will not"), ("is", "is not"), ("has", "has not"), ("must", "must not"))


class Quote(msgspec.Struct, frozen=True, kw_only=True):
    """One reported quote: the statement it reports, as one outlet printed it."""

    id: str
    statement: str
    text: str
    speaker: str
    role: str
    outlet: str
    topic: str


class ArticleLine(msgspec.Struct, frozen=True, kw_only=True):
    """The JSON Lines shape ``whosaid build --articles corpus.jsonl`` reads."""

    id: str
    outlet: str
    text: str
    title: str | None = None
    published: str | None = None


def _fill(template: str, rng: random.Random) -> str:
    return template.format(
        country=rng.choice(COUNTRIES),
        city=rng.choice(CITIES),
        num=rng.choice((2, 3, 5, 7, 10, 12, 15, 20, 25, 40, 50, 75, 100, 150, 300)),
    )


def statement(rng: random.Random) -> tuple[str, str]:
    """One invented statement of one or two sentences, and its topic."""
    topic_name = rng.choice(tuple(TOPICS))
    topic = TOPICS[topic_name]
    subject = _fill(rng.choice(topic.subjects), rng)
    verb = rng.choice(topic.verbs)
    if rng.random() < 0.15:
        for positive, negative in NEGATIONS:
            if verb.startswith(positive + " "):
                verb = negative + verb[len(positive) :]
                break
    parts = [subject, verb, _fill(rng.choice(topic.objects), rng)]
    when = rng.choice(WHEN)
    if when:
        parts.append(when)
    if rng.random() < 0.6:
        parts.append(_fill(rng.choice(topic.reasons), rng))
    sentence = rng.choice(PREFIXES) + " ".join(parts)
    sentence = sentence[0].upper() + sentence[1:] + "."
    if rng.random() < 0.35:
        other = TOPICS[topic_name]
        second = f"{_fill(rng.choice(other.subjects), rng)} {rng.choice(other.verbs)} " + _fill(
            rng.choice(other.objects), rng
        )
        sentence += " " + second[0].upper() + second[1:] + "."
    return sentence, topic_name


def reprint(text: str, rng: random.Random) -> str:
    """The same statement as another outlet printed it: a cut clause or a changed word."""
    roll = rng.random()
    if roll < 0.4:
        return text
    if roll < 0.65 and ". " in text:
        return text.split(". ")[0] + "."
    words = text.split()
    if roll < 0.85 and len(words) > 6:
        cut = rng.randrange(4, len(words))
        return " ".join(words[:cut]).rstrip(",;:") + "."
    swaps = {"will": "would", "is": "was", "has": "had", "our": "the", "we": "they"}
    return " ".join(swaps.get(word, word) if rng.random() < 0.5 else word for word in words)


def speakers(rng: random.Random, count: int) -> list[tuple[str, str]]:
    names = {f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(count * 2)}
    return [(name, rng.choice(ROLES)) for name in sorted(names)[:count]]


def quotes(count: int, *, seed: int = 7) -> Iterator[Quote]:
    """``count`` quotes: statements by a pool of speakers, each reprinted by 1–4 outlets."""
    rng = random.Random(seed)
    people = speakers(rng, max(50, count // 200))
    made = 0
    number = 0
    while made < count:
        text, topic = statement(rng)
        name, role = rng.choice(people)
        number += 1
        outlets = rng.sample(OUTLETS, k=min(count - made, rng.choice((1, 1, 2, 2, 3, 4))))
        for index, outlet in enumerate(outlets):
            yield Quote(
                id=f"q{made:07d}",
                statement=f"s{number:07d}",
                text=text if index == 0 else reprint(text, rng),
                speaker=name,
                role=role,
                outlet=outlet,
                topic=topic,
            )
            made += 1


def _attributed(quote: Quote, rng: random.Random) -> str:
    surname = quote.speaker.split()[-1]
    forms = (
        f'"{quote.text}" {quote.speaker} said.',
        f'{quote.role.capitalize()} {quote.speaker} said: "{quote.text}"',
        f'"{quote.text.rstrip(".")}," {surname} told reporters on Tuesday.',
        f'According to {quote.speaker}, the {quote.role}, "{quote.text}"',
        f'"{quote.text}" said {quote.speaker}, the {quote.role}.',
    )
    return rng.choice(forms)


def articles(count: int, *, seed: int = 7, per_article: int = 4) -> Iterator[ArticleLine]:
    """Articles holding ``count`` quotes between them, ``per_article`` each, per outlet."""
    rng = random.Random(seed + 1)
    pending: dict[str, list[Quote]] = {}
    number = 0

    def article(outlet: str, items: list[Quote]) -> ArticleLine:
        nonlocal number
        number += 1
        lead = items[0]
        paragraphs = [
            f"{lead.role.capitalize()} {lead.speaker} spoke in {rng.choice(CITIES)} on "
            f"{rng.choice(('Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'))}.",
            *(_attributed(item, rng) for item in items),
            f"The {lead.topic} talks are expected to continue, officials said.",
        ]
        return ArticleLine(
            id=f"a{number:07d}",
            outlet=outlet,
            title=f"{lead.speaker} on {lead.topic}",
            text="\n\n".join(paragraphs),
            published=f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        )

    for quote in quotes(count, seed=seed):
        batch = pending.setdefault(quote.outlet, [])
        batch.append(quote)
        if len(batch) == per_article:
            yield article(quote.outlet, batch)
            pending[quote.outlet] = []
    for outlet, rest in pending.items():
        if rest:
            yield article(outlet, rest)


def write_jsonl(path: Path, count: int, *, seed: int = 7) -> int:
    """Write ``articles(count)`` as JSON Lines; the number of articles written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    encoder = msgspec.json.Encoder()
    written = 0
    with path.open("wb") as handle:
        for line in articles(count, seed=seed):
            handle.write(encoder.encode(line) + b"\n")
            written += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    written = write_jsonl(args.out, args.quotes, seed=args.seed)
    print(f"wrote {written} articles with {args.quotes} quotes to {args.out}")


if __name__ == "__main__":
    main()
