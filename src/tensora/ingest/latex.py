"""LaTeX source into paragraphs, without running TeX.

Follows what a paper's ``.tex`` usually holds: comments are stripped the TeX way (``%`` to the end of the
line, and the line break with it); argument-free user macros (``\\newcommand{\\sys}{DeepPipe}``,
``\\def\\sys{...}``) are expanded; the preamble is dropped after taking ``\\title``; sectioning commands
(``\\section`` to ``\\paragraph``, starred or not) become headings, the ``abstract`` environment a heading
``Abstract`` and its paragraphs; ``itemize``/``enumerate``/``description`` items and ``\\bibitem`` entries
become list paragraphs; a float contributes its ``\\caption`` (kind ``caption``) and its ``tabular`` rows
(kind ``table``, cells joined with `` | ``); ``\\footnote`` text follows its paragraph. Inline:
``\\cite{a,b}`` -> ``[a, b]``, ``\\ref{x}`` -> ``x``, font and link commands keep their text, accents and
TeX ligatures (``--``, ``\\`\\```) become Unicode, maths is kept as its TeX text with ``$`` removed and common
symbols (``\\times``, ``\\le``, Greek letters) as Unicode, ``\\frac{a}{b}`` as ``(a)/(b)``.

Text a reader of the compiled PDF never sees goes to ``hidden_text``: comments, ``comment``
environments, ``\\iffalse`` blocks, ``\\textcolor{white}{...}`` and ``\\phantom{...}``.

Leaves out: macros with arguments (their name is dropped and their arguments kept), ``\\input`` and
``\\include`` (other files are not read), page numbers (every paragraph is on page 1), and anything that
needs TeX to evaluate (counters, conditionals other than ``\\iffalse``).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from tensora import rxcache
from tensora.errors import CorruptDocumentError
from tensora.ingest.assemble import Block, assemble
from tensora.ingest.document import Document, Paragraph, ParagraphKind
from tensora.ingest.normalize import clean_chars, collapse_spaces

_SECTIONS = {
    "part": 1,
    "chapter": 1,
    "section": 1,
    "subsection": 2,
    "subsubsection": 3,
    "paragraph": 4,
    "subparagraph": 5,
}
_FLOATS = ("figure", "figure*", "table", "table*", "wrapfigure", "wraptable", "algorithm", "algorithm*")
_VERBATIM = ("verbatim", "verbatim*", "lstlisting", "minted", "Verbatim")
_LISTS = ("itemize", "enumerate", "description", "compactitem", "compactenum")
_DROP_ENVS = ("tikzpicture", "thebibliography*")
_SYMBOLS = {
    "times": "×", "cdot": "·", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "neq": "≠", "ne": "≠",
    "approx": "≈", "sim": "~", "simeq": "≃", "propto": "∝", "infty": "∞", "pm": "±", "mp": "∓",
    "rightarrow": "→", "to": "→", "leftarrow": "←", "Rightarrow": "⇒", "mapsto": "↦", "in": "∈",
    "notin": "∉", "subset": "⊂", "subseteq": "⊆", "cup": "∪", "cap": "∩", "sum": "∑", "prod": "∏",
    "int": "∫", "partial": "∂", "nabla": "∇", "forall": "∀", "exists": "∃", "ll": "≪", "gg": "≫",
    "ldots": "...", "cdots": "...", "dots": "...", "lceil": "⌈", "rceil": "⌉", "lfloor": "⌊",
    "rfloor": "⌋", "langle": "⟨", "rangle": "⟩", "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ",
    "epsilon": "ε", "varepsilon": "ε", "zeta": "ζ", "eta": "η", "theta": "θ", "lambda": "λ", "mu": "μ",
    "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ", "varphi": "φ",
    "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ",
    "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω", "S": "§", "P": "¶", "dag": "†", "ddag": "‡",
    "textbackslash": "\\", "textasciitilde": "~", "textasciicircum": "^", "textbar": "|", "textless": "<",
    "textgreater": ">", "textendash": "–", "textemdash": "—", "textquoteright": "’", "ldquo": "“",
    "rdquo": "”", "copyright": "©", "textregistered": "®", "texttrademark": "™", "degree": "°",
    "LaTeX": "LaTeX", "TeX": "TeX", "%": "%", "&": "&", "_": "_", "#": "#", "$": "$", "{": "{", "}": "}",
    "quad": " ", "qquad": " ", ",": " ", ";": " ", ":": " ", "!": "", " ": " ", "\\": "\n",
    "newline": "\n", "log": "log", "exp": "exp", "max": "max", "min": "min", "sqrt": "sqrt",
}  # fmt: skip
_ACCENTS = {
    '"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303", "=": "\u0304",
    ".": "\u0307", "c": "\u0327", "v": "\u030c", "u": "\u0306", "H": "\u030b", "r": "\u030a",
}  # fmt: skip
_DROP_WITH_ARGS = {
    "label", "vspace", "hspace", "vspace*", "hspace*", "includegraphics", "bibliography",
    "bibliographystyle", "setlength", "addtolength", "setcounter", "addtocounter", "pagestyle",
    "thispagestyle", "usepackage", "documentclass", "input", "include", "newcommand", "renewcommand",
    "acmConference", "acmYear", "acmDOI", "acmISBN", "acmPrice", "copyrightyear", "setcopyright",
    "keywords", "ccsdesc", "affiliation", "email", "institution", "country", "city", "thanks",
    "footnotemark", "linenumbers", "centering", "vskip", "hskip", "color", "definecolor", "lstset",
    "captionsetup", "graphicspath", "hypersetup", "newtheorem", "author", "date", "orcid",
}  # fmt: skip

_CITES = {"cite", "citep", "citet", "citealp", "citeauthor", "citeyear", "parencite", "textcite", "autocite"}
_RULES = rxcache.compile(r"\\(hline|toprule|midrule|bottomrule|cline\{[^}]*\}|cmidrule(\([^)]*\))?\{[^}]*\})")
_CMD = rxcache.compile(r"\\([A-Za-z@]+\*?|.)")
_NEWCMD = rxcache.compile(r"\\(?:re)?newcommand\*?\s*\{?\s*\\([A-Za-z@]+)\s*\}?\s*(?=\{)")
_DEF = rxcache.compile(r"\\def\s*\\([A-Za-z@]+)\s*(?=\{)")
_MARK = rxcache.compile("\x01([A-Z]+):([^\x02]*)\x02")
_BLANK = rxcache.compile(r"\n[ \t]*\n")
_WHITE = rxcache.compile(r"^\s*(white|White|WHITE)\s*$")


def read_latex(path: Path, text: str) -> Document:
    """Read LaTeX source (already decoded) into a ``Document``."""
    try:
        return _read(path, text)
    except _RunawayMacro as exc:
        raise CorruptDocumentError(
            path, str(exc), "check the macro definitions, or pass the compiled PDF instead"
        ) from None


def _read(path: Path, text: str) -> Document:
    hidden: list[str] = []
    text = _strip_comments(text.replace("\r\n", "\n").replace("\r", "\n"), hidden)
    text = _drop_iffalse(text, hidden)
    macros = _macros(text)
    begin = re.search(r"\\begin\s*\{document\}", text)
    preamble, body = (text[: begin.start()], text[begin.end() :]) if begin else ("", text)
    end = re.search(r"\\end\s*\{document\}", body)
    if end:
        body = body[: end.start()]
    title = ""
    for part in (preamble, body):
        m = re.search(r"\\title\s*(?:\[[^\]]*\])?\s*\{", part)
        if m and not title:
            raw, _ = _group(part, m.end() - 1)
            title = _inline(_expand(raw, macros), hidden, []).replace("\n", " ")
            title = collapse_spaces(title)
    body = _expand(body, macros)
    footnotes: list[str] = []
    marked = _structure(body, hidden)
    blocks: list[Block] = []
    for chunk in _BLANK.split(marked):
        blocks.extend(_chunk_blocks(chunk, hidden, footnotes))
    if title:
        blocks.insert(0, Block(Paragraph(title, 1, "", "heading"), 0))
    hidden_paras = [Paragraph(t, 1, "", "text") for t in (collapse_spaces(h) for h in hidden) if _wordy(t)]
    return assemble(path, "latex", blocks, title=title, hidden=hidden_paras)


def _wordy(text: str) -> bool:
    return sum(1 for c in text if c.isalnum()) >= 3


# --------------------------------------------------------------------------------------------------
# Source-level passes


def _strip_comments(text: str, hidden: list[str]) -> str:
    """Remove ``%`` comments (not ``\\%``) and the line break after them, as TeX does."""
    out: list[str] = []
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if not line.strip():
            out.append("\n\n")  # an empty line is a paragraph break even after a comment ate a newline
            continue
        cut = _comment_start(line)
        if cut < 0:
            out.append(line + ("\n" if i < len(lines) - 1 else ""))
            continue
        hidden.append(line[cut + 1 :].strip())
        kept = line[:cut]
        # A comment eats the line break; a line that was only a comment vanishes entirely.
        out.append(kept if kept.strip() else "")
    return "".join(out)


def _comment_start(line: str) -> int:
    i = line.find("%")
    while i >= 0:
        backslashes = len(line[:i]) - len(line[:i].rstrip("\\"))
        if backslashes % 2 == 0:
            return i
        i = line.find("%", i + 1)
    return -1


def _drop_iffalse(text: str, hidden: list[str]) -> str:
    def keep(m: re.Match[str]) -> str:
        hidden.append(m.group(1))
        return ""

    text = re.sub(r"\\iffalse\b(.*?)\\fi\b", keep, text, flags=re.DOTALL)
    return re.sub(r"\\begin\{comment\}(.*?)\\end\{comment\}", keep, text, flags=re.DOTALL)


def _group(text: str, i: int) -> tuple[str, int]:
    """The content of the brace group opening at ``text[i] == "{"`` and the index after it."""
    depth = 0
    j = i
    while j < len(text):
        ch = text[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return text[i + 1 : j], j + 1
        j += 1
    return text[i + 1 :], len(text)


def _arg(text: str, i: int) -> tuple[str, int]:
    """The next argument after index ``i``: a brace group, or a single token."""
    while i < len(text) and text[i] in " \t\n":
        i += 1
    if i < len(text) and text[i] == "{":
        return _group(text, i)
    if i < len(text) and text[i] == "\\":
        m = _CMD.match(text, i)
        if m:
            return m.group(0), m.end()
    return text[i : i + 1], i + 1


def _optional(text: str, i: int) -> tuple[str, int]:
    """An optional ``[...]`` argument at ``i`` (after spaces), or "" and ``i``."""
    j = i
    while j < len(text) and text[j] in " \t":
        j += 1
    if j < len(text) and text[j] == "[":
        k = text.find("]", j)
        if k > 0:
            return text[j + 1 : k], k + 1
    return "", i


def _macros(text: str) -> dict[str, str]:
    """Argument-free definitions: \\newcommand{\\x}{...}, \\newcommand\\x{...}, \\def\\x{...}."""
    macros: dict[str, str] = {}
    for rx in (_NEWCMD, _DEF):
        for m in rx.finditer(text):
            body, _ = _group(text, m.end())
            macros[m.group(1)] = body.replace("\\xspace", "").strip()
    return macros


class _RunawayMacro(Exception):
    """A macro that refers to itself, or expansion that grows past the budget."""


# expansion may grow the source by this factor plus this many characters: ample for real macros such as
# \newcommand{\sys}{DeepPipe}, while a self-multiplying definition is refused instead of filling memory
_GROWTH_FACTOR = 4
_GROWTH_SLACK = 1_000_000
_ROUNDS = 5  # macros that use macros


def _expand(text: str, macros: dict[str, str]) -> str:
    if not macros:
        return text
    for name, body in macros.items():
        if re.search(rf"\\{re.escape(name)}(?![A-Za-z@])", body):
            raise _RunawayMacro(f"\\{name} is defined in terms of itself, so it never stops expanding")
    budget = _GROWTH_FACTOR * len(text) + _GROWTH_SLACK
    names = "|".join(sorted(map(re.escape, macros), key=len, reverse=True))
    rx = re.compile(rf"\\({names})(?![A-Za-z@])(?:\{{\}})?")
    for _ in range(_ROUNDS):
        size = len(text)

        def grow(m: re.Match[str]) -> str:
            nonlocal size
            body = macros[m.group(1)]
            size += len(body) - len(m.group(0))
            if size > budget:
                raise _RunawayMacro(f"its macros expand past {budget:,} characters (\\{m.group(1)} among them)")
            return body

        new = rx.sub(grow, text)
        if new == text:
            break
        text = new
    return text


# --------------------------------------------------------------------------------------------------
# Structure: environments and sectioning become marked chunks


def _mark(kind: str, value: str = "") -> str:
    return f"\n\n\x01{kind}:{value}\x02"


def _structure(body: str, hidden: list[str]) -> str:
    out: list[str] = []
    i = 0
    n = len(body)
    while i < n:
        j = body.find("\\", i)
        if j < 0:
            out.append(body[i:])
            break
        out.append(body[i:j])
        m = _CMD.match(body, j)
        if not m:
            out.append(body[j])
            i = j + 1
            continue
        name = m.group(1)
        i = m.end()
        base = name.rstrip("*")
        if base in _SECTIONS:
            _, i = _optional(body, i)
            title, i = _arg(body, i)
            out.append(_mark("H", f"{_SECTIONS[base]}|{title}") + "\n\n")
        elif name == "begin":
            env, i = _arg(body, i)
            i = _begin(body, i, env, out, hidden)
        elif name == "end":
            env, i = _arg(body, i)
            if env in _LISTS or env == "thebibliography" or env == "abstract":
                out.append("\n\n")
        elif name == "item":
            label, i = _optional(body, i)
            out.append(_mark("ITEM", label))
        elif name == "bibitem":
            _, i = _optional(body, i)
            key, i = _arg(body, i)
            out.append(_mark("ITEM", f"[{key}]"))
        elif name == "caption":
            _, i = _optional(body, i)
            caption, i = _arg(body, i)
            out.append(_mark("CAPTION", caption) + "\n\n")
        elif name in ("maketitle", "tableofcontents", "appendix", "newpage", "clearpage", "noindent"):
            continue
        else:
            out.append(m.group(0))
    return "".join(out)


def _begin(body: str, i: int, env: str, out: list[str], hidden: list[str]) -> int:
    """Handle ``\\begin{env}`` at ``i`` (after its name); return where to go on."""
    close = re.compile(r"\\end\s*\{" + re.escape(env) + r"\}")
    if env == "abstract":
        out.append(_mark("H", "1|Abstract") + "\n\n")
        return i
    if env in _LISTS:
        out.append("\n\n")
        return i
    if env == "thebibliography":
        _, i = _arg(body, i)  # the widest label
        out.append(_mark("H", "1|References") + "\n\n")
        return i
    m = close.search(body, i)
    inner, after = (body[i : m.start()], m.end()) if m else (body[i:], len(body))
    if env in _VERBATIM:
        out.append(_mark("VERB", inner.strip("\n")) + "\n\n")
    elif env in _FLOATS:
        for cap in re.finditer(r"\\caption\s*(?:\[[^\]]*\])?\s*\{", inner):
            text, _ = _group(inner, cap.end() - 1)
            out.append(_mark("CAPTION", text) + "\n\n")
        for tab in re.finditer(r"\\begin\s*\{(tabular\*?|tabularx)\}", inner):
            end = inner.find("\\end{" + tab.group(1) + "}", tab.end())
            out.append(_mark("TABLE", inner[tab.end() : end if end > 0 else len(inner)]) + "\n\n")
    elif env.startswith("tabular"):
        out.append(_mark("TABLE", inner) + "\n\n")
    elif env in ("equation", "equation*", "align", "align*", "gather", "gather*", "multline", "displaymath"):
        out.append(" " + inner.replace("&", " ").replace("\\\\", " ") + " ")
    elif env in _DROP_ENVS:
        pass
    else:
        return i  # an unknown environment: read what is inside as text
    return after


# --------------------------------------------------------------------------------------------------
# Chunks and inline text


def _chunk_blocks(chunk: str, hidden: list[str], footnotes: list[str]) -> list[Block]:
    chunk = chunk.strip()
    if not chunk:
        return []
    m = _MARK.match(chunk)
    rest = chunk[m.end() :] if m else chunk
    blocks: list[Block] = []
    kind: ParagraphKind = "text"
    prefix = ""
    if m:
        tag, value = m.group(1), m.group(2)
        if tag == "H":
            level, title = value.split("|", 1)
            text = collapse_spaces(_inline(title, hidden, footnotes))
            if text:
                blocks.append(Block(Paragraph(text, 1, "", "heading"), int(level)))
        elif tag == "CAPTION":
            blocks.append(_para(_inline(value, hidden, footnotes), "caption"))
        elif tag == "TABLE":
            blocks.append(_para(_table(value, hidden), "table", keep_lines=True))
        elif tag == "VERB":
            blocks.append(Block(Paragraph(value, 1, "", "text")))
        elif tag == "ITEM":
            kind = "list"
            prefix = _inline(value, hidden, footnotes) + " " if value else ""
    if rest.strip():
        blocks.append(_para(prefix + _inline(rest, hidden, footnotes), kind))
    elif prefix:
        blocks.append(_para(prefix, kind))
    for note in footnotes:
        blocks.append(_para(note, "text"))
    footnotes.clear()
    return [b for b in blocks if b.paragraph.text]


def _para(text: str, kind: ParagraphKind, keep_lines: bool = False) -> Block:
    text = clean_chars(text)
    if keep_lines:
        text = "\n".join(collapse_spaces(t) for t in text.split("\n") if t.strip())
    else:
        text = collapse_spaces(text)
    return Block(Paragraph(text, 1, "", kind))


def _table(src: str, hidden: list[str]) -> str:
    src = re.sub(r"^\s*\{[^}]*\}", "", src)  # the column spec
    rows = []
    for row in re.split(r"\\\\(?:\[[^\]]*\])?", src):
        row = _RULES.sub("", row)
        cells = [collapse_spaces(_inline(c, hidden, [])) for c in row.split("&")]
        if any(cells):
            rows.append(" | ".join(cells))
    return "\n".join(rows)


def _inline(text: str, hidden: list[str], footnotes: list[str]) -> str:
    """TeX inline markup to plain text (see the module docstring)."""
    out: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            m = _CMD.match(text, i)
            if not m:
                i += 1
                continue
            name = m.group(1)
            i = m.end()
            i = _command(name, text, i, out, hidden, footnotes)
        elif ch in "{}$":
            if text.startswith("$$", i):
                i += 2
            else:
                i += 1
        elif ch == "~":
            out.append(" ")
            i += 1
        elif ch == "&":
            out.append(" ")
            i += 1
        else:
            out.append(ch)
            i += 1
    s = "".join(out)
    s = s.replace("---", "—").replace("--", "–").replace("``", "“").replace("''", "”").replace("`", "‘")
    return s


def _command(name: str, text: str, i: int, out: list[str], hidden: list[str], footnotes: list[str]) -> int:
    base = name.rstrip("*")
    if name in _ACCENTS:
        letter, i = _arg(text, i)
        letter = "i" if letter in ("\\i", "i") else letter
        out.append(_compose(letter, _ACCENTS[name]))
        return i
    if name in _CITES:
        _, i = _optional(text, i)
        _, i = _optional(text, i)
        keys, i = _arg(text, i)
        out.append("[" + ", ".join(k.strip() for k in keys.split(",")) + "]")
        return i
    if name in ("ref", "eqref", "autoref", "cref", "Cref", "pageref", "nameref", "url"):
        arg, i = _arg(text, i)
        out.append(f"({arg})" if name == "eqref" else arg)
        return i
    if name == "href":
        _, i = _arg(text, i)
        label, i = _arg(text, i)
        out.append(_inline(label, hidden, footnotes))
        return i
    if name == "footnote":
        _, i = _optional(text, i)
        note, i = _arg(text, i)
        footnotes.append(_inline(note, hidden, footnotes))
        return i
    if name == "frac" or name == "dfrac" or name == "tfrac":
        num, i = _arg(text, i)
        den, i = _arg(text, i)
        out.append(f"({_inline(num, hidden, footnotes)})/({_inline(den, hidden, footnotes)})")
        return i
    if name == "sqrt":
        _, i = _optional(text, i)
        arg, i = _arg(text, i)
        out.append(f"sqrt({_inline(arg, hidden, footnotes)})")
        return i
    if name == "textcolor":
        colour, i = _arg(text, i)
        content, i = _arg(text, i)
        if _WHITE.match(colour):
            hidden.append(_inline(content, hidden, footnotes))
        else:
            out.append(_inline(content, hidden, footnotes))
        return i
    if name in ("phantom", "hphantom", "vphantom"):
        content, i = _arg(text, i)
        hidden.append(_inline(content, hidden, footnotes))
        return i
    if base in _DROP_WITH_ARGS:
        _, i = _optional(text, i)
        while i < len(text) and text[i] in " \t" and text[i + 1 : i + 2] == "{":
            i += 1
        while i < len(text) and text[i] == "{":
            _, i = _group(text, i)
        return i
    if name in _SYMBOLS:
        out.append(_SYMBOLS[name])
        if name.isalpha():  # a control word swallows the spaces after it; keep one between words
            if i < len(text) and text[i] == " " and name not in ("quad", "qquad"):
                out.append(" ")
        return i
    # Any other command: drop its name, keep its arguments' text (they follow as groups).
    _, i = _optional(text, i) if name.isalpha() else ("", i)
    return i


def _compose(letter: str, mark: str) -> str:
    letter = letter.strip("{} ") or " "
    return unicodedata.normalize("NFC", letter[0] + mark) + letter[1:]
