"""The command line: the review on the bundled example, bad input, and the rules listing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tensora.cli import app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "sp-chunking"
runner = CliRunner()


def test_review_of_bundled_example_as_json() -> None:
    result = runner.invoke(
        app,
        ["review", str(EXAMPLE / "proposal.pdf"), "--baseline", str(EXAMPLE / "baseline.pdf"), "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    review = json.loads(result.stdout)
    assert review["tool"]["name"] == "tensora"
    assert review["delta"]["class"] in {"config", "structural", "orthogonal"}
    assert review["findings"], "the example draft has planted flaws"
    for finding in review["findings"]:
        assert finding["must_solve"].startswith("If you want this to survive MLSys review, you need to")
        assert all(e["page"] >= 1 for e in finding["evidence"])
    assert review["text"].count("## ") >= 4


def test_review_markdown_has_the_four_parts(tmp_path: Path) -> None:
    out = tmp_path / "review.md"
    result = runner.invoke(
        app,
        [
            "review",
            "--proposal",
            str(EXAMPLE / "proposal.md"),
            "--baseline",
            str(EXAMPLE / "baseline.md"),
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    text = out.read_text()
    for part in ("The Mirror", "The Novelty Gap", "The Mechanism Stress Test", "The Twist"):
        assert part in text
    assert "Is that the crux?" in text


def _bad(path: Path, tmp_path: Path) -> tuple[int, str]:
    good = EXAMPLE / "baseline.md"
    result = runner.invoke(app, ["review", str(path), "--baseline", str(good)])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("name", "content", "expect"),
    [
        ("missing.pdf", None, "no such file"),
        ("draft.docx", b"PK\x03\x04\x00\x00binary", "not a supported document"),
        ("empty.md", b"", "empty"),
        ("broken.pdf", b"%PDF-1.7\n1 0 obj <<", "damaged pdf"),
    ],
)
def test_bad_input_is_one_line_without_traceback(tmp_path: Path, name: str, content: bytes | None, expect: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    code, output = _bad(path, tmp_path)
    assert code == 2
    assert "Traceback" not in output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert name in lines[0] and expect in lines[0].lower()


def test_without_baseline_the_review_says_what_it_read_against() -> None:
    result = runner.invoke(app, ["review", str(EXAMPLE / "proposal.md")])
    assert result.exit_code == 0
    assert "You did not give a baseline; I read this against" in result.output


def test_rules_lists_every_code_and_shows_docs() -> None:
    from tensora.audit.registry import RULES

    listing = runner.invoke(app, ["rules"])
    assert listing.exit_code == 0
    for code in RULES:
        assert code in listing.stdout
    one = runner.invoke(app, ["rules", "pipe-bubble"])
    assert one.exit_code == 0 and "## Why a reviewer cares" in one.stdout
    unknown = runner.invoke(app, ["rules", "PIPE-BUBLE"])
    assert unknown.exit_code == 2 and "PIPE-BUBBLE" in unknown.output


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--max-mb", "0"),
        ("--max-mb", "-1"),
        ("--max-mb", "nan"),
        ("--max-mb", "inf"),
        ("--max-pages", "0"),
        ("--max-pages", "-5"),
        ("--max-chars", "0"),
    ],
)
def test_impossible_limits_are_one_line(option: str, value: str) -> None:
    example = Path(__file__).resolve().parents[1] / "examples" / "sp-chunking"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "tensora.cli",
            "review",
            str(example / "proposal.md"),
            "--baseline",
            str(example / "baseline.md"),
            f"{option}={value}",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert "Traceback" not in run.stderr and option in run.stderr and len(run.stderr.strip().splitlines()) == 1


def test_a_full_disk_on_stdout_is_one_line() -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    example = Path(__file__).resolve().parents[1] / "examples" / "sp-chunking"
    with open("/dev/full", "w") as full:
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "tensora.cli",
                "review",
                str(example / "proposal.md"),
                "--baseline",
                str(example / "baseline.md"),
                "--format",
                "json",
            ],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    assert run.returncode == 1
    assert "Traceback" not in run.stderr and "-o FILE" in run.stderr
