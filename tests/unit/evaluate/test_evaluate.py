"""``whosaid eval`` (index.evaluate): reading gold and articles, the glue, and the outputs.

The pipeline, the index build and the searcher are replaced by small fakes so that these tests
check the glue and the output formats, not the pipeline's quality.
"""

from __future__ import annotations

import re
import sys
import types
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec
import pytest

from index.errors import GoldError
from index.evaluate.evaluate import read_gold_articles, render_report, run_eval
from index.evaluate.gold import Gold, Report
from index.evaluate.scores import score
from index.models import Answer, Article, Corpus, Group, Match, Quote, Speaker, Variant
from service.cli import main
from tests.fakes import HashEmbedder

A_TEXT = "Ann Lee said: “We will build the bridge next year.” A sign read “Never”."
B_TEXT = "Ms Lee said: “We will build the bridge next year.”"
ANN = Speaker(id="ann", name="Ann Lee", kind="person")

GOLD: dict[str, Any] = {
    "articles": [
        {"file": "a.txt", "outlet": "A long descriptive outlet", "evidence": "ignored"},
        {"file": "wire/b.txt", "outlet": "Wire B", "title": None},
    ],
    "speakers": [{"id": "ann-lee", "name": "Ann Lee", "kind": "person", "aliases": ["Ms Lee"]}],
    "quotes": [
        {"file": "a.txt", "text": "We will build the bridge next year.", "speaker": "ann-lee",
         "group": "bridge", "kind": "full", "cue": "said"},
        {"file": "a.txt", "text": "Never", "speaker": None, "group": "sign"},
        {"file": "wire/b.txt", "text": "We will build the bridge next year.",
         "speaker": "ann-lee", "group": "bridge"},
    ],
    "groups": [{"id": "bridge", "speaker": "ann-lee", "summary": "s", "notable_differences": ""}],
    "queries": [
        {"q": "Will the bridge be built?", "speaker": "ann-lee", "group": "bridge",
         "files": ["a.txt", "wire/b.txt"], "why": "paraphrase"},
        {"q": "Bob cancelled the bridge", "speaker": None, "group": None, "files": [],
         "why": "negative"},
    ],
}  # fmt: skip

EXTRACTION_KEYS = {"precision": None, "recall": None, "f1": None}
EXTRACTION_KEYS |= {"gold": None, "predicted": None, "matched": None}
SPEAKER_KEYS = {"accuracy": None, "correct": None, "total": None, "null_given_speaker": None}
PAIR_KEYS = {"precision": None, "recall": None, "f1": None}
LOOKUP_KEYS = {"accuracy": None, "correct": None, "total": None, "outlet_recall": None}
WHY_KEYS = ("exact", "fragment", "paraphrase", "negative", "misattributed", "overall")
README_SHAPE: dict[str, Any] = {
    "extraction": EXTRACTION_KEYS,
    "speaker": SPEAKER_KEYS,
    "grouping": {"all": PAIR_KEYS, "cross_file": PAIR_KEYS},
    "lookup": dict.fromkeys(WHY_KEYS, LOOKUP_KEYS),
    "files": {
        file: {"extraction": EXTRACTION_KEYS, "speaker": SPEAKER_KEYS}
        for file in ("a.txt", "wire/b.txt")
    },
}


def keys_of(value: Any, shape: Any) -> Any:
    """``value`` cut down to ``shape``'s form: nested dicts of keys, leaves None."""
    if shape is None:
        assert not isinstance(value, dict), value
        return None
    assert isinstance(value, dict)
    return {key: keys_of(value[key], shape.get(key)) for key in value}


@pytest.fixture
def articles_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    (folder / "wire").mkdir(parents=True)
    (folder / "a.txt").write_text(A_TEXT, encoding="utf-8")
    (folder / "wire" / "b.txt").write_text(B_TEXT, encoding="utf-8")
    manifest = {"articles": [{"file": "a.txt", "outlet": "Outlet A", "title": "T"}]}
    (folder / "manifest.json").write_bytes(msgspec.json.encode(manifest))
    return folder


@pytest.fixture
def gold_path(tmp_path: Path) -> Path:
    path = tmp_path / "gold.json"
    path.write_bytes(msgspec.json.encode(GOLD))
    return path


