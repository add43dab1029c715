#!/usr/bin/env python3
"""Write docs/rules/ from the rules' docstrings: one page per code and an index.

    python scripts/gen_rule_docs.py          # write the pages
    python scripts/gen_rule_docs.py --check  # exit 1 if a page is stale (a test runs this)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "rules"


def pages() -> dict[str, str]:
    from tensora.audit.registry import RULES

    out: dict[str, str] = {}
    index = ["# Finding rules", "", "Generated from the rules' docstrings by `scripts/gen_rule_docs.py`.", "",
             "| code | default severity | what it flags |", "|---|---|---|"]
    for code, rule in RULES.items():
        summary = rule.summary().split(":", 1)[-1].strip()
        index.append(f"| [{code}]({code}.md) | {rule.severity.value} | {summary} |")
        body = rule.docs().split("\n", 1)
        title = body[0]
        rest = body[1].strip() if len(body) > 1 else ""
        out[f"{code}.md"] = f"# {title}\n\nDefault severity: **{rule.severity.value}**.\n\n{rest}\n"
    out["README.md"] = "\n".join(index) + "\n"
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true")
    opts = ap.parse_args()
    wanted = pages()
    if opts.check:
        stale = [name for name, text in wanted.items() if not (OUT / name).is_file()
                 or (OUT / name).read_text(encoding="utf-8") != text]
        extra = [p.name for p in OUT.glob("*.md") if p.name not in wanted]
        if stale or extra:
            print("docs/rules is stale: " + ", ".join(stale + extra) + "; run python scripts/gen_rule_docs.py")
            return 1
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.md"):
        if old.name not in wanted:
            old.unlink()
    for name, text in wanted.items():
        (OUT / name).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
