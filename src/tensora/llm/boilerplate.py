"""Is a quoted sentence evidence, or the page furniture around it?

A hypothesis shown to the model carries the sentence the audit took its evidence from. When that sentence is
a copyright or permission notice, the paper's title, a heading, a figure or table caption, a reference-list
entry or an author or affiliation line, showing it misleads more than it helps: the model reads it as the
draft's claim. ``kind`` names which of these a sentence is (or None); ``hypotheses`` then shows the next
sentence of the finding, or none, and says so. The audit itself is left as it is.

Follows the shapes of ACM, IEEE, USENIX and arXiv front matter and of Markdown drafts. Leaves out: running
headers and page numbers (ingestion drops most), table rows (they carry the numbers a claim rests on), and
sentences that only mention a figure ("Figure 4 shows ...").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from tensora.extract.claims import Claims
from tensora.extract.sentences import is_boilerplate
from tensora.ingest.patterns import CAPTION as CAPTION_LINE
from tensora.llm.validate import loose_key

__all__ = ["front_matter", "kind"]

COPYRIGHT = "a copyright or permission notice"
TITLE = "the title"
HEADING = "a heading"
CAPTION = "a figure or table caption"
REFERENCE = "a reference-list entry"
AUTHORS = "an author or affiliation line"
FRONT = "a line of the title page (a subtitle, the authors or their affiliations)"
MATTER = "front or back matter (a notice, a licence, a DOI or an e-mail address)"

_COPYRIGHT = re.compile(
    r"\u00a9|\(c\)\s*(19|20)\d\d|\bcopyrights?\b|permission to make digital|\bpermissions?@|request permissions|"
    r"all rights reserved|publication rights|licensed under|\blicense(d)? to\b|creative commons|\bCC[- ]BY\b|"
    r"\bISBN\b|\bISSN\b|acm reference format|personal or classroom use|abstracting with credit|"
    r"for profit or commercial advantage",
    re.I,
)
_REFERENCE_START = re.compile(r"^\s*\[\d{1,3}\]\s+\S")
_REFERENCE_VENUE = re.compile(
    r"\bIn (the )?(Proceedings|Proc\.)|^In (ACM|IEEE|USENIX)\b|\barXiv preprint\b|\barXiv:\s?\d{4}\.\d{4,5}|"
    r"\bdoi\.org/|\bpp\.\s?\d+|\bvol\.\s?\d+",
    re.I,
)
_YEAR = re.compile(r"\b(19|20)\d\d[a-z]?\b")
_SECTION_NAMES = (
    "abstract|introduction|background|motivation|overview|design|implementation|evaluation|experiments?|"
    "results|discussion|related work|conclusions?|limitations|future work|acknowledg(e)?ments?|references|"
    "bibliography|appendix|methods?|methodology|approach|analysis|system design|problem statement"
)
_NAMED_HEADING = re.compile(rf"^\s*((\d{{1,2}}(\.\d{{1,2}})*|[IVX]{{1,5}}|[A-H])\.?\s+)?({_SECTION_NAMES})\s*$", re.I)
_DOTTED_HEADING = re.compile(r"^\s*\d{1,2}(\.\d{1,2})+\.?\s+[A-Z]")
_NUMBERED_HEADING = re.compile(r"^\s*(\d{1,2}\.?|[IVX]{1,5}\.|[A-H]\.)\s+[A-Z]")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_AFFILIATION = re.compile(
    r"(?<![A-Za-z])(University|Universit\u00e4t|Universidad|Institute|Department|Dept\.|College|School of|"
    r"Laborator(y|ies)|Labs?|Inc\.|Corp(oration|\.)?|Ltd\.?|GmbH|Research)\b"
)
_ANONYMOUS = re.compile(r"\banonymous (author|submission)|\bunder review\b|\bpreprint\. under review", re.I)
_NAME_MARK = re.compile(r"\b[A-Z][a-z]+(-[A-Z][a-z]+)?\s[A-Z][a-z]+(-[A-Z][a-z]+)?\d(,\d)*\b")
_VERBS = re.compile(
    r"\b(we|our|is|are|was|were|be|been|can|will|would|may|show|shows|propose|proposes|use|uses|reach|reaches|"
    r"achieve|achieves|improve|improves|reduce|reduces|takes?|runs?|has|have)\b",
    re.I,
)
_END = re.compile(r"[.!?:;]\s*[\"'\u201d\u2019)\]]*\s*$")


def _words(text: str) -> list[str]:
    return text.split()


def _heading(text: str) -> bool:
    """A section heading: a known section name, or a short numbered line without sentence punctuation (a
    single-level number needs Title Case, so that a numbered list item is not taken for one)."""
    if _NAMED_HEADING.match(text):
        return True
    words = _words(text)
    if len(words) > 10 or _END.search(text) or "|" in text:
        return False
    rest = words[1:]
    if any(ch.isdigit() for ch in " ".join(rest)):
        return False
    if _DOTTED_HEADING.match(text):
        return True
    if _NUMBERED_HEADING.match(text):
        long = [w for w in rest if len(w) >= 4]
        return bool(long) and all(w[0].isupper() for w in long)
    return False


def _authors(text: str) -> bool:
    if _EMAIL.search(text) or _ANONYMOUS.search(text):
        return True
    if _END.search(text) or _VERBS.search(text):
        return False
    return bool(_AFFILIATION.search(text)) or len(_NAME_MARK.findall(text)) >= 2


def _title(text: str, titles: Iterable[str]) -> bool:
    key = loose_key(text)
    if len(key) < 8:
        return False
    for title in titles:
        t = loose_key(title)
        if len(t) >= 8 and (key == t or (t in key and len(key) <= len(t) + 40) or (key in t and len(key) >= 16)):
            return True
    return False


def front_matter(claims: Claims) -> dict[str, str]:
    """The ``loose_key`` of each heading of a document, of each sentence extraction marked as boilerplate, and
    of each unpunctuated line between its title and the first heading or sentence (a subtitle, the authors,
    their affiliations), with its kind."""
    out = {loose_key(s.text): HEADING for s in claims.sentences if s.kind == "heading"}
    out.update((loose_key(s.text), MATTER) for s in claims.sentences if s.kind == "boilerplate")
    for i, s in enumerate(claims.sentences):
        if (s.kind == "heading" and i == 0) or s.kind == "boilerplate":
            continue
        if s.kind != "text" or _END.search(s.text):
            break
        out.setdefault(loose_key(s.text), FRONT)
    out.pop("", None)
    return out


def kind(text: str, titles: Iterable[str] = (), layout: Mapping[str, str] | None = None) -> str | None:
    """Which kind of page furniture ``text`` is (a phrase to show the model), or None for a sentence of the
    document's own argument. ``titles`` are the documents' titles; ``layout`` what ``front_matter`` found.

    Example: "Permission to make digital or hard copies of all or part of this work ..." -> COPYRIGHT;
    "Figure 7 shows the per-GPU throughput." -> None
    """
    text = " ".join(text.split())
    if not text:
        return None
    if _COPYRIGHT.search(text):
        return COPYRIGHT
    if CAPTION_LINE.match(text):  # the ingestion's caption shape, one definition for both
        return CAPTION
    if _REFERENCE_START.match(text) or (_REFERENCE_VENUE.search(text) and _YEAR.search(text)):
        return REFERENCE
    if _title(text, titles):
        return TITLE
    if _heading(text):
        return HEADING
    if _authors(text):
        return AUTHORS
    if is_boilerplate(text):
        return MATTER
    return (layout or {}).get(loose_key(text))
