"""The training script: a tiny synthetic run is deterministic and learns the signal."""

from __future__ import annotations

import importlib.util
import json
import random
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytest.importorskip("sklearn")

SCRIPT = Path(__file__).resolve().parents[2] / "training" / "train_attribution.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("train_attribution", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("train_attribution", module)
    spec.loader.exec_module(module)
    return module


def _rows(seed: int) -> list[tuple[list[dict[str, float]], int, bool]]:
    """Quotes with a cued candidate that is right four times in five, a decoy, and nobody."""
    rng = random.Random(seed)
    rows = []
    for _ in range(200):
        cued = {"rule_after": 1.0, "closeness": rng.random()}
        decoy = {"mention_previous_paragraph": 1.0, "closeness": rng.random()}
        nobody = {"null": 1.0, "null_short": float(rng.random() < 0.3)}
        right = 0 if rng.random() < 0.8 else (1 if rng.random() < 0.5 else 2)
        rows.append(([cued, decoy, nobody], right, right == 2))
    return rows


def test_fit_is_deterministic_and_learns_the_cue() -> None:
    script = _script()
    first = script.fit_weights(_rows(1))
    second = script.fit_weights(_rows(1))
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    weights = first["features"]
    assert weights["rule_after"] > weights["mention_previous_paragraph"]
    assert 0.0 <= first["threshold"] < 1.0
    assert first["trained"]["quotes"] == 200


def test_main_writes_the_weights_from_a_cache(tmp_path: Path) -> None:
    script = _script()
    cache = tmp_path / "rows.json"
    cache.write_text(json.dumps(_rows(2)))
    outputs = []
    for name in ("a.json", "b.json"):
        out = tmp_path / name
        assert script.main([str(tmp_path), "--cache", str(cache), "--out", str(out)]) == 0
        outputs.append(out.read_text())
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0])["trained"]["script"] == "training/train_attribution.py"
