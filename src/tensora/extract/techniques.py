"""Which techniques a document uses, and which it only mentions, compares against or rejects.

Each alias of each technique in the knowledge base is searched on word boundaries (case-insensitively, except
short all-caps aliases such as "SP"). Each occurrence is classified by the words around it in its clause:
"without X", "unlike X", "we deliberately avoid X", "X is not needed" reject it; "faster than X", "versus X"
compare against it; an occurrence in a related-work or references section only mentions it. Everything else
counts as use. Does not resolve pronouns ("it", "this scheme").

``semantic_mentions`` adds a conservative second pass: a sentence that names no technique by alias but whose
static embedding is very close to one technique's name, aliases and summary (and clearly closer to it than to
any other) proposes that technique as a mention flagged ``semantic``. Such a mention is never a use, never core,
carries no weight, and never comes from a negated or comparing sentence.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from tensora import rxcache
from tensora.extract.quantities import Quote
from tensora.extract.sentences import Sentence
from tensora.knowledge.schema import Technique

if TYPE_CHECKING:
    import numpy as np

Status = Literal["used", "mentioned", "compared", "rejected"]

_CLAUSE_SPLIT = rxcache.compile(r"[;:]|,\s+(?=(?:but|while|whereas|and unlike|unlike)\b)|\s+(?=but\s)")
_NEG_BEFORE = rxcache.compile(
    r"\b(?:no|not|without|unlike|instead of|rather than|avoids?|avoiding|avoided|never|nor|neither|free of|"
    # "drops into a distributed optimizer" plugs into it
    r"removes?|removing|removed|eliminates?|eliminating|drops?(?!\s+in(?:to)?\b)|dropping|replaces?|replacing|abandons?|"
    r"no need for|dispenses? with|gets? rid of|forgo(?:es)?|skips?)\b"
    # the negation reaches a few words ahead, but not past "with", "using", "via" or "by"
    r"(?:\W+(?!(?:with|using|via|by|through)\b)\w+){0,4}\W*$"
)
# "replaces the step() of the distributed optimizer": a part of it replaced, the rest still in use
_PART_REPLACED = rxcache.compile(
    r"\breplac\w*\s+(?:the|its|their|a|an|one)\s+(?:[\w().-]+\s+){1,3}?of\s+(?:the\s+|its\s+|their\s+|a\s+|an\s+)?"
    r"(?:[\w-]+\s+){0,2}$",
    re.I,
)
_NEG_AFTER = rxcache.compile(
    r"^\W*(?:\w+\W+){0,3}(?:is|are|was|were)?\s*(?:not|never|un)\s*(?:needed|used|required|necessary|applied|"
    r"involved|touched|changed)\b|^\W*\(?\s*none\b|^\W*(?:is|are) unnecessary\b"
)
_CMP_BEFORE = rxcache.compile(
    r"\b(?:than|versus|vs\.?|compared (?:to|with)|relative to|against|over|outperforms?|beats?|baselines?)"
    r"(?:\W+\w+){0,3}\W*$"
)
# "BF16 with FP32 master weights, as in the baseline": the setting the draft keeps, not its idea
_PASSING = rxcache.compile(r"\b[Aa]s in (the baseline|[A-Z][\w-]*)|\b(unchanged|as before|as usual)\b")
_CITED_AFTER = rxcache.compile(r"\s*(?:[\w-]+\s+){0,2}?(?:\[\d+(?:\s*[,–-]\s*\d+)*\]|\([A-Z][^()]{0,60}\d{4}[a-z]?\))")
_FIRST_PERSON = rxcache.compile(r"\b(?:we|our|us|ours)\b", re.I)
# a system's name (a capital inside it, or a digit: MegaBlocks, DeepSpeed-MoE, ZeRO-3) opening a sentence in the
# past tense
_OTHER_SYSTEM_DID = rxcache.compile(
    r"^\s*(?:the\s+)?[A-Za-z][\w-]*[A-Z0-9][\w-]*(?:\s+\([^)]{1,40}\))?\s+"
    r"(?:made|introduced|proposed|showed|pioneered|popularized|popularised|was|were|cast|relied|reduced|moved|"
    r"used|added|replaced|removed|demonstrated)\b"
)
_REMEDIES_LEAD = rxcache.compile(
    r"^\s*(?:the\s+)?(?:obvious|usual|standard|existing|common|naive|conventional|classic|known|two|three)\s+"
    r"(?:remed(?:y|ies)|fix(?:es)?|solutions?|answers?|alternatives?|approaches|options|workarounds?)\b",
    re.I,
)
_COMMON_PRACTICE = rxcache.compile(
    r"\b(?:practitioners|people|users|engineers|operators|most (?:teams|labs|users|systems|frameworks|deployments)|"
    r"one (?:typically|usually|normally|would)|(?:the )?(?:standard|usual|common|conventional) "
    r"(?:way|practice|approach|recipe|answer|remedy)|(?:is|are) (?:typically|usually|commonly|normally))\b",
    re.I,
)
_SETTING_FAMILIES = frozenset({"precision", "hardware"})
_MENTION_SECTIONS = rxcache.compile(r"related work|background|references|bibliography|prior work", re.I)
_CORE_SECTIONS = rxcache.compile(
    r"abstract|method|design|approach|overview|contribution|proposal|idea|mechanism|implementation|"
    r"introduction|motivation|key insight|our system",
    re.I,
)


@dataclass(slots=True)
class TechniqueUse:
    """How one technique occurs in a document."""

    id: str
    name: str
    family: str
    counts: dict[str, int] = field(default_factory=dict)
    quotes: list[Quote] = field(default_factory=list)
    core: bool = False
    weight: float = 0.0
    semantic: bool = False  # proposed by similarity to the technique's description, never by an alias

    @property
    def used(self) -> bool:
        return self.counts.get("used", 0) > 0

    @property
    def rejected_only(self) -> bool:
        return self.counts.get("rejected", 0) > 0 and not self.used

    @property
    def status(self) -> Status:
        for status in ("used", "rejected", "compared"):
            if self.counts.get(status):
                return status
        return "mentioned"


def alias_pattern(technique: Technique) -> re.Pattern[str] | None:
    return _alias_pattern(technique.name, tuple(technique.aliases))


@lru_cache(maxsize=4096)
def _alias_pattern(name: str, aliases: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regex for a technique's name and aliases.

    Short all-caps aliases ("SP") and short mixed-case ones ("ZeRO", "MoE") match case-sensitively, so that
    "ZeRO" does not match the word "zero".
    """
    insensitive: list[str] = []
    sensitive: list[str] = []
    for alias in [name, *aliases]:
        alias = alias.strip()
        if not alias:
            continue
        body = re.escape(alias).replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]?")
        if (alias.isupper() and len(alias) <= 5) or (
            " " not in alias and any(ch.isupper() for ch in alias[1:]) and len(alias) <= 6
        ):
            sensitive.append(body)
        else:
            insensitive.append(body)
    parts = []
    if insensitive:
        # a plural names the technique too ("radix KV caches", "CUDA graphs")
        parts.append("(?i:(?:" + "|".join(sorted(insensitive, key=len, reverse=True)) + ")(?:e?s)?)")
    if sensitive:
        parts.append("|".join(sorted(sensitive, key=len, reverse=True)))
    if not parts:
        return None
    # "ZeRO" must not match inside "ZeRO-Offload" or "ZeRO++": a hyphenated compound, or one with "++", is its
    # own name
    return rxcache.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w]|-[A-Za-z]|\+\+)")


