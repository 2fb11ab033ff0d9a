"""``index`` records to the page's view models (:mod:`service.page.views`), explicitly.

Dates and titles come from the articles (through the catalog); verdicts are worded here from
a lookup's answer and its claim check; differences and timelines come from the pure layout
functions beside this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from index import Catalog, UnknownIdError, models, outlets_of
from service.page.diff import difference_counts, inline_segments
from service.page.timeline import Point, draw_timeline, has_time, parse_published
from service.page.views import (
    AnswerView,
    CandidateView,
    FirstSeen,
    FoldedVariant,
    SpeakerLink,
    StatementView,
    VariantRow,
    Verdict,
)

# Every parsed date is aware (UTC when it names no zone), so undated rows sort after this.
_LAST = datetime.max.replace(tzinfo=UTC)


def speaker_link(speaker: models.Speaker | None) -> SpeakerLink | None:
    if speaker is None:
        return None
    return SpeakerLink(id=speaker.id, name=speaker.name, kind=speaker.kind)


def shown_date(when: datetime | None) -> str | None:
    if when is None:
        return None
    return when.strftime("%Y-%m-%d %H:%M UTC" if has_time(when) else "%Y-%m-%d")


def _when(article: models.Article | None) -> datetime | None:
    return None if article is None else parse_published(article.published)


def statement_view(
    group: models.Group, catalog: Catalog, *, offset: int = 0, limit: int | None = None
) -> StatementView:
    """A statement with one row per article (``limit`` rows from ``offset``, canonical and
    dated first), its first appearance and a timeline with a mark for every variant."""
    articles = {v.article_id: _article(catalog, v.article_id) for v in group.variants}
    whens = {v.quote_id: _when(articles[v.article_id]) for v in group.variants}

    def order(variant: models.Variant) -> tuple[bool, bool, datetime, str]:
        when = whens[variant.quote_id]
        return (
            variant.quote_id != group.canonical_quote_id,
            when is None,
            when or _LAST,
            variant.outlet,
        )

    ordered = sorted(article_rows(group), key=lambda row: order(row[0]))
    shown = ordered[offset : None if limit is None else offset + limit]
    rows = tuple(
        _variant_row(main, folded, group, articles[main.article_id], whens[main.quote_id])
        for main, folded in shown
    )
    points = [
        Point(
            key=f"v-{v.quote_id}",
            outlet=v.outlet,
            when=whens[v.quote_id],
            label=f"{v.outlet}, {shown_date(whens[v.quote_id]) or 'undated'}: {v.text}",
        )
        for v in group.variants
    ]
    return StatementView(
        id=group.id,
        canonical_text=group.canonical_text,
        speaker=speaker_link(catalog.speaker_or_none(group.speaker)),
        variants=rows,
        variant_count=len(group.variants),
        row_count=len(ordered),
        outlets=outlets_of(group),
        first_seen=first_seen(group.variants, articles, whens),
        timeline=draw_timeline(points),
    )


def article_rows(group: models.Group) -> list[tuple[models.Variant, tuple[models.Variant, ...]]]:
    """One row per article: its fullest wording of the statement (the canonical one, else a
    whole quote before a fragment, the longer first), and the article's other quotes of it
    folded under that one."""
    by_article: dict[str, list[models.Variant]] = {}
    for variant in group.variants:
        by_article.setdefault(variant.article_id, []).append(variant)
    rows = []
    for variants in by_article.values():
        main = min(
            variants,
            key=lambda v: (
                v.quote_id != group.canonical_quote_id,
                v.fragment,
                -len(v.text),
                v.start,
            ),
        )
        rows.append((main, tuple(v for v in variants if v is not main)))
    return rows


def _article(catalog: Catalog, article_id: str) -> models.Article | None:
    try:
        return catalog.article(article_id)
    except UnknownIdError:  # an article deleted while its statement is shown: no date, no title
        return None


def _variant_row(
    variant: models.Variant,
    folded: Sequence[models.Variant],
    group: models.Group,
    article: models.Article | None,
    when: datetime | None,
) -> VariantRow:
    segments = inline_segments(group.canonical_text, variant.edits, fragment=variant.fragment)
    return VariantRow(
        anchor=f"v-{variant.quote_id}",
        quote_id=variant.quote_id,
        article_id=variant.article_id,
        outlet=variant.outlet,
        title=None if article is None else article.title,
        published=shown_date(when),
        text=variant.text,
        fragment=variant.fragment,
        canonical=variant.quote_id == group.canonical_quote_id,
        segments=segments,
        differences=tuple(difference_counts(segments).items()),
        folded=tuple(
            FoldedVariant(anchor=f"v-{v.quote_id}", quote_id=v.quote_id, text=v.text)
            for v in sorted(folded, key=lambda v: v.start)
        ),
    )


def first_seen(
    variants: Sequence[models.Variant],
    articles: dict[str, models.Article | None],
    whens: dict[str, datetime | None],
) -> FirstSeen | None:
    """The earliest dated variant's outlet and date; outlets dated the same day with no time
    to tell them apart are named alongside."""
    dated = [(whens[v.quote_id], v) for v in variants if whens[v.quote_id] is not None]
    if not dated:
        return None
    dated.sort(key=lambda pair: (pair[0], pair[1].outlet))
    when, variant = dated[0]
    assert when is not None
    tied = () if has_time(when) else tuple(
        dict.fromkeys(
            v.outlet for w, v in dated[1:] if w is not None and w.date() == when.date()
            and not has_time(w) and v.outlet != variant.outlet
        )
    )  # fmt: skip
    article = articles[variant.article_id]
    return FirstSeen(
        outlet=variant.outlet,
        published=shown_date(when) or "",
        title=None if article is None else article.title,
        article_id=variant.article_id,
        also_that_day=tied,
    )


# -------------------------------------------------------------------------------- ask


def candidate(match: models.Match, *, strong: bool, catalog: Catalog) -> CandidateView:
    group = _group(catalog, match.group_id)
    return CandidateView(
        statement_id=match.group_id,
        score=round(float(match.score), 3),
        strong=strong,
        speaker=speaker_link(match.speaker),
        matched_text=match.matched_text,
        canonical_text=match.canonical_text,
        outlets=outlets_of(group) if group is not None else (),
        confidence=_confidence(catalog, group, match.matched_quote_id),
    )


def _group(catalog: Catalog, group_id: str) -> models.Group | None:
    try:
        return catalog.statement(group_id)
    except UnknownIdError:  # gone since the lookup: show the match without its outlets
        return None


def _confidence(catalog: Catalog, group: models.Group | None, quote_id: str) -> float | None:
    """The attribution's confidence for a quote, when its record carries one."""
    if group is None:
        return None
    article_id = next((v.article_id for v in group.variants if v.quote_id == quote_id), None)
    if article_id is None:
        return None
    for quote in catalog.quotes_of(article_id):
        if quote.id == quote_id:
            value = quote.speaker_confidence
            return None if value is None else round(value, 2)
    return None


