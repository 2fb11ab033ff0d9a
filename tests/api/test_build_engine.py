"""``whosaid build``'s engine flags: refused before anything loads when they do not fit."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.cli import build_parser, main


@pytest.mark.parametrize(
    ("flags", "complaint"),
    [
        (["--workers", "2"], "need --engine ray"),
        (["--address", "auto"], "need --engine ray"),
        (["--engine", "ray", "--workers", "0"], "at least 1"),
    ],
)
def test_engine_flags_that_do_not_fit_are_refused(
    flags: list[str], complaint: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["build", "--articles", str(tmp_path), "--out", str(tmp_path / "index"), *flags]
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert error.startswith("whosaid: ") and complaint in error
    assert not (tmp_path / "index").exists()


def test_the_engine_defaults_to_this_process() -> None:
    args = build_parser().parse_args(["build"])
    assert (args.engine, args.address, args.ray_workers) == ("local", None, None)
    args = build_parser().parse_args(["build", "--engine", "ray", "--workers", "2"])
    assert (args.engine, args.ray_workers) == ("ray", 2)