@lru_cache(maxsize=4096)
def _anchors(name: str, aliases: tuple[str, ...]) -> tuple[str, ...]:
    """Lower-case word pieces, one of which every match of the technique's pattern contains.

    A cheap substring test on the whole text skips techniques a document never names; the pattern lets
    spaces and hyphens vary, so each anchor is the alias's longest run without either.
    """
    out = []
    for alias in [name, *aliases]:
        pieces = [p for p in re.split(r"[\s-]+", alias.strip().lower()) if p]
        if pieces:
            out.append(max(pieces, key=len))
    return tuple(out)


def _sentences_holding(anchor: str, lowered: str, starts: list[int]) -> set[int]:
    """The sentences (by the ``starts`` of their text) in which ``anchor`` occurs in the lower-cased text.

    After a hit the search goes on from the next sentence: one sentence counts once, however often it holds
    the anchor.
    """
    out: set[int] = set()
    at = lowered.find(anchor)
    while at != -1:
        k = bisect_right(starts, at) - 1
        out.add(k)
        at = lowered.find(anchor, starts[k + 1]) if k + 1 < len(starts) else -1
    return out


_ALNUM_RUN = rxcache.compile(r"[a-z0-9]+")


class _WordIndex:
    """The distinct runs of ASCII letters and digits of a lower-cased text, each with the sentences that hold it.

    An anchor made of letters and digits only occurs inside such a run, so it is looked up in the runs, a fifth
    of a paper's length, instead of the text. Only for a text whose lower case has its length (each character
    lower-cases to one), so that positions in it are positions in the sentences.
    """

    def __init__(self, lowered: str, starts: list[int]) -> None:
        self.where: dict[str, set[int]] = {}
        for m in _ALNUM_RUN.finditer(lowered):
            run = m.group()
            found = self.where.get(run)
            if found is None:
                found = self.where[run] = set()
            found.add(bisect_right(starts, m.start()) - 1)
        self.runs = list(self.where)
        self.starts: list[int] = []
        pos = 0
        for run in self.runs:
            self.starts.append(pos)
            pos += len(run) + 1
        self.joined = "\n".join(self.runs)

    def holding(self, anchor: str) -> set[int]:
        """The sentences in which an anchor of ASCII letters and digits occurs."""
        out: set[int] = set()
        joined, starts, runs, where = self.joined, self.starts, self.runs, self.where
        at = joined.find(anchor)
        while at != -1:
            k = bisect_right(starts, at) - 1
            out |= where[runs[k]]
            at = joined.find(anchor, starts[k + 1]) if k + 1 < len(starts) else -1
        return out


