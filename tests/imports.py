"""Running code in a fresh interpreter to see which heavy modules it imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "transformers", "sentence_transformers")


def heavy_imports(code: str) -> tuple[list[str], object]:
    """Run ``code`` in a new Python process from the repository root; return the heavy
    modules (torch, transformers, sentence-transformers) it imported, and the value it bound
    to ``result`` (JSON-encodable)."""
    script = (
        "import json, sys\n"
        "result = None\n"
        f"{code}\n"
        f"heavy = sorted(set({HEAVY!r}) & set(sys.modules))\n"
        "print(json.dumps({'heavy': heavy, 'result': result}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return found["heavy"], found["result"]
