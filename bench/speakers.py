"""How speaker resolution's cost grows: :func:`index.analyse.speakers.resolve_speakers` at
doubling numbers of distinct speaker names.

Resolution merges article-local entities into speakers: misspelt full names into the more
common spelling, organisations named in part into the fuller name, lone names into the one
full name that holds them. This counts the name checks it makes (``_misspelt`` and the
organisation containment test ``_holds``, where the module has it) and times it as the names
double, to read off the exponents (1: linear; 2: all pairs). It also times
:func:`~index.analyse.speakers.merge_speakers` of the resolved speakers into as many held ones
(what a write does).

Entities are generated without spaCy: full names from pools of given names and surnames (a
tenth of them misspelt by a letter), lone surnames, and organisations that contain one another
("Harbour Authority", "Northern Harbour Authority"), with role titles and quote counts.

    nice -n 10 python -m bench.speakers [--sizes 1000 2000 4000 8000]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import string
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import msgspec

from bench.measure import growth_exponent, machine, write_result

ROLES = ("premier", "minister", "mayor", "spokesman", "official")
PLACES = ("Northern", "Southern", "Harbour", "Coast", "River", "Valley", "Mountain", "Lake")
BODIES = ("Authority", "Guard", "Council", "Ministry", "Agency", "Board", "Office", "Service")


def _word(rng: random.Random) -> str:
    return rng.choice(string.ascii_uppercase) + "".join(
        rng.choices(string.ascii_lowercase, k=rng.randint(3, 7))
    )


def entities(count: int, seed: int = 7) -> tuple[list[Any], dict[int, int]]:
    """About ``count`` distinct names as article-local entities, and their quote counts."""
    from index.analyse.mentions import Entity

    rng = random.Random(seed)
    given = [_word(rng) for _ in range(max(8, int(math.sqrt(count))))]
    surnames = [_word(rng) for _ in range(max(8, count // 4))]
    found: list[Entity] = []
    names: set[str] = set()
    while len(names) < count:
        roll = rng.random()
        if roll < 0.6:
            name = f"{rng.choice(given)} {rng.choice(surnames)}"
            if rng.random() < 0.1:
                at = rng.randrange(len(name))
                if name[at] != " ":
                    name = name[:at] + rng.choice(string.ascii_lowercase) + name[at + 1 :]
            entity = Entity(name=name, kind="person", titles={rng.choice(ROLES)})
        elif roll < 0.7:
            name = rng.choice(surnames)
            entity = Entity(name=name, kind="person")
        else:
            words = [rng.choice(surnames), *rng.sample(PLACES, rng.randint(0, 2))]
            name = " ".join([*words, rng.choice(BODIES)])
            entity = Entity(name=name, kind="organisation")
        names.add(" ".join(name.casefold().split()))
        found.append(entity)
    uses = {id(entity): rng.randint(0, 3) for entity in found}
    return found, uses


def _counting(module: Any, name: str, counts: dict[str, int]) -> None:
    original: Callable[..., bool] | None = getattr(module, name, None)
    if original is None:
        return

    def counted(*args: Any) -> bool:
        counts[name] += 1
        return original(*args)

    setattr(module, name, counted)
    counts.setdefault(name, 0)


def run(sizes: Sequence[int]) -> dict[str, Any]:
    from index.analyse import speakers

    rows = []
    for size in sizes:
        found, uses = entities(size)
        start = time.perf_counter()
        resolved, _ = speakers.resolve_speakers(found, uses)
        seconds = time.perf_counter() - start
        counts: dict[str, int] = {}
        originals = {name: getattr(speakers, name, None) for name in ("_misspelt", "_holds")}
        for name in originals:
            _counting(speakers, name, counts)
        try:
            speakers.resolve_speakers(found, uses)
        finally:
            for name, original in originals.items():
                if original is not None:
                    setattr(speakers, name, original)
        # A write: this batch's speakers merged into an index holding the same number, its
        # lone names looking for their full names among them.
        held = [
            msgspec.structs.replace(speaker, id=f"held-{speaker.id}", name=f"{speaker.name} Jr")
            for speaker in resolved
        ]
        start = time.perf_counter()
        speakers.merge_speakers(held, resolved)
        merge_seconds = time.perf_counter() - start
        rows.append(
            {
                "names": size,
                "entities": len(found),
                "speakers": len(resolved),
                "seconds": round(seconds, 3),
                "merge_seconds": round(merge_seconds, 3),
                "checks": sum(counts.values()),
                "checks_per_name": round(sum(counts.values()) / size, 2),
                **{f"{name.strip('_')}_checks": count for name, count in counts.items()},
            }
        )
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    return {
        "bench": "speakers",
        "machine": machine(),
        "rows": rows,
        "time_exponent": growth_exponent(rows, "names", "seconds"),
        "checks_exponent": growth_exponent(rows, "names", "checks"),
        "merge_time_exponent": growth_exponent(rows, "names", "merge_seconds"),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="speaker resolution cost against names")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 4000, 8000])
    result = run(parser.parse_args(argv).sizes)
    print(json.dumps(result, indent=2))
    print(write_result("speakers", result), file=sys.stderr)


def section(r: dict[str, Any]) -> str:
    """BENCHMARKS.md's speaker-resolution section."""
    from bench.report import _when

    lines = [
        "## Speaker resolution",
        "",
        "`python -m bench.speakers`: resolving article-local entities into speakers as the "
        "distinct names double (candidate blocking: each name is compared only with the names "
        "that share an index key), and a write's merge into the speakers held.",
        "",
        "| distinct names | speakers | seconds | name checks | checks per name | merge s |",
        "|---|---|---|---|---|---|",
    ]
    for row in r["rows"]:
        lines.append(
            f"| {row['names']} | {row['speakers']} | {row['seconds']} | {row['checks']} | "
            f"{row['checks_per_name']} | {row['merge_seconds']} |"
        )
    lines += [
        "",
        f"Growth exponents (log of the ratio over log of the names' ratio, first to last "
        f"row of the run): time {r['time_exponent']}, checks {r['checks_exponent']}, merge "
        f"{r['merge_time_exponent']}. Before the blocking, the same script gave checks "
        "2.01 and time 2.05 (8,000 names: 24M checks, 107 s).",
        "",
        _when(r),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