def classify(sentence: Sentence, start: int, end: int) -> Status:
    """Status of one occurrence at text[start:end] of a sentence."""
    if _MENTION_SECTIONS.search(sentence.section):
        return "mentioned"
    text = sentence.text
    before = _CLAUSE_SPLIT.split(text[:start])[-1]
    after = _CLAUSE_SPLIT.split(text[end:])[0]
    if (_NEG_BEFORE.search(before.lower()) and not _PART_REPLACED.search(before)) or _NEG_AFTER.search(
        after.lower()
    ):
        return "rejected"
    if _CMP_BEFORE.search(before.lower()):
        return "compared"
    # "MegaBlocks made dropless MoE practical by casting ... as block-sparse matmuls": a sentence whose subject is
    # a named system, told in the past tense, describes that system's technique
    if _OTHER_SYSTEM_DID.match(text) and not _FIRST_PERSON.search(text):
        return "mentioned"
    # "The obvious remedies are heavy: restarting ..., and asynchronous SGD gives up ...": alternatives set aside
    if _REMEDIES_LEAD.match(text) and not _FIRST_PERSON.search(text):
        return "mentioned"
    # "... so practitioners shard it with ZeRO-3": what people usually do, told as the status quo
    if _COMMON_PRACTICE.search(before) and not _FIRST_PERSON.search(before + " " + after):
        return "mentioned"
    # "... and early recomputation 1F1B [45]": a technique cited to others, in a clause that does not speak of
    # the draft's own system, is described, not used
    if _CITED_AFTER.match(text[end:]) and not _FIRST_PERSON.search(before + " " + after):
        return "mentioned"
    return "used"


def is_core(sentence: Sentence) -> bool:
    # a related-work or background sentence describes other systems, however early in a short draft it comes
    if _MENTION_SECTIONS.search(sentence.section):
        return False
    return bool(_CORE_SECTIONS.search(sentence.section)) or sentence.index < 12


_DESIGN_SECTIONS = rxcache.compile(
    r"abstract|method|design|approach|overview|contribution|mechanism|key insight|introduction|our system", re.I
)


_PLANNED_SECTIONS = rxcache.compile(r"planned|future|next steps|open questions", re.I)


def is_planned(sentence: Sentence) -> bool:
    """Whether a sentence sits in the draft's plans (planned or future work), not in what it has done."""
    return bool(_PLANNED_SECTIONS.search(sentence.section))


def is_elsewhere(sentence: Sentence) -> bool:
    """Whether a sentence speaks of other work or of plans (related work, background, references, future work)."""
    return bool(_MENTION_SECTIONS.search(sentence.section)) or is_planned(sentence)


