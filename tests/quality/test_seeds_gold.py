"""Quality on the development set: the thresholds the issues set, with the real model.

The gold file is a copy of ``shared/eval/seeds-gold.json`` (the development set). The whole
system runs once per session: extraction, attribution, speakers, a real index with
all-MiniLM-L6-v2 and FAISS, and every gold query.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from index.evaluate.gold import Report
from tests.quality.scoring import DATA, gold_report

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def report(seeds_dir: Path) -> Report:
    return gold_report(DATA / "seeds-gold.json", seeds_dir)


def test_extraction_f1(report: Report) -> None:
    assert report.extraction.f1 >= 0.95


def test_speaker_accuracy(report: Report) -> None:
    assert report.speaker.accuracy >= 0.92


def test_no_speaker_is_invented_for_unattributed_quotes(report: Report) -> None:
    assert report.speaker.null_given_speaker == 0


def test_cross_outlet_grouping_f1(report: Report) -> None:
    assert report.grouping.cross_file.f1 >= 0.85


@pytest.mark.parametrize(
    ("why", "minimum"),
    [("exact", 1.0), ("fragment", 0.95), ("paraphrase", 0.85), ("misattributed", 0.90),
     ("negative", 0.80)],
)  # fmt: skip
def test_lookup_accuracy(report: Report, why: str, minimum: float) -> None:
    assert report.lookup[why].accuracy >= minimum


def test_outlet_recall(report: Report) -> None:
    recall = report.lookup["overall"].outlet_recall
    assert recall is not None and recall >= 0.9
