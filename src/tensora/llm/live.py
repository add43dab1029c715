"""Streaming to the terminal: the prose of a JSON answer, decoded as it arrives.

The model streams a JSON object; a reader wants its four prose fields, not braces and escapes.
``ProseStream`` is an incremental scanner over the raw text that yields the decoded characters of the
top-level string fields named in ``answer.PARTS``, each announced by its heading, and nothing else. The CLI
shows them in a transient ``rich.live.Live`` region while the answer streams, then prints the validated review.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from tensora.llm.answer import PARTS
from tensora.llm.base import StreamCallback

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["HEADINGS", "ProseStream", "preview"]

HEADINGS = {
    "mirror": "The Mirror",
    "novelty_gap": "The Novelty Gap",
    "stress_test": "The Mechanism Stress Test",
    "twist": "The Twist",
}
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class ProseStream:
    """Feed raw JSON text in pieces; get back the prose of the watched fields, decoded."""

    def __init__(self, fields: tuple[str, ...] = PARTS) -> None:
        self.fields = set(fields)
        self.depth = 0
        self.in_string = False
        self.escape = ""  # "" not in an escape, "\\" just after a backslash, "u..." collecting hex
        self.buffer: list[str] = []  # the current key's characters
        self.expect_key = False
        self.key = ""
        self.emitting = False
        self.after_colon = False

    def feed(self, chunk: str) -> str:
        out: list[str] = []
        for ch in chunk:
            if self.in_string:
                decoded = self._string_char(ch)
                if decoded is None:
                    continue
                if decoded == "":  # the closing quote
                    self.in_string = False
                    if self.emitting:
                        self.emitting = False
                    elif self.expect_key and self.depth == 1:
                        self.key = "".join(self.buffer)
                        self.expect_key = False
                    self.buffer = []
                    continue
                if self.emitting:
                    out.append(decoded)
                else:
                    self.buffer.append(decoded)
                continue
            if ch == '"':
                self.in_string = True
                if self.after_colon and self.depth == 1 and self.key in self.fields:
                    self.emitting = True
                    out.append(f"\n\n{HEADINGS.get(self.key, self.key)}\n\n")
                self.after_colon = False
            elif ch in "{[":
                self.depth += 1
                self.expect_key = ch == "{" and self.depth == 1
                self.after_colon = False
            elif ch in "}]":
                self.depth -= 1
            elif ch == ",":
                self.expect_key = self.depth == 1
            elif ch == ":":
                self.after_colon = self.depth == 1
            elif not ch.isspace():
                self.after_colon = False
        return "".join(out)

    def _string_char(self, ch: str) -> str | None:
        """The decoded character, "" for the closing quote, None while inside an escape."""
        if self.escape == "\\":
            if ch == "u":
                self.escape = "u"
                return None
            self.escape = ""
            return _ESCAPES.get(ch, ch)
        if self.escape.startswith("u"):
            self.escape += ch
            if len(self.escape) < 5:
                return None
            code, self.escape = self.escape[1:], ""
            try:
                return chr(int(code, 16))
            except ValueError:
                return "?"
        if ch == "\\":
            self.escape = "\\"
            return None
        if ch == '"':
            return ""
        return ch


@contextmanager
def preview(console: Console, lines: int = 18) -> Iterator[StreamCallback]:
    """A transient region showing the last ``lines`` lines of the streaming prose; cleared at the end."""
    from rich.live import Live
    from rich.text import Text

    stream = ProseStream()
    shown: list[str] = []
    with Live(Text(""), console=console, transient=True, refresh_per_second=8) as live:

        def on_text(chunk: str) -> None:
            piece = stream.feed(chunk)
            if piece:
                shown.append(piece)
                tail = "".join(shown).strip().splitlines()[-lines:]
                live.update(Text("\n".join(tail), style="dim"))

        yield on_text