def is_design(sentence: Sentence) -> bool:
    """Whether a sentence describes the document's own mechanism (not its implementation or evaluation setup,
    whose choices both sides of a comparison usually share)."""
    if _MENTION_SECTIONS.search(sentence.section):
        return False
    if sentence.section.strip() and sentence.index > 0:
        return bool(_DESIGN_SECTIONS.search(sentence.section))
    return sentence.index < 12  # no section to go by: the opening of the document


def prominence(sentence: Sentence) -> float:
    """How much a sentence says about a document's own contribution: title > abstract/contributions > rest."""
    if sentence.index == 0:
        return 3.0
    if re.search(r"abstract|contribution|key insight", sentence.section, re.I):
        return 2.0
    return 1.0 if is_core(sentence) else 0.5


# a paragraph that opens on what other work does: "Existing overlap techniques do not help here."
_OTHERS_LEAD = rxcache.compile(
    r"^\s*(?:(?:the|most|many|all)\s+)?(?:existing|prior|previous|current|conventional|traditional|today's)\s+"
    r"(?:[\w-]+\s+){0,2}?(?:techniques|systems|approaches|methods|work|frameworks|schemes|solutions)\b",
    re.I,
)


def _describes_others(sentences: list[Sentence]) -> set[int]:
    """Positions of sentences in a paragraph that opens on what other work does, up to the first sentence that
    speaks of the draft itself (first person): they describe others' techniques, not the draft's."""
    out: set[int] = set()
    lead_paragraph: int | None = None
    for i, s in enumerate(sentences):
        if _OTHERS_LEAD.match(s.text) and s.paragraph >= 0:
            lead_paragraph = s.paragraph
        elif s.paragraph != lead_paragraph:
            lead_paragraph = None
        if lead_paragraph is None:
            continue
        if _FIRST_PERSON.search(s.text):
            lead_paragraph = None
            continue
        out.add(i)
    return out


def find_techniques(sentences: Iterable[Sentence], techniques: Iterable[Technique]) -> dict[str, TechniqueUse]:
    """Every technique's uses in the sentences: one count per sentence, its status, quotes and weight.

    A substring search for each alias's anchor word finds the few sentences that may name the technique;
    only those are searched with the technique's full pattern.
    """
    sentences = list(sentences)
    starts: list[int] = []
    pos = 0
    for sentence in sentences:
        starts.append(pos)
        pos += len(sentence.text) + 1
    text = "\n".join(s.text for s in sentences)
    lowered = text.lower()
    others = _describes_others(sentences)
    found: dict[str, TechniqueUse] = {}
    # many techniques share an anchor word ("training", "parallel"): each is looked up once per document
    holding: dict[str, set[int]] = {}
    words = _WordIndex(lowered, starts) if len(lowered) == len(text) else None
    for technique in techniques:
        candidates: set[int] = set()
        for anchor in _anchors(technique.name, tuple(technique.aliases)):
            where = holding.get(anchor)
            if where is None:
                if words is not None and anchor.isascii() and anchor.isalnum():
                    where = holding[anchor] = words.holding(anchor)
                else:
                    where = holding[anchor] = _sentences_holding(anchor, lowered, starts)
            candidates |= where
        # compile the full pattern only for techniques whose anchor words occur at all
        pattern = alias_pattern(technique) if candidates else None
        if pattern is None:
            continue
        for i in sorted(candidates):
            sentence = sentences[i]
            if sentence.kind == "boilerplate":
                continue
            match = pattern.search(sentence.text)
            if match is None:
                continue  # one count per sentence, at its first mention
            if technique.not_when and any(rxcache.compile(p, re.I).search(sentence.text) for p in technique.not_when):
                continue  # the alias in another sense
            status = classify(sentence, match.start(), match.end())
            if status == "used" and i in others:
                status = "mentioned"
            if status == "used" and technique.family in _SETTING_FAMILIES and _PASSING.search(sentence.text):
                status = "mentioned"
            use = found.setdefault(technique.id, TechniqueUse(technique.id, technique.name, technique.family))
            use.counts[status] = use.counts.get(status, 0) + 1
            if status == "used":
                if len(use.quotes) < 4:
                    use.quotes.append(sentence.quote())
                use.core = use.core or is_core(sentence)
                use.weight += prominence(sentence)
    return found


