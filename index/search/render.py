"""An answer as text for a person to read (``whosaid ask``)."""

from __future__ import annotations

import textwrap

from index.models import Answer, ClaimCheck, Edit, Match, Variant

_WIDTH = 100


def describe_edit(edit: Edit) -> str:
    """One difference of a variant, in words: "'x' where canonical has 'y'"."""
    if edit.op == "omission":
        return f"leaves out '{edit.canonical}'"
    if edit.op == "insertion":
        return f"adds '{edit.variant}'"
    if edit.op == "spelling":
        return f"spells '{edit.canonical}' as '{edit.variant}'"
    if edit.op == "case":
        return f"capitalises '{edit.canonical}' as '{edit.variant}'"
    if edit.op == "reordering":
        return f"moves '{edit.canonical}'"
    if edit.op == "punctuation":
        return f"writes '{edit.canonical}' as '{edit.variant}'"
    return f"'{edit.variant}' where canonical has '{edit.canonical}'"


def describe_variant(variant: Variant) -> str:
    """An outlet's wording: the same as the canonical text, or how it differs."""
    label = f"{variant.outlet} ({variant.article_id})"
    if variant.fragment:
        label += ", a fragment"
    if not variant.edits:
        return f"{label}: as canonical" if not variant.fragment else f"{label}: '{variant.text}'"
    return f"{label}: " + "; ".join(describe_edit(edit) for edit in variant.edits)


def _describe_claim(claim: ClaimCheck) -> str:
    if claim.verdict == "supported":
        return f"Claim: {claim.claimed} said it. That holds."
    if claim.verdict == "not_found":
        return f"Claim: {claim.claimed} said it. Not found: nobody in the corpus said this."
    return f"Claim: {claim.claimed} said it. It does not hold: it was {claim.actual}."


def _indent(text: str, prefix: str) -> str:
    return textwrap.fill(
        text, width=_WIDTH, initial_indent=prefix, subsequent_indent=" " * len(prefix)
    )


def _describe_match(rank: int, match: Match) -> list[str]:
    speaker = match.speaker.name if match.speaker is not None else "unattributed"
    lines = [
        f"{rank}. {speaker} (score {match.score:.2f}{'' if match.strong else ', weak'})",
        _indent(f"“{match.canonical_text}”", "   "),
    ]
    if match.matched_text != match.canonical_text:
        lines.append(_indent(f"matched: “{match.matched_text}”", "   "))
    outlets = len({variant.outlet for variant in match.variants})
    lines.append(f"   reported {len(match.variants)} times by {outlets} outlet(s):")
    lines.extend(_indent(describe_variant(variant), "   - ") for variant in match.variants)
    return lines


def format_answer(answer: Answer) -> str:
    """The answer for a person: each statement with its speaker, text and outlets' variants."""
    lines = [f"Query: “{answer.query}”"]
    if not answer.matched:
        lines.append(
            f"No match: no statement in the corpus reaches the threshold {answer.threshold}."
        )
        if answer.nearest is not None:
            nearest = answer.nearest
            speaker = nearest.speaker.name if nearest.speaker else "unattributed"
            lines.append(f"Nearest: {speaker}, score {nearest.score}: “{nearest.canonical_text}”")
    for rank, match in enumerate(answer.matches, start=1):
        lines.append("")
        lines.extend(_describe_match(rank, match))
    if answer.claim is not None:
        lines.append("")
        lines.append(_describe_claim(answer.claim))
    return "\n".join(lines)
