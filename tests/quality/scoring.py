"""The whole system scored against a gold file, once per module."""

from __future__ import annotations

from pathlib import Path

from index.evaluate.evaluate import load_gold, predict, read_gold_articles
from index.evaluate.gold import Report
from index.evaluate.scores import score

DATA = Path(__file__).resolve().parents[1] / "data"


def gold_report(gold_path: Path, articles_dir: Path) -> Report:
    """Extraction, attribution, a real index with the real model, and every gold query."""
    gold = load_gold(gold_path)
    articles = read_gold_articles(gold, articles_dir)
    predictions = predict(gold, articles, model_dir=None, lookups=True)
    texts = {article.file or article.id: article.text for article in articles}
    return score(gold, predictions, texts)