def fake_analyse(articles: Sequence[Article]) -> Corpus:
    """Every “…” span is a quote, all said by Ann Lee: a stand-in for index.pipeline."""
    quotes = [
        Quote(
            id=f"{article.id}#{n}",
            article_id=article.id,
            start=found.start(1),
            end=found.end(1),
            text=found.group(1),
            kind="full",
            paragraph=0,
            speaker=ANN.id,
        )
        for article in articles
        for n, found in enumerate(re.finditer(r"“([^”]*)”", article.text))
    ]
    return Corpus(articles=tuple(articles), quotes=tuple(quotes), speakers=(ANN,))


@pytest.fixture
def analysed(monkeypatch: pytest.MonkeyPatch) -> list[Article]:
    """Install the fake pipeline; the list collects the articles it was given."""
    seen: list[Article] = []

    def analyse(articles: Sequence[Article]) -> Corpus:
        seen.extend(articles)
        return fake_analyse(articles)

    module = types.ModuleType("index.analyse.pipeline")
    module.analyse = analyse  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "index.analyse.pipeline", module)
    return seen


class FakeSearcher:
    """Groups quotes by text; answers a query with the statement sharing most of its words."""

    def __init__(self, corpus: Corpus) -> None:
        by_text: dict[str, list[Quote]] = {}
        for quote in corpus.quotes:
            by_text.setdefault(quote.text, []).append(quote)
        groups = tuple(
            Group(
                id=f"g{n}",
                speaker=quotes[0].speaker,
                canonical_quote_id=quotes[0].id,
                canonical_text=text,
                variants=tuple(
                    Variant(
                        quote_id=q.id,
                        article_id=q.article_id,
                        outlet="?",
                        start=q.start,
                        end=q.end,
                        text=q.text,
                    )
                    for q in quotes
                ),
            )
            for n, (text, quotes) in enumerate(by_text.items())
        )
        self.corpus = msgspec.structs.replace(corpus, groups=groups)

    @classmethod
    def open(cls, folder: Path, *, embedder: object) -> FakeSearcher:
        corpus = msgspec.json.decode((folder / "corpus.json").read_bytes(), type=Corpus)
        return cls(corpus)

    def lookup(self, query: str, *, k: int) -> Answer:
        words = set(re.findall(r"\w+", query.lower()))
        best = max(self.corpus.groups, key=lambda g: len(words & set(g.canonical_text.split())))
        if len(words & set(best.canonical_text.lower().split())) < 3:
            return Answer(query=query, matches=())
        match = Match(
            group_id=best.id,
            score=1.0,
            matched_quote_id=best.canonical_quote_id,
            matched_text=best.canonical_text,
            speaker=ANN,
            canonical_text=best.canonical_text,
            variants=best.variants,
        )
        return Answer(query=query, matches=(match,))


@pytest.fixture
def fake_index(monkeypatch: pytest.MonkeyPatch, analysed: list[Article]) -> None:
    """Install fakes for index.build, index.search and the embedding model."""

    def build_index(
        articles: list[Article], folder: Path, embedder: object, *, progress: bool
    ) -> None:
        assert not progress
        folder.mkdir(parents=True)
        (folder / "corpus.json").write_bytes(msgspec.json.encode(fake_analyse(articles)))

    build = types.ModuleType("index.build")
    build.build_index = build_index  # type: ignore[attr-defined]
    search = types.ModuleType("index.search.searcher")
    search.Searcher = FakeSearcher  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "index.build", build)
    monkeypatch.setitem(sys.modules, "index.search.searcher", search)
    monkeypatch.setattr(
        "index.embed.sentence.SentenceTransformerEmbedder", lambda model_dir=None: HashEmbedder()
    )


def eval_args(gold: Path, articles: Path, tmp_path: Path, *, lookups: bool) -> dict[str, Any]:
    return {
        "gold_path": gold,
        "articles_dir": articles,
        "json_out": tmp_path / "scores.json",
        "predictions_out": tmp_path / "predictions.json",
        "model_dir": None,
        "lookups": lookups,
    }


def test_articles_get_ids_outlets_and_files_from_gold_and_manifest(
    gold_path: Path, articles_dir: Path
) -> None:
    gold = msgspec.json.decode(gold_path.read_bytes(), type=Gold)
    articles = read_gold_articles(gold, articles_dir)
    assert [(a.id, a.outlet, a.file, a.title) for a in articles] == [
        ("a", "Outlet A", "a.txt", "T"),  # the manifest's short outlet wins
        ("wire/b", "Wire B", "wire/b.txt", None),  # not in the manifest: the gold outlet
    ]
    assert [a.text for a in articles] == [A_TEXT, B_TEXT]