def verdict(best: CandidateView | None, claim: models.ClaimCheck | None) -> Verdict:
    """The answer in plain words: said by X, said by someone else, or not found."""
    if best is None:
        return Verdict(kind="not_found", text="Not found in the corpus")
    name = best.speaker.name if best.speaker is not None else None
    if claim is None or claim.holds:
        who = name or "a speaker the articles do not name"
        return Verdict(kind="said_by", text=f"Said by {who}")
    if name is None:
        return Verdict(
            kind="said_by_other",
            text=f"Not said by {claim.claimed}: the articles name no one for it",
        )
    return Verdict(kind="said_by_other", text=f"Said by someone else: {claim.actual or name}")


def answer_view(
    passing: models.Answer,
    nearby: models.Answer,
    catalog: Catalog,
    *,
    said_by: str,
    variant_limit: int,
) -> AnswerView:
    """The answer page: ``passing`` is the lookup as the API answers it (matches that pass
    the threshold), ``nearby`` the same query with no threshold (for weaker candidates)."""
    strong = [candidate(m, strong=True, catalog=catalog) for m in passing.matches]
    seen = {c.statement_id for c in strong}
    weak = [
        candidate(m, strong=False, catalog=catalog)
        for m in nearby.matches
        if m.group_id not in seen
    ]
    best = strong[0] if strong else None
    # With no answer, the closest candidate is offered however low it scores; below an answer,
    # only weaker candidates with some score are listed.
    nearest = weak[0] if best is None and weak else None
    others = strong[1:] + [c for c in weak if c is not nearest and c.score > 0]
    group = None if best is None else _group(catalog, best.statement_id)
    return AnswerView(
        query=passing.query,
        said_by=said_by,
        verdict=verdict(best, passing.claim),
        best=best,
        statement=None if group is None else statement_view(group, catalog, limit=variant_limit),
        others=tuple(others),
        nearest=nearest,
    )
