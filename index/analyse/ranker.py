"""The learned attribution ranker: a logistic model over speaker candidates.

:mod:`index.analyse.candidates` describes every candidate speaker of a quotation (nobody
included) with named features; the model gives each the probability that it is the speaker
and the most probable wins. A person or organisation whose probability is below the fitted
threshold gives way to nobody: no speaker rather than a guess.

The weights are data of this package (``attribution_weights.json``), written by
``training/train_attribution.py`` from PolNeAR's train split; the file also records what
trained it and its scores at training time. Runtime needs numpy only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import msgspec

from index.analyse.candidates import Candidate
from index.analyse.mentions import Entity

WEIGHTS_FILE = "attribution_weights.json"


class Weights(msgspec.Struct, frozen=True, kw_only=True):
    """The committed model: one weight per feature name, an intercept and the threshold."""

    features: dict[str, float]
    intercept: float
    threshold: float
    trained: dict[str, object] = {}


@dataclass(frozen=True)
class Choice:
    """The ranker's speaker for one quotation (None: nobody) and its probability."""

    entity: Entity | None
    probability: float


def decode_weights(data: bytes) -> Weights:
    return msgspec.json.decode(data, type=Weights)


@cache
def load_weights(path: Path | None = None) -> Weights:
    """The weights at ``path``, or the packaged ones (read once per process)."""
    if path is not None:
        return decode_weights(path.read_bytes())
    return decode_weights(resources.files(__package__).joinpath(WEIGHTS_FILE).read_bytes())


def probability(weights: Weights, candidate: Candidate) -> float:
    score = weights.intercept + sum(
        weights.features.get(name, 0.0) * value for name, value in candidate.features.items()
    )
    return 1.0 / (1.0 + math.exp(-max(min(score, 40.0), -40.0)))


def choose(weights: Weights, candidates: Sequence[Candidate]) -> Choice:
    """The most probable candidate; a speaker below the threshold becomes nobody."""
    if not candidates:
        return Choice(None, 1.0)
    scored = [(probability(weights, c), c) for c in candidates]
    best_p, best = max(scored, key=lambda pair: pair[0])
    if best.entity is not None and best_p < weights.threshold:
        nobody = next((p for p, c in scored if c.entity is None), 1.0 - best_p)
        return Choice(None, nobody)
    return Choice(best.entity, best_p)
