"""Character clean-up and dehyphenation shared by every reader.

Follows what PDF text layers actually contain: pdfTeX ligature glyphs (U+FB00..U+FB06), accents set as
separate spacing characters (``Na¨ıve``), no-break and zero-width spaces, and hyphens at line ends, which
pdfium reports as U+FFFE (and some producers as U+00AD) when it has joined the two lines itself.

Readers mark every hyphen that sat at a line break with ``SOFT`` (the producer said "soft") or ``HARD``
(a plain ``-`` at the end of a line), and ``resolve_hyphens`` decides once the whole document is known:

- kept when the document spells the compound with a hyphen elsewhere and never without
  (``memory-saving``), because TeX also breaks compounds at their own hyphen and pdfium marks that
  hyphen U+FFFE too; dropped when the joined word occurs elsewhere (``Model-Batch`` -> ``ModelBatch``);
- kept next to a digit or before a capital (``GPT-3``, ``A100-80GB``, ``Urbana-Champaign``);
- kept when fewer than 2 letters precede it or fewer than 3 follow it, since TeX never hyphenates there
  (``end-to-end``), and when the part before it is a word used elsewhere in the document, of four
  letters or more (``GPipe-equivalent``, ``forward-plus-backward``) or of three with a known word after
  it (``all-gather``): syllables that TeX splits off are seldom words of their own;
- dropped otherwise, when letters stand on both sides (``ob-tained`` -> ``obtained``); a ``HARD`` mark
  follows the same rules: the producer did not say whether the hyphen was soft.

Does not use a dictionary, so a compound whose first part is not used elsewhere loses its hyphen
(``minibatch``), and a rare word whose first syllable is a word keeps one (``over-head`` when
``overhead`` occurs only there).
Does not apply Unicode NFKC (it would turn ``10²`` into ``102``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

from tensora import rxcache

SOFT = "\ue000"
HARD = "\ue001"

_LIGATURES = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
}
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\t"), " ")
_DROP = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
# Control characters: pdfTeX's big delimiters (CMEX) come out as \x12, \x13 and the like.
_CONTROLS = dict.fromkeys((c for c in range(32) if chr(c) not in "\n\r"), " ")
_TABLE: dict[int, str | None] = {
    **{ord(k): v for k, v in _LIGATURES.items()},
    **_CONTROLS,
    **_SPACES,
    **_DROP,
    0xFFFE: SOFT,
    0x00AD: SOFT,
    0x2010: "-",
    0x2011: "-",
}

# Spacing accents as pdfTeX emits them before (or after) the base letter, and their combining forms.
_ACCENTS = {
    "\u00a8": "\u0308",  # diaeresis
    "\u00b4": "\u0301",  # acute
    "`": "\u0300",  # grave
    "\u02c6": "\u0302",  # circumflex
    "\u02dc": "\u0303",  # tilde
    "\u02c7": "\u030c",  # caron
    "\u00b8": "\u0327",  # cedilla
    "\u02da": "\u030a",  # ring
}
_ACCENT_RE = rxcache.compile("([\u00a8\u00b4\u02c6\u02dc\u02c7\u00b8\u02da])\\s?([A-Za-z\u0131])")
_PRIVATE = rxcache.compile("[\ue002-\uf8ff]")  # private use, less our two marks
_SPECIAL = rxcache.compile("[" + re.escape("".join(map(chr, _TABLE))) + "]")
_ACCENT_ANY = rxcache.compile("[\u00a8\u00b4\u02c6\u02dc\u02c7\u00b8\u02da]")
_ANY = rxcache.compile(f"{_PRIVATE.pattern}|{_SPECIAL.pattern}|{_ACCENT_ANY.pattern}")
_MARK_RE = rxcache.compile(f"[{SOFT}{HARD}]")
_TOKEN_RE = rxcache.compile(r"[^\W\d_][^\W_]*(?:-[^\W_]+)*")


def clean_chars(text: str) -> str:
    """Map ligatures, odd spaces, soft hyphens and detached accents to plain characters.

    Example: "e\ufb03cient Na\u00a8\u0131ve" -> "efficient Naïve"
    """
    if not _ANY.search(text):  # most lines: nothing to do, one scan
        return text
    if _PRIVATE.search(text):  # Symbol-font pieces of big braces
        text = _PRIVATE.sub(" ", text)
    if _SPECIAL.search(text):
        text = text.translate(_TABLE)
    if _ACCENT_ANY.search(text):
        text = _ACCENT_RE.sub(_compose, text)
    return text


def _compose(m: re.Match[str]) -> str:
    base = "i" if m.group(2) == "\u0131" else m.group(2)
    return unicodedata.normalize("NFC", base + _ACCENTS[m.group(1)])


def collapse_spaces(text: str) -> str:
    """Runs of whitespace to one space, none at the ends.

    ``str.split()`` breaks at the characters that ``\\s`` matches (both ask ``str.isspace``), about four
    times faster than substituting them.

    Example: "  two   words " -> "two words"
    """
    return " ".join(text.split())


def join_lines(lines: Iterable[str]) -> str:
    """Join the lines of one paragraph, marking each line-end hyphen with ``SOFT`` or ``HARD``.

    Example: ["a pipe-", "line"] -> "a pipe" + HARD + "line"
    """
    out: list[str] = []
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if out:
            prev = out[-1]
            if prev.endswith((SOFT, HARD)):
                out[-1] = prev
            elif prev.endswith("-") and len(prev) > 1 and prev[-2].isalnum():
                out[-1] = prev[:-1] + HARD
            else:
                out.append(" ")
        out.append(line)
    return collapse_spaces("".join(out))


def _marks(text: str) -> Iterator[tuple[int, int, str, str]]:
    """Each line-break mark with the word fragments around it: (start, end, left, right)."""
    n = len(text)
    floor = 0
    for m in _MARK_RE.finditer(text):
        a = m.start()
        while a > floor and text[a - 1].isspace():
            a -= 1
        start = a
        while start > floor and text[start - 1].isalnum():
            start -= 1
        b = m.end()
        while b < n and text[b].isspace():
            b += 1
        end = b
        while end < n and text[end].isalnum():
            end += 1
        floor = end
        yield start, end, text[start:a], text[b:end]


def vocabulary(texts: Iterable[str]) -> tuple[set[str], set[str]]:
    """Lowercased words and hyphenated compounds (with their sub-chains) found outside line breaks."""
    words: set[str] = set()
    compounds: set[str] = set()
    for text in texts:
        if SOFT in text or HARD in text:
            pieces: list[str] = []
            pos = 0
            for start, end, _, _ in _marks(text):
                pieces.append(text[pos:start])
                pos = end
            pieces.append(text[pos:])
            text = " ".join(pieces)
        for tok in _TOKEN_RE.findall(text):
            low = tok.lower()
            if "-" in low:
                parts = low.split("-")
                words.update(parts)
                for i in range(len(parts) - 1):
                    for j in range(i + 2, len(parts) + 1):
                        compounds.add("-".join(parts[i:j]))
            else:
                words.add(low)
    return words, compounds


def resolve_hyphens(text: str, words: set[str], compounds: set[str]) -> str:
    """Replace the ``SOFT``/``HARD`` marks in ``text`` by a hyphen or nothing (see the module docstring).

    Example: "ob" + SOFT + "tained memory" + SOFT + "saving" with "memory-saving" in ``compounds``
    -> "obtained memory-saving"
    """
    if SOFT not in text and HARD not in text:
        return text
    out: list[str] = []
    pos = 0
    for start, end, left, right in _marks(text):
        out.append(text[pos:start])
        out.append(_fix_hyphen(left, right, words, compounds))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _fix_hyphen(left: str, right: str, words: set[str], compounds: set[str]) -> str:
    if not left or not right:
        return f"{left}-{right}"
    joined = (left + right).lower()
    hyphenated = f"{left}-{right}".lower()
    if hyphenated in compounds and joined not in words:
        return f"{left}-{right}"
    if joined in words:
        return left + right
    if not (left[-1].isalpha() and right[0].isalpha()) or right[0].isupper():
        return f"{left}-{right}"  # GPT-3, A100-80GB, Urbana-Champaign
    # TeX never hyphenates closer than 2 letters from a word's start or 3 from its end
    # (\lefthyphenmin, \righthyphenmin), so such a break sits at a real hyphen: end-to-end.
    if len(right) < 3 or len(left) < 2:
        return f"{left}-{right}"
    low_left = left.lower()
    if low_left in words and (len(left) >= 4 or (len(left) == 3 and right.lower() in words)):
        return f"{left}-{right}"  # a whole word of this document before it: GPipe-equivalent
    return left + right
