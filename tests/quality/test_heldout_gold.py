"""Quality on a second gold set: six invented articles on two events (tests/data/heldout).

The set was written by someone who had not seen the system's output on it, then used once to
find general weaknesses (organisation names, issuers, indirect-speech lead-ins), so it is no
longer blind. These assertions guard what it showed from regressing. Paraphrase lookups are not
asserted: its paraphrases are abstract enough that all-MiniLM-L6-v2 scores most of the right
statements below 0.5 cosine (see the README's quality section).
"""

from __future__ import annotations

import pytest

from index.evaluate.gold import Report
from tests.quality.scoring import DATA, gold_report

pytestmark = pytest.mark.model

HELDOUT = DATA / "heldout"


@pytest.fixture(scope="module")
def report() -> Report:
    return gold_report(HELDOUT / "gold.json", HELDOUT / "articles")


def test_extraction_f1(report: Report) -> None:
    assert report.extraction.f1 >= 0.95


def test_speaker_accuracy(report: Report) -> None:
    assert report.speaker.accuracy >= 0.92


def test_cross_outlet_grouping_f1(report: Report) -> None:
    assert report.grouping.cross_file.f1 >= 0.85


@pytest.mark.parametrize(("why", "minimum"), [("exact", 1.0), ("fragment", 0.95)])
def test_exact_and_fragment_lookups(report: Report, why: str, minimum: float) -> None:
    assert report.lookup[why].accuracy >= minimum


def test_negatives_answer_no_match(report: Report) -> None:
    assert report.lookup["negative"].accuracy >= 0.8
