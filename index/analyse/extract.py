"""Find every directly quoted span of an article, with exact character offsets.

Each paragraph (a line of the text) is scanned once. Every quotation-mark character gets the
roles its glyph and its neighbours allow (open, close, or apostrophe), in the way CommonMark
decides emphasis: a mark followed by text and preceded by space can open, a mark preceded by
text and followed by space or punctuation can close. A stack pairs openers with closers of the
same family (double, single, guillemet), so mixed pairs such as ``“…"`` pair, nested quotes
come out as two spans, and apostrophes (``China’s``, ``Xi’an``, ``’90s``, ``countries’``, the
acute accent ``´`` typed as one) never open a quotation.

A double quotation left open at a paragraph's end either continues (the next paragraph opens
with a quotation mark: the news convention for a quotation over several paragraphs) or is
unbalanced, and is then closed at the paragraph's end. A single mark left open is taken for an
apostrophe and dropped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Literal

import msgspec

from index.models import Article, Quote, QuoteKind

Family = Literal["double", "single", "guillemet", "angle"]


class Mark(msgspec.Struct, frozen=True):
    family: Family
    # What the glyph itself says, before context: "open", "close", or "either".
    glyph: Literal["open", "close", "either"]


MARKS: dict[str, Mark] = {
    '"': Mark("double", "either"),
    "\u201c": Mark("double", "open"),  # “
    "\u201d": Mark("double", "close"),  # ”
    "\u201e": Mark("double", "open"),  # „ (German/Polish low opener)
    "\u201f": Mark("double", "open"),  # ‟
    "\uff02": Mark("double", "either"),  # fullwidth "
    "'": Mark("single", "either"),
    "\u2018": Mark("single", "open"),  # ‘
    "\u2019": Mark("single", "close"),  # ’
    "\u201a": Mark("single", "open"),  # ‚
    "\u201b": Mark("single", "open"),  # ‛
    "\u00b4": Mark("single", "either"),  # ´ typed as an apostrophe
    "`": Mark("single", "either"),
    "\u00ab": Mark("guillemet", "open"),  # «
    "\u00bb": Mark("guillemet", "close"),  # »
    "\u2039": Mark("angle", "open"),  # ‹
    "\u203a": Mark("angle", "close"),  # ›
}
DOUBLE_FAMILIES: frozenset[Family] = frozenset({"double", "guillemet"})

# Characters that may stand before an opening mark or after a closing one.
OPEN_CONTEXT = "([{\u2014\u2013-/:;,"
CLOSE_CONTEXT = ".,;:!?)]}\u2014\u2013-/\u2026"
# Elisions written with a leading apostrophe ('em, 'tis, 'n', 'cause) are not openers.
ELISION = re.compile(r"(?:em|tis|twas|n|cause|til|bout|round)\b", re.IGNORECASE)
WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
SENTENCE_END = re.compile(r"[.!?…][\"'”’»)]*\s*$")
SO_CALLED = re.compile(r"\bso[- ]called\s*$", re.IGNORECASE)
# Words after which an uppercase quotation is the speaker's sentence, not a phrase.
LEAD_IN = re.compile(
    r"(?:^|[:,]|\b(?:said|says|saying|added|adding|asked|told|declared|stated|wrote|writes|"
    r"replied|insisted|explained|warned|noted|affirmed|announced|continued|concluded))\s*$",
    re.IGNORECASE,
)


class Paragraph(msgspec.Struct, frozen=True):
    index: int
    start: int
    end: int
    text: str


def split_paragraphs(text: str) -> list[Paragraph]:
    """Every non-blank line is a paragraph (news text puts one paragraph on a line)."""
    paragraphs: list[Paragraph] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if body.strip():
            paragraphs.append(Paragraph(len(paragraphs), offset, offset + len(body), body))
        offset += len(line)
    return paragraphs


def _is_space(char: str) -> bool:
    return char == "" or char.isspace()


def _is_mark(char: str) -> bool:
    return char in MARKS


def _is_word(char: str) -> bool:
    return char != "" and (char.isalnum() or unicodedata.category(char).startswith("M"))


def _roles(text: str, i: int) -> tuple[bool, bool]:
    """Whether the mark at ``text[i]`` can open and whether it can close, by its neighbours."""
    before = text[i - 1] if i > 0 else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    can_open = not _is_space(after) and (
        _is_space(before) or before in OPEN_CONTEXT or _is_mark(before)
    )
    can_close = not _is_space(before) and (
        _is_space(after) or after in CLOSE_CONTEXT or _is_mark(after)
    )
    return can_open, can_close


def _is_apostrophe(text: str, i: int, can_open: bool) -> bool:
    """A single mark inside a word (don't, Xi’an, China´s) or eliding one (’90s, 'em)."""
    before = text[i - 1] if i > 0 else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    if _is_word(before) and _is_word(after):
        return True
    return can_open and (after.isdigit() or ELISION.match(text, i + 1) is not None)


def _has_later_single_closer(text: str, i: int) -> bool:
    for j in range(i + 1, len(text)):
        mark = MARKS.get(text[j])
        if mark is None or mark.family != "single" or mark.glyph == "open":
            continue
        can_open, can_close = _roles(text, j)
        if can_close and not _is_apostrophe(text, j, can_open):
            return True
    return False


class _Open(msgspec.Struct):
    family: Family
    position: int


DOUBLED_APOSTROPHES = re.compile(r"(?<!')''(?!')")


def _doubled_as_double(text: str) -> str:
    """Two apostrophes typed for a double mark (``''like this''``, a house style of the NYT)
    become one double mark and a space, in place: the mark next to the quoted words."""

    def one(match: re.Match[str]) -> str:
        i = match.start()
        before = text[i - 1] if i > 0 else ""
        after = text[i + 2] if i + 2 < len(text) else ""
        if not _is_space(after) and (_is_space(before) or before in OPEN_CONTEXT):
            return ' "'
        return '" ' if not _is_space(before) else "''"

    return DOUBLED_APOSTROPHES.sub(one, text)


def _pair_marks(text: str) -> Iterator[tuple[int, int, bool]]:
    """(opening index, closing index, closed) for each quotation of one paragraph.

    ``closed`` is False for a double quotation still open at the paragraph's end; its closing
    index is then the paragraph's length.
    """
    text = _doubled_as_double(text)
    stack: list[_Open] = []
    for i, char in enumerate(text):
        mark = MARKS.get(char)
        if mark is None:
            continue
        can_open, can_close = _roles(text, i)
        if mark.family == "single" and _is_apostrophe(text, i, can_open):
            continue
        open_index = next(
            (k for k in range(len(stack) - 1, -1, -1) if stack[k].family == mark.family), None
        )
        closes = (can_close and mark.glyph != "open") or (mark.glyph == "close" and not can_open)
        if mark.glyph == "open" and open_index is not None and can_close and not can_open:
            closes = True  # „…“ and typographic slips: an opening glyph in a closing place
        if mark.glyph == "either" and can_open and can_close:
            closes = open_index is not None
        if closes and open_index is not None:
            # A plural possessive (the countries’ leaders) inside a single quotation is an
            # apostrophe when a real closer follows.
            if (
                mark.family == "single"
                and text[i - 1 : i] in {"s", "S"}
                and _has_later_single_closer(text, i)
                and not _is_mark(text[i + 1 : i + 2])
            ):
                continue
            opened = stack[open_index]
            del stack[open_index:]  # inner quotations left open were apostrophes or slips
            yield opened.position, i, True
            continue
        opens = (can_open and mark.glyph != "close") or (mark.glyph == "open" and not can_close)
        if mark.glyph == "close" and can_open and not can_close and mark.family != "single":
            opens = True  # »…« and ”…” styles: a closing glyph in an opening place
        if opens:
            stack.append(_Open(mark.family, i))
    for opened in stack:
        if opened.family in DOUBLE_FAMILIES:
            yield opened.position, len(text), False
            break  # the outermost one; anything inside it belongs to it


def _opens_with_quote(paragraph: Paragraph) -> bool:
    stripped = paragraph.text.lstrip()
    if not stripped:
        return False
    mark = MARKS.get(stripped[0])
    return mark is not None and mark.family in DOUBLE_FAMILIES and mark.glyph != "close"


def is_display_line(text: str) -> bool:
    """A headline, caption, crosshead or link line: short and not ended like a sentence."""
    stripped = text.strip()
    ended = SENTENCE_END.search(stripped) is not None or stripped.endswith(":")
    return len(WORD.findall(stripped)) <= 30 and not ended


def classify_kind(paragraph: str, start: int, end: int) -> QuoteKind:
    """``full`` for the speaker's own sentence, ``scare`` for a quoted term, else ``partial``."""
    quoted = paragraph[start:end]
    words = WORD.findall(quoted)
    before = paragraph[:start].rstrip(" \"'“‘«„")
    if len(words) <= 3 and SO_CALLED.search(before):
        return "scare"
    if len(words) <= 1:
        return "scare"
    first = next((c for c in quoted if c.isalnum()), "")
    sentence_before = re.split(r"[.!?][\"'”’]*(?:\s+|$)", before)[-1]
    if first.isupper() and LEAD_IN.search(sentence_before) and len(words) >= 3:
        return "full"
    return "partial"


def extract_quotes(article: Article) -> list[Quote]:
    """Every quotation of the article in document order, nested ones after their container."""
    paragraphs = split_paragraphs(article.text)
    quotes: list[Quote] = []
    for number, paragraph in enumerate(paragraphs):
        following = paragraphs[number + 1] if number + 1 < len(paragraphs) else None
        display = is_display_line(paragraph.text)
        for open_at, close_at, closed in sorted(_pair_marks(paragraph.text)):
            start, end = open_at + 1, close_at
            if not closed:
                end = len(paragraph.text.rstrip())
            if not WORD.search(paragraph.text[start:end]):
                continue
            continues = not closed and following is not None and _opens_with_quote(following)
            quotes.append(
                Quote(
                    id=f"{article.id}:{paragraph.start + start}",
                    article_id=article.id,
                    start=paragraph.start + start,
                    end=paragraph.start + end,
                    text=article.text[paragraph.start + start : paragraph.start + end],
                    kind=classify_kind(paragraph.text, start, end),
                    paragraph=paragraph.index,
                    headline=display,
                    continues=continues,
                )
            )
    return quotes