def test_eval_without_lookups_scores_the_pipeline(
    gold_path: Path,
    articles_dir: Path,
    tmp_path: Path,
    analysed: list[Article],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_eval(**eval_args(gold_path, articles_dir, tmp_path, lookups=False)) == 0
    assert [a.id for a in analysed] == ["a", "wire/b"]

    report = msgspec.json.decode((tmp_path / "scores.json").read_bytes(), type=Report)
    assert (report.extraction.gold, report.extraction.predicted, report.extraction.matched) == (
        3,
        3,
        3,
    )
    assert (report.speaker.correct, report.speaker.total) == (2, 2)
    assert report.speaker.null_given_speaker == 1  # "Never" has no gold speaker
    assert report.grouping.all.precision == 0.0  # the pipeline alone groups nothing
    assert all(entry.total == 0 for entry in report.lookup.values())

    predictions = msgspec.json.decode((tmp_path / "predictions.json").read_bytes())
    assert predictions["lookups"] == []
    texts = {"a.txt": A_TEXT, "wire/b.txt": B_TEXT}
    for quote in predictions["quotes"]:
        assert set(quote) == {"file", "start", "end", "text", "speaker", "group"}
        assert texts[quote["file"]][quote["start"] : quote["end"]] == quote["text"]
        assert quote["speaker"] == "Ann Lee"  # the canonical name, not the speaker id

    printed = capsys.readouterr().out
    assert "wire/b.txt" in printed
    assert "overall" in printed


def test_eval_json_has_exactly_the_readme_keys(
    gold_path: Path, articles_dir: Path, tmp_path: Path, analysed: list[Article]
) -> None:
    run_eval(**eval_args(gold_path, articles_dir, tmp_path, lookups=False))
    written = msgspec.json.decode((tmp_path / "scores.json").read_bytes())
    assert keys_of(written, README_SHAPE) == README_SHAPE
    assert list(written["lookup"]) == list(WHY_KEYS)


def test_eval_with_lookups_asks_every_query_of_a_built_index(
    gold_path: Path,
    articles_dir: Path,
    tmp_path: Path,
    fake_index: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_eval(**eval_args(gold_path, articles_dir, tmp_path, lookups=True)) == 0
    predictions = msgspec.json.decode((tmp_path / "predictions.json").read_bytes())
    bridge, negative = predictions["lookups"]
    assert bridge["q"] == "Will the bridge be built?"
    assert bridge["match"] is True
    assert bridge["speaker"] == "Ann Lee"
    assert {v["file"] for v in bridge["variants"]} == {"a.txt", "wire/b.txt"}
    assert negative["match"] is False
    # Quotes carry the group ids of the built index's statements.
    groups = {q["file"]: q["group"] for q in predictions["quotes"] if q["text"].startswith("We")}
    assert groups["a.txt"] == groups["wire/b.txt"] is not None

    report = msgspec.json.decode((tmp_path / "scores.json").read_bytes(), type=Report)
    assert (report.lookup["overall"].correct, report.lookup["overall"].total) == (2, 2)
    assert report.lookup["paraphrase"].outlet_recall == 1.0
    assert report.grouping.cross_file.recall == 1.0
    assert "lookups answered wrongly" not in capsys.readouterr().out


def test_predictions_file_rescores_to_the_same_report(
    gold_path: Path, articles_dir: Path, tmp_path: Path, fake_index: None
) -> None:
    from index.evaluate.gold import Predictions

    run_eval(**eval_args(gold_path, articles_dir, tmp_path, lookups=True))
    gold = msgspec.json.decode(gold_path.read_bytes(), type=Gold)
    predictions = msgspec.json.decode(
        (tmp_path / "predictions.json").read_bytes(), type=Predictions
    )
    written = msgspec.json.decode((tmp_path / "scores.json").read_bytes(), type=Report)
    assert score(gold, predictions, {"a.txt": A_TEXT, "wire/b.txt": B_TEXT}) == written


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param({"quotes": None}, "malformed", id="quotes-null"),
        pytest.param({"articles": [*GOLD["articles"], {"file": "c.txt"}]}, "not found", id="file"),
        pytest.param(
            {"articles": [*GOLD["articles"], {"file": "../x.txt"}]}, "leaves", id="outside-folder"
        ),
        pytest.param({"queries": [{"q": "x", "why": "sarcastic"}]}, "malformed", id="unknown-why"),
    ],
)
def test_malformed_gold_raises_gold_error(
    change: dict[str, Any],
    message: str,
    tmp_path: Path,
    articles_dir: Path,
    analysed: list[Article],
) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(msgspec.json.encode({**GOLD, **change}))
    with pytest.raises(GoldError, match=message):
        run_eval(**eval_args(path, articles_dir, tmp_path, lookups=False))


