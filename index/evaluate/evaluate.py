"""``whosaid eval``: run the pipeline on a gold file's articles and score what it produced.

The scoring itself is pure (:mod:`index.evaluate.scores`); this module reads the gold file and the
articles, runs the pipeline (and, for lookups, builds a real index in a temporary folder and
asks it every gold query), turns the results into :class:`~index.scores.Predictions`, and
prints and writes the report.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath

import msgspec

from index.articles import MANIFEST, UNKNOWN_OUTLET, Manifest, ManifestEntry, read_text
from index.embed.choice import DEFAULT, Choice
from index.errors import ArticleError, GoldError
from index.evaluate.gold import (
    OVERALL,
    WHYS,
    ErrorAnalysis,
    ExtractionScore,
    Gold,
    PairScore,
    PredictedLookup,
    PredictedQuote,
    PredictedVariant,
    Predictions,
    QueryOutcome,
    Report,
    SpeakerScore,
)
from index.evaluate.scores import lookup_outcomes, score, speaker_errors
from index.evaluate.spans import compare_key, validate_gold
from index.models import Answer, Article, Corpus

SKIP_FILE = "skip_speaker.json"


def load_gold(path: Path) -> Gold:
    """The gold file, decoded leniently (unknown keys ignored) and checked for dangling names."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise GoldError(f"cannot read gold file {path}: {exc}") from exc
    try:
        gold = msgspec.json.decode(data, type=Gold)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise GoldError(f"malformed gold file {path}: {exc}") from exc
    validate_gold(gold)
    return gold


def article_id(file: str) -> str:
    """The id eval gives a gold article: its file path without ``.txt`` (sub-folders kept)."""
    return PurePosixPath(file).as_posix().removesuffix(".txt")


