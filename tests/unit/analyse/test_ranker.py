"""The packaged ranker weights, and how the ranker chooses among invented candidates."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from index.analyse.candidates import RULES, Candidate
from index.analyse.mentions import Entity
from index.analyse.ranker import Weights, choose, load_weights, probability


def test_packaged_weights_load_and_describe_their_training() -> None:
    weights = load_weights()
    assert weights.features and all(math.isfinite(w) for w in weights.features.values())
    assert 0.0 <= weights.threshold < 1.0
    assert weights.trained["script"] == "training/train_attribution.py"
    assert "null" in weights.features


def test_weights_reward_the_rules_picks() -> None:
    weights = load_weights()
    strong = [f"rule_{rule}" for rule in ("after", "governing", "according")]
    assert all(weights.features.get(name, 0.0) > 0 for name in strong)
    assert {name.removeprefix("rule_") for name in strong} <= set(RULES)


def test_a_cued_name_beats_nobody() -> None:
    weights = load_weights()
    berg = Entity(name="Anna Berg", kind="person")
    cued = Candidate(
        berg,
        {
            "rule_after": 1.0,
            "rule_form_name": 1.0,
            "speech_subject_sentence": 1.0,
            "verb_subject": 1.0,
            "mention_sentence_after": 1.0,
            "closeness": 0.8,
            "kind_person": 1.0,
            "full_name": 1.0,
        },
    )
    nobody = Candidate(None, {"null": 1.0, "null_log_words": 2.0})
    choice = choose(weights, [cued, nobody])
    assert choice.entity is berg
    assert choice.probability == pytest.approx(probability(weights, cued))
    assert choice.probability > 0.5


def test_a_short_uncued_scare_quote_gets_nobody() -> None:
    weights = load_weights()
    far = Candidate(
        Entity(name="Ian Shaw", kind="person"),
        {"mention_previous_paragraph": 1.0, "closeness": 0.1, "kind_person": 1.0},
    )
    nobody = Candidate(
        None,
        {
            "null": 1.0,
            "null_short": 1.0,
            "null_rule_none": 1.0,
            "null_no_cue": 1.0,
            "null_kind_scare": 1.0,
            "null_log_words": 0.7,
        },
    )
    assert choose(weights, [far, nobody]).entity is None


def test_below_the_threshold_a_speaker_becomes_nobody() -> None:
    weights = Weights(features={"good": 1.0}, intercept=0.0, threshold=0.9)
    someone = Candidate(Entity(name="Lena Park", kind="person"), {"good": 1.0})
    choice = choose(weights, [someone, Candidate(None, {})])
    assert choice.entity is None
    assert choice.probability == pytest.approx(0.5)
    assert choose(weights, []).entity is None


def test_weights_load_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    path.write_text('{"features": {"null": 0.5}, "intercept": -1.0, "threshold": 0.2}')
    weights = load_weights(path)
    assert weights.features == {"null": 0.5} and weights.threshold == 0.2