def test_cli_exits_2_on_a_gold_error(
    tmp_path: Path, articles_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.json"
    assert main(["eval", str(missing), "--articles", str(articles_dir), "--no-lookup"]) == 2
    assert "cannot read gold file" in capsys.readouterr().err


def test_render_report_lists_files_overall_and_lookups(gold_path: Path, articles_dir: Path) -> None:
    gold = msgspec.json.decode(gold_path.read_bytes(), type=Gold)
    from index.evaluate.gold import Predictions

    report = score(gold, Predictions(), {"a.txt": A_TEXT, "wire/b.txt": B_TEXT})
    lines = render_report(report).splitlines()
    assert any(line.startswith("a.txt ") for line in lines)
    assert any(line.startswith("wire/b.txt ") for line in lines)
    assert any(line.startswith("overall ") and " 3 " in line for line in lines)
    for why in WHY_KEYS:
        assert any(line.startswith(f"{why} ") for line in lines)


def test_without_lookups_grouping_and_lookup_say_not_run(gold_path: Path) -> None:
    """--no-lookup builds no index: its grouping and lookup scores are not zeros."""
    gold = msgspec.json.decode(gold_path.read_bytes(), type=Gold)
    from index.evaluate.gold import Predictions

    report = score(gold, Predictions(), {"a.txt": A_TEXT, "wire/b.txt": B_TEXT})
    text = render_report(report, lookups=False)
    assert "not run" in text
    assert "cross-file pairs" not in text
    assert not any(text.splitlines()[-1].startswith(f"{why} ") for why in WHY_KEYS)


SEEDS = Path(__file__).resolve().parents[3] / "seeds"
QUOTED = re.compile(r"[“\"]([^”\"\n]+)[”\"]")


@pytest.mark.model
def test_eval_runs_the_real_index_on_two_seed_articles(tmp_path: Path) -> None:
    """The glue against the real pipeline, build and searcher: shapes only, no quality bar."""
    keep = sorted(path.name for path in SEEDS.glob("*.txt"))[-2:]
    texts = {file: (SEEDS / file).read_text(encoding="utf-8") for file in keep}
    quoted = {file: QUOTED.findall(text)[:2] for file, text in texts.items()}
    first = next(iter(quoted.values()))[0]
    gold = {
        "articles": [{"file": file} for file in keep],
        "speakers": [],
        "quotes": [
            {"file": file, "text": text, "speaker": None, "group": f"{file}-{n}"}
            for file, texts_of in quoted.items()
            for n, text in enumerate(texts_of)
        ],
        "queries": [
            {"q": first, "speaker": None, "group": f"{keep[0]}-0", "files": [keep[0]],
             "why": "exact"},
            {"q": "The moon is made of green cheese", "why": "negative"},
        ],
    }  # fmt: skip
    path = tmp_path / "gold.json"
    path.write_bytes(msgspec.json.encode(gold))

    assert run_eval(**eval_args(path, SEEDS, tmp_path, lookups=True)) == 0
    predictions = msgspec.json.decode((tmp_path / "predictions.json").read_bytes())
    assert predictions["quotes"]
    for quote in predictions["quotes"]:
        assert texts[quote["file"]][quote["start"] : quote["end"]] == quote["text"]
    assert [lookup["q"] for lookup in predictions["lookups"]] == [q["q"] for q in gold["queries"]]
    for lookup in predictions["lookups"]:
        for variant in lookup["variants"]:
            assert texts[variant["file"]][variant["start"] : variant["end"]] == variant["text"]
    written = msgspec.json.decode((tmp_path / "scores.json").read_bytes())
    assert written["extraction"]["gold"] == len(gold["quotes"])
    assert written["lookup"]["overall"]["total"] == 2
