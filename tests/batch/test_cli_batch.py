from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tensora.cli import app

runner = CliRunner()


def test_failures_are_listed_and_the_exit_code_says_so(tmp_path: Path) -> None:
    drafts = tmp_path / "in"
    drafts.mkdir()
    (drafts / "empty.md").write_text("   \n", encoding="utf-8")
    (drafts / "zip.pdf").write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    result = runner.invoke(app, ["batch", str(drafts), "-o", str(tmp_path / "out"), "-w", "1", "-q"])
    assert result.exit_code == 1
    assert "2 drafts, 0 already done, 2 reviewed now, 2 failed" in result.output
    failed = [line for line in result.output.splitlines() if line.startswith("tensora: failed: ")]
    assert len(failed) == 2 and any("empty.md" in line for line in failed)
    assert (tmp_path / "out" / "summary.html").is_file()


def test_a_bad_input_is_one_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["batch", str(tmp_path / "nowhere"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "does not exist" in result.output
