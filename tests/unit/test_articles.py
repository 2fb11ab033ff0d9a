"""Reading articles from shards: JSON Lines and Parquet files, one or a glob, in sorted order."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from index.articles import load_articles, shard_files
from index.errors import ArticleError

ROWS = [
    {"id": f"a{n}", "outlet": "Wire", "text": f"Text {n}.", "title": None, "published": None}
    for n in range(6)
]


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(msgspec.json.encode(row) + b"\n" for row in rows))


def write_parquet(path: Path, rows: list[dict[str, object]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), path)


def test_a_glob_of_json_lines_shards_reads_in_sorted_order(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "shards" / "part-1.jsonl", ROWS[3:])
    write_jsonl(tmp_path / "shards" / "part-0.jsonl", ROWS[:3])
    articles = load_articles(tmp_path / "shards" / "part-*.jsonl")
    assert [article.id for article in articles] == [row["id"] for row in ROWS]
    assert all(article.file is None for article in articles)


def test_parquet_reads_as_json_lines_does(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", ROWS)
    write_parquet(tmp_path / "nested" / "a.parquet", ROWS)
    assert load_articles(tmp_path / "**" / "*.parquet") == load_articles(tmp_path / "a.jsonl")


@pytest.mark.parametrize(
    ("name", "complaint"),
    [
        ("none-*.jsonl", "no files match"),
        ("notes.txt", "not an articles folder"),
        ("*", "not an articles folder"),  # a glob that matches a file of another kind
    ],
)
def test_sources_that_are_not_shards_are_refused(tmp_path: Path, name: str, complaint: str) -> None:
    write_jsonl(tmp_path / "a.jsonl", ROWS)
    (tmp_path / "notes.txt").write_text("not articles")
    with pytest.raises(ArticleError, match=complaint):
        shard_files(tmp_path / name)


def test_a_duplicate_id_across_shards_is_refused(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "part-0.jsonl", ROWS[:2])
    write_jsonl(tmp_path / "part-1.jsonl", ROWS[1:3])
    with pytest.raises(ArticleError, match="duplicate article id: a1"):
        load_articles(tmp_path / "part-*.jsonl")


def test_a_parquet_row_missing_a_field_names_its_row(tmp_path: Path) -> None:
    write_parquet(tmp_path / "a.parquet", [{"id": "a", "outlet": "Wire", "text": None}])
    with pytest.raises(ArticleError, match=r"a\.parquet:1"):
        load_articles(tmp_path / "a.parquet")