def _manifest_entries(articles_dir: Path) -> dict[PurePosixPath, ManifestEntry]:
    path = articles_dir / MANIFEST
    if not path.exists():
        return {}
    try:
        manifest = msgspec.json.decode(path.read_bytes(), type=Manifest)
    except (OSError, msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise ArticleError(f"invalid manifest {path}: {exc}") from exc
    return {PurePosixPath(entry.file): entry for entry in manifest.articles}


def read_gold_articles(gold: Gold, articles_dir: Path) -> list[Article]:
    """The gold file's articles, read from ``articles_dir``; outlets from its manifest if any."""
    if not articles_dir.is_dir():
        raise ArticleError(f"articles folder not found: {articles_dir}")
    root = articles_dir.resolve()
    entries = _manifest_entries(articles_dir)
    articles = []
    for item in gold.articles:
        path = (articles_dir / item.file).resolve()
        if not path.is_relative_to(root):
            raise GoldError(f"gold article file leaves the articles folder: {item.file}")
        if not path.is_file():
            raise GoldError(f"gold article file not found in {articles_dir}: {item.file}")
        entry = entries.get(PurePosixPath(item.file))
        articles.append(
            Article(
                id=article_id(item.file),
                outlet=entry.outlet if entry else item.outlet or UNKNOWN_OUTLET,
                text=read_text(path),
                title=entry.title if entry else item.title,
                published=entry.published if entry else None,
                file=item.file,
            )
        )
    return articles


def quote_predictions(corpus: Corpus, files: Mapping[str, str]) -> list[PredictedQuote]:
    """The corpus's quotes as predictions: speaker by canonical name, group by statement id.

    ``files`` maps article ids to gold file paths; quotes of other articles are left out.
    """
    names = {speaker.id: speaker.name for speaker in corpus.speakers}
    group_of = {variant.quote_id: group.id for group in corpus.groups for variant in group.variants}
    return [
        PredictedQuote(
            file=files[quote.article_id],
            start=quote.start,
            end=quote.end,
            text=quote.text,
            speaker=names.get(quote.speaker) if quote.speaker is not None else None,
            group=group_of.get(quote.id),
        )
        for quote in corpus.quotes
        if quote.article_id in files
    ]


def lookup_prediction(query: str, answer: Answer, files: Mapping[str, str]) -> PredictedLookup:
    """One lookup answer as a prediction: the top statement's speaker and every variant."""
    if not answer.matches:
        return PredictedLookup(q=query, match=False)
    top = answer.matches[0]
    return PredictedLookup(
        q=query,
        match=True,
        speaker=top.speaker.name if top.speaker is not None else None,
        variants=tuple(
            PredictedVariant(
                file=files.get(variant.article_id, variant.article_id),
                text=variant.text,
                start=variant.start,
                end=variant.end,
            )
            for variant in top.variants
        ),
    )


def _ask_queries(
    articles: Sequence[Article],
    queries: Iterable[str],
    model_dir: Path | None,
    encoder: Choice,
) -> tuple[Corpus, list[tuple[str, Answer]]]:
    """Build a real index in a temporary folder, then ask it each query (top answer only)."""
    from index.build import build_index
    from index.embed.choice import DEFAULT_CACHE, for_build
    from index.search.searcher import Searcher

    embedder = for_build(encoder, model_dir, DEFAULT_CACHE)
    with tempfile.TemporaryDirectory(prefix="whosaid-eval-") as tmp:
        folder = Path(tmp) / "index"
        build_index(list(articles), folder, embedder, progress=False)
        searcher = Searcher.open(folder, embedder=embedder)
        answers = [(query, searcher.lookup(query, k=1)) for query in queries]
        return searcher.corpus, answers


def predict(
    gold: Gold,
    articles: Sequence[Article],
    *,
    model_dir: Path | None,
    lookups: bool,
    encoder: Choice = DEFAULT,
) -> Predictions:
    """Run the system on the gold file's articles (and queries, when ``lookups``).

    With lookups, quotes, speakers and groups come from the built index (whose build runs the
    pipeline), so a quote's group is the statement the searcher answers with; without, they
    come from ``index.analyse.pipeline.analyse`` and carry whatever groups it made (maybe none).
    """
    files = {article.id: article.file or article.id for article in articles}
    if lookups:
        queries = (query.q for query in gold.queries)
        corpus, answers = _ask_queries(articles, queries, model_dir, encoder)
        predicted = [lookup_prediction(query, answer, files) for query, answer in answers]
    else:
        from index.analyse.pipeline import analyse

        corpus, predicted = analyse(list(articles)), []
    return Predictions(quotes=tuple(quote_predictions(corpus, files)), lookups=tuple(predicted))


# ---------------------------------------------------------------- printing


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _extraction_cells(score: ExtractionScore) -> str:
    return (
        f"{score.gold:>5} {score.predicted:>5} {score.matched:>6}  "
        f"{_number(score.precision):>6} {_number(score.recall):>6} {_number(score.f1):>6}"
    )


def _speaker_cells(score: SpeakerScore) -> str:
    fraction = f"{score.correct}/{score.total}"
    return f"{fraction:>8} {_number(score.accuracy):>6} {score.null_given_speaker:>9}"


def _pair_cells(score: PairScore) -> str:
    return f"{_number(score.precision):>6} {_number(score.recall):>6} {_number(score.f1):>6}"


def render_report(report: Report, *, lookups: bool = True) -> str:
    """The report as plain-text tables: per file and overall, then grouping and lookups
    (without ``lookups`` no index was built, so neither was scored: they say "not run")."""
    width = max([len(OVERALL), *(len(file) for file in report.files)])
    header = (
        f"{'file':<{width}} {'gold':>5} {'pred':>5} {'match':>6}  "
        f"{'prec':>6} {'recall':>6} {'f1':>6} {'speaker':>8} {'acc':>6} {'null→spk':>9}"
    )
    lines = ["extraction and speakers", header, "-" * len(header)]
    for file, scores in report.files.items():
        lines.append(
            f"{file:<{width}} {_extraction_cells(scores.extraction)} "
            f"{_speaker_cells(scores.speaker)}"
        )
    lines.append("-" * len(header))
    lines.append(
        f"{OVERALL:<{width}} {_extraction_cells(report.extraction)} "
        f"{_speaker_cells(report.speaker)}"
    )
    if not lookups:
        return "\n".join([*lines, "", NOT_RUN])
    lines += [
        "",
        f"{'grouping (pairwise)':<20} {'prec':>6} {'recall':>6} {'f1':>6}",
        f"{'all pairs':<20} {_pair_cells(report.grouping.all)}",
        f"{'cross-file pairs':<20} {_pair_cells(report.grouping.cross_file)}",
        "",
        f"{'lookup':<20} {'correct':>8} {'acc':>6} {'outlets':>8}",
    ]
    for why in (*WHYS, OVERALL):
        entry = report.lookup[why]
        fraction = f"{entry.correct}/{entry.total}"
        lines.append(
            f"{why:<20} {fraction:>8} {_number(entry.accuracy):>6} "
            f"{_number(entry.outlet_recall):>8}"
        )
    return "\n".join(lines)


NOT_RUN = "grouping and lookup: not run (--no-lookup builds no index)"


def render_errors(analysis: ErrorAnalysis) -> str:
    """Speaker errors by class, then the files with the most errors."""
    lines = ["speaker errors by class"]
    lines += [f"  {kind:<14} {count:>5}" for kind, count in analysis.counts.items()]
    if analysis.worst:
        lines.append("worst files (speaker errors / scored quotes)")
        lines += [f"  {w.errors:>4}/{w.scored:<4} {w.file}" for w in analysis.worst]
    return "\n".join(lines)


def load_skipped(gold_path: Path) -> set[tuple[str, str]]:
    """(file, compare-form text) of the quotes ``skip_speaker.json`` beside the gold lists.

    That file (written by the PolNeAR converter) names gold-null quotes whose source exists
    but could not be resolved to a name; none there, nothing skipped.
    """
    path = gold_path.with_name(SKIP_FILE)
    if not path.is_file():
        return set()
    try:
        listed = msgspec.json.decode(path.read_bytes(), type=_Skipped)
    except (OSError, msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise GoldError(f"malformed {path}: {exc}") from exc
    return {(quote.file, compare_key(quote.text)) for quote in listed.quotes}


class _SkippedQuote(msgspec.Struct, frozen=True):
    file: str
    text: str


class _Skipped(msgspec.Struct, frozen=True):
    quotes: tuple[_SkippedQuote, ...] = ()


def render_failures(outcomes: Iterable[QueryOutcome]) -> str:
    """One line per gold query the system got wrong, with what it answered."""
    lines = []
    for outcome in outcomes:
        if outcome.correct:
            continue
        answer = f"speaker {outcome.speaker!r}" if outcome.answered else "no match"
        query = outcome.q if len(outcome.q) <= 70 else outcome.q[:69] + "…"
        lines.append(f"  {outcome.why:<13} {query!r} → {answer}")
    return "\n".join(["lookups answered wrongly:", *lines]) if lines else ""


def _write_json(path: Path, value: object) -> None:
    path.write_bytes(msgspec.json.format(msgspec.json.encode(value), indent=2) + b"\n")


def run_eval(
    *,
    gold_path: Path,
    articles_dir: Path,
    json_out: Path | None,
    predictions_out: Path | None,
    errors_out: Path | None = None,
    model_dir: Path | None,
    encoder: Choice = DEFAULT,
    lookups: bool,
) -> int:
    """Score the pipeline against a gold file; print the report, write the optional outputs."""
    gold = load_gold(gold_path)
    articles = read_gold_articles(gold, articles_dir)
    for out in (json_out, predictions_out, errors_out):
        if out is not None and not out.parent.is_dir():
            print(f"whosaid: output folder not found: {out.parent}", file=sys.stderr)
            return 2
    texts = {article.file or article.id: article.text for article in articles}
    predictions = predict(gold, articles, model_dir=model_dir, lookups=lookups, encoder=encoder)
    report = score(gold, predictions, texts)
    analysis = speaker_errors(gold, predictions, texts, load_skipped(gold_path))
    print(render_report(report, lookups=lookups))
    print("\n" + render_errors(analysis))
    failures = render_failures(lookup_outcomes(gold, predictions, texts))
    if failures:
        print("\n" + failures)
    if predictions_out is not None:
        _write_json(predictions_out, predictions)
    if json_out is not None:
        _write_json(json_out, report)
    if errors_out is not None:
        _write_json(errors_out, analysis)
    return 0
