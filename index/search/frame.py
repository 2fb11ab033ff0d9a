"""The reporting frame of a query: "Putin said …", "… , the Kremlin says", "According to X, …".

People ask about a statement the way news reports it. The frame names who the asker thinks
spoke; the rest is the statement to look up. :func:`split_frame` separates the two so that
the statement is embedded without the name, and the name becomes a claimed speaker.
"""

from __future__ import annotations

import re

import msgspec

# Verbs that report speech (present and past). "praised" or "condemned" are not here: they
# carry content that the statement itself must support.
_SPEECH_VERBS = (
    "said|says|say|stated|states|added|adds|declared|declares|noted|notes|"
    "stressed|stresses|claimed|claims|insisted|insists|warned|warns|argued|argues|"
    "explained|explains|announced|announces|remarked|remarks|asserted|asserts|"
    "wrote|writes|tweeted|tweets|posted|posts|maintained|maintains|contended|contends|"
    "emphasised|emphasized|emphasises|emphasizes|underlined|underlines|observed|observes"
)
# "told reporters that", "tells the BBC:": a verb with a short object before the statement.
_TOLD_BEFORE = r"(?:told|tells)\s+[^,;:]{1,40}?(?:\s+that\b|\s*[,:])"
_TOLD_AFTER = r"(?:told|tells)\s+[^,;:]{1,40}?"
_AUX = r"(?:has\s+|have\s+|had\s+)?"
# Who: one to six words with no punctuation but name punctuation (Mr. O'Neill-Smith).
_NAME = r"[\w\u00c0-\u024f][\w\u00c0-\u024f.'’´\-]*(?:\s+[\w\u00c0-\u024f.'’´\-]+){0,5}?"
_LEADING = re.compile(
    rf"^\s*(?P<who>{_NAME})\s+{_AUX}(?:(?:{_SPEECH_VERBS})\b(?:\s+that\b)?|{_TOLD_BEFORE})"
    r"[\s,:]*(?P<body>.+?)\s*$",
    re.IGNORECASE | re.DOTALL,
)
_ACCORDING = re.compile(
    r"^\s*according\s+to\s+(?P<who>[^,;:]{2,80}?)\s*,\s*(?P<body>.+?)\s*$",
    re.IGNORECASE | re.DOTALL,
)
_TRAILING = re.compile(
    rf"^\s*(?P<body>.+?)\s*[,;:]\s*(?:(?:{_SPEECH_VERBS})\s+(?P<who_after>{_NAME})"
    rf"|(?P<who_before>{_NAME})\s+{_AUX}(?:{_SPEECH_VERBS}|{_TOLD_AFTER}))[\s.!?]*$",
    re.IGNORECASE | re.DOTALL,
)
_QUOTED = re.compile(r"^[\"'“‘«]\s*(?P<inner>.+?)\s*[\"'”’»]?[\s.]*$", re.DOTALL)
_PRONOUNS = frozenset("i we you he she it they this that there who which what one".split())
_MIN_BODY_WORDS = 3


class Frame(msgspec.Struct, frozen=True, kw_only=True):
    """A query split into who it names as speaker (if anyone) and the statement itself."""

    speaker: str | None
    body: str


def _clean_speaker(who: str) -> str | None:
    who = who.strip(" ,:;")
    first = who.split()[0].casefold() if who else ""
    if not who or first in _PRONOUNS:
        return None
    return who


def _unquote(body: str) -> str:
    match = _QUOTED.match(body)
    return match.group("inner") if match else body


def split_frame(text: str) -> Frame:
    """Split "X said (that) S", "S, X said", "S, said X" and "According to X, S".

    The statement must keep at least three words, so a short text is never emptied, and a
    pronoun ("He said …") is a frame without a speaker.
    """
    for pattern in (_ACCORDING, _LEADING, _TRAILING):
        match = pattern.match(text)
        if match is None:
            continue
        body = _unquote(match.group("body").strip())
        if len(body.split()) < _MIN_BODY_WORDS:
            continue
        who = next(
            (value for key, value in match.groupdict().items() if key != "body" and value), ""
        )
        return Frame(speaker=_clean_speaker(who), body=body)
    return Frame(speaker=None, body=text.strip())
