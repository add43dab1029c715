"""The skeptic's turns (Markdown from ``tensora.whiteboard.voice``) as safe HTML for the page.

Handles only what the voice writes: paragraphs separated by blank lines, ``**bold**``, ``_emphasis_``,
`` `code` ``, ``- `` bullet lists and ``> `` quotes. Everything is escaped first, so document text quoted in a
turn cannot inject markup. Not a general Markdown renderer.
"""

from __future__ import annotations

import re
from html import escape

from markupsafe import Markup

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")
_EM = re.compile(r"(?<![\w*])_(?!_)(.+?)(?<!_)_(?![\w*])")


def _inline(text: str) -> str:
    out = escape(text, quote=False)
    out = _CODE.sub(r"<code>\1</code>", out)
    out = _BOLD.sub(r"<strong>\1</strong>", out)
    return _EM.sub(r"<em>\1</em>", out)


def markdown_lite(text: str) -> Markup:
    blocks = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line.rstrip() for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        if all(line.lstrip().startswith(("- ", "* ")) for line in lines):
            items = "".join(f"<li>{_inline(line.lstrip()[2:])}</li>" for line in lines)
            blocks.append(f"<ul>{items}</ul>")
        elif all(line.startswith(">") for line in lines):
            inner = " ".join(_inline(line[1:].strip()) for line in lines)
            blocks.append(f"<blockquote><p>{inner}</p></blockquote>")
        else:
            blocks.append("<p>" + "<br>".join(_inline(line) for line in lines) + "</p>")
    return Markup("\n".join(blocks))  # noqa: S704 - every piece was escaped above
