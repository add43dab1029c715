#!/usr/bin/env python3
"""Run a review command for one benchmark case whose two documents may come in different forms.

``score.py --ext pdf`` passes ``--proposal case/proposal.pdf --baseline case/baseline.pdf``; cases built on a real
paper carry the paper as ``proposal.pdf`` (a link into ``shared/corpus/pdfs``) and a condensed ``baseline.md``.
This wrapper swaps in whichever form of each document exists, then runs the command:

    python ../shared/bench/score.py --ext pdf --cases benchmarks/corpus -- \\
        python scripts/case_review.py tensora review --format json
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

FORMS = (".pdf", ".md", ".tex", ".txt")


def existing(path: Path) -> Path:
    if path.exists():
        return path
    for suffix in FORMS:
        other = path.with_suffix(suffix)
        if other.exists():
            return other
    return path  # the review command says what is missing


def main(argv: list[str]) -> int:
    args = list(argv)
    for flag in ("--proposal", "--baseline"):
        if flag in args[:-1]:
            i = args.index(flag) + 1
            args[i] = str(existing(Path(args[i])))
    return subprocess.run(args).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
