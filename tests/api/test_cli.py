"""The ``whosaid`` command's surface: version, help, refusals (no model, no server)."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from service.cli import build_parser, main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith("whosaid ")


def _flags(parser: argparse.ArgumentParser) -> dict[str, list[argparse.Action]]:
    subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {
        name: [a for a in sub._actions if a.option_strings and a.dest != "help"]
        for name, sub in subs.choices.items()
    }


# Flags a setting stands behind (the rest belong to one run: -k, --json, --quiet...).
SETTINGS = {"index", "out", "articles", "model_dir", "encoder", "host", "port", "journal",
            "workers", "log_level", "log_queries", "allow_empty"}  # fmt: skip


def test_every_flag_has_help_naming_its_variable_and_default() -> None:
    for command, flags in _flags(build_parser()).items():
        for flag in flags:
            assert flag.help, f"{command} {flag.option_strings[0]} has no help"
            if (
                flag.dest not in SETTINGS
                or flag.required
                or (command, flag.dest)
                == (
                    "openapi",
                    "out",
                )
            ):
                continue
            assert "(env WHOSAID_" in flag.help and "default: " in flag.help, (command, flag.dest)


def test_serve_help_names_the_variables_and_the_keys() -> None:
    text = build_parser()._subparsers._group_actions[0].choices["serve"].format_help()  # type: ignore[union-attr]
    for name in ("WHOSAID_API_KEYS", "WHOSAID_API_KEYS_FILE", "WHOSAID_PROTECT_READS",
                 "WHOSAID_CPU_WORKERS", "WHOSAID_LOG_QUERIES", "X-API-Key"):  # fmt: skip
        assert name in text


@pytest.mark.parametrize(
    ("argv", "complaint"),
    [
        (["ask", ""], "length >= 1"),
        (["ask", "   "], "text"),
        (["ask", "a quote", "-k", "0"], "k"),
        (["ask", "a quote", "-k", "500"], "k"),
        (["ask", "x" * 1001], "length <= 1000"),
        (["ask", "a quote", "--min-score", "7"], "min_score"),
    ],
)
def test_ask_refuses_what_the_api_refuses(
    argv: list[str], complaint: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The index folder does not exist: the input is refused before anything is opened.
    assert main([*argv, "--index", str(tmp_path / "none")]) == 2
    error = capsys.readouterr().err
    assert error.startswith("whosaid: invalid input:") and complaint in error
    assert error.count("\n") == 1


def test_build_refuses_an_empty_corpus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "articles"
    empty.mkdir()
    assert main(["build", "--articles", str(empty), "--out", str(tmp_path / "index")]) == 2
    assert "no articles in" in capsys.readouterr().err
    assert not (tmp_path / "index").exists()


def test_a_start_that_cannot_work_exits_at_once_with_one_line(tmp_path: Path) -> None:
    """No index and nothing to build it from: exit 2 before a model loads or a port opens."""
    empty = tmp_path / "articles"
    empty.mkdir()
    for articles in (tmp_path / "missing", empty):
        done = subprocess.run(
            [sys.executable, "-m", "service.cli", "serve", "--port", "1",
             "--index", str(tmp_path / "index"), "--articles", str(articles)],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 2, done.stderr
        [line] = done.stderr.splitlines()
        assert line.startswith("whosaid: ") and ("no articles" in line or "missing" in line)


def test_serving_an_index_built_from_other_articles_is_refused(
    hash_index: Path, tmp_path: Path, seeds_dir: Path
) -> None:
    other = tmp_path / "other.jsonl"
    other.write_text('{"id": "a-1", "outlet": "Wire", "text": "He said: \\"No.\\""}\n')
    command = [sys.executable, "-m", "service.cli", "serve", "--port", "1",
               "--index", str(hash_index), "--articles", str(other)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.splitlines()
    assert "was built from other articles than" in line and "remove that folder" in line


def test_third_party_info_is_held_back_at_the_default_level() -> None:
    """The FAISS loader's AVX2 line and a library's own basicConfig(INFO) (as the ONNX
    quantiser does at import) say nothing; whosaid's own INFO lines still show."""
    program = (
        "from service.logs import configure_logging; configure_logging('info')\n"
        "import logging; logging.basicConfig(level=logging.INFO)\n"
        "import faiss\n"
        "logging.info('a library at INFO')\n"
        "logging.getLogger('whosaid.test').info('ours')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stderr.splitlines() == ["INFO:     ours"]