# A semantic proposal needs a cosine of at least _SEMANTIC_MIN to the technique and a lead of _SEMANTIC_MARGIN over
# the next technique. Measured on the development drafts and ten real papers: every sentence above both named the
# technique it was closest to, except one pipeline-schedule sentence at 0.68 taken for continuous batching, which
# sets the floor; a sentence that shares the vocabulary of a family (several techniques close together) never
# clears the margin.
_SEMANTIC_MIN = 0.70
_SEMANTIC_MARGIN = 0.12
_SEMANTIC_MIN_WORDS = 8
# "unlike X", "instead of X", "faster than X": a sentence that negates or compares says nothing about use
_NEGATED_OR_COMPARED = rxcache.compile(
    r"\b(?:no|not|without|unlike|instead of|rather than|never|nor|neither|avoids?|avoided|than|versus|vs\.?|"
    r"compared (?:to|with)|relative to|outperforms?|baselines?)\b|n't\b",
    re.I,
)


def _technique_key(techniques: Iterable[Technique]) -> tuple[tuple[str, str, tuple[str, ...], str], ...]:
    return tuple((t.id, t.name, tuple(t.aliases), t.summary) for t in techniques)


@lru_cache(maxsize=4)
def _technique_vectors(key: tuple[tuple[str, str, tuple[str, ...], str], ...]) -> np.ndarray:
    """One unit vector per technique: its name and aliases plus its summary, embedded and summed."""
    import importlib.metadata
    import pickle

    import numpy as np

    from tensora.extract.embed import get_embedder
    from tensora.knowledge.cues import cache_path, write_cache

    # kept on disk between runs, keyed by the techniques' texts and the weights' version (an optimisation only)
    path = cache_path("technique-vectors", repr(key), importlib.metadata.version("wordllama"))
    try:
        if path.is_file():
            with path.open("rb") as fh:
                cached = pickle.load(fh)
            if isinstance(cached, np.ndarray) and cached.shape[0] == len(key):
                return cached
    except Exception:  # a stale or unreadable cache is rebuilt, never reported
        pass
    embedder = get_embedder()
    names = embedder.embed([f"{name}. {'; '.join(aliases)}" for _, name, aliases, _ in key])
    summaries = embedder.embed([summary for *_, summary in key])
    vectors = names + summaries
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    out = np.asarray(vectors / np.where(norms == 0, 1.0, norms), dtype=np.float32)
    write_cache(path, out)
    return out


def semantic_candidates(sentences: list[Sentence]) -> list[int]:
    """The sentences the semantic pass looks at: prose of some length, outside related work, that neither
    negates nor compares."""
    return [
        i
        for i, s in enumerate(sentences)
        if s.kind == "text"
        and len(s.text.split()) >= _SEMANTIC_MIN_WORDS
        and not _MENTION_SECTIONS.search(s.section)
        and not _NEGATED_OR_COMPARED.search(s.text)
    ]


def semantic_mentions(
    sentences: list[Sentence],
    techniques: list[Technique],
    found: dict[str, TechniqueUse],
    vectors: np.ndarray,
    candidates: list[int] | None = None,
) -> None:
    """Add semantic mentions to ``found`` for techniques the document never names by alias.

    ``vectors`` are the sentences' embeddings (row i for sentence i; only the rows of ``candidates``, by default
    ``semantic_candidates(sentences)``, are read). Deterministic: ties go to the technique listed first.
    """
    import numpy as np

    candidates = semantic_candidates(sentences) if candidates is None else candidates
    if not candidates or not techniques:
        return
    scores = vectors[candidates] @ _technique_vectors(_technique_key(techniques)).T
    for row, i in zip(scores, candidates, strict=True):
        sentence = sentences[i]
        order = np.argsort(-row, kind="stable")
        best, second = int(order[0]), int(order[1]) if len(order) > 1 else int(order[0])
        if row[best] < _SEMANTIC_MIN or row[best] - row[second] < _SEMANTIC_MARGIN:
            continue
        technique = techniques[best]
        if technique.id in found and not found[technique.id].semantic:
            continue  # named by an alias somewhere (so possibly here): the alias pass has the say
        use = found.setdefault(
            technique.id, TechniqueUse(technique.id, technique.name, technique.family, semantic=True)
        )
        use.counts["mentioned"] = use.counts.get("mentioned", 0) + 1
        if len(use.quotes) < 4:
            use.quotes.append(sentence.quote())
