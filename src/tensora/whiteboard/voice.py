"""The skeptic's side of the whiteboard: the opening question and the follow-up after each answer.

Every sentence is built from the audit (finding messages, must-solve sentences, computed numbers); nothing is
invented here. The opening is the Mirror followed by the sharpest question (the most severe open finding, its
message put as a question, and its must-solve). A follow-up says what the answer resolved (with the numbers
recomputed from it), what it raised, what it moved, and asks the next sharpest question.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tensora.whiteboard.session import Tracked, Update, Whiteboard


def number(key: str, value: float) -> str:
    """A computed value as the skeptic says it: fractions as percentages, the rest to three digits."""
    if "fraction" in key or key.endswith("_share"):
        return f"{value:.1%}"
    return f"{value:,.3g}"


def label(key: str) -> str:
    return key.replace("_", " ")


def question(t: Tracked, *, lead: str = "") -> str:
    """A finding put as the skeptic's question: the message, a question, the must-solve sentence."""
    f = t.finding
    head = f"**{f.code}** ({f.severity.value}: {f.title.lower()})"
    message = f.message.strip()
    ask = "" if message.endswith("?") else " What is your answer, concretely: which mechanism, which number?"
    return f"{lead}{head}: {message}{ask}\n\n{f.must_solve}"


def opening(wb: Whiteboard) -> str:
    """The first turn: the Mirror, then the sharpest question."""
    from tensora.render.markdown import mirror_text

    mirror = (wb.review.mirror.text or mirror_text(wb.review)).strip()
    parts = [mirror] if mirror else []
    top = wb.sharpest()
    if top is None:
        parts.append(
            "I have no finding to press you on: the rules raise nothing against this draft. "
            "Convince me that this is not because it says too little."
        )
    else:
        count = len(wb.open_findings())
        plural = "s" if count != 1 else ""
        parts.append(f"I have {count} open finding{plural}. Let me start with the sharpest.")
        parts.append(question(top))
    return "\n\n".join(parts)


def _changes(changes: dict[str, tuple[float, float]]) -> str:
    return "; ".join(
        f"{label(k)} {number(k, after)} (was {number(k, before)})" for k, (before, after) in changes.items()
    )


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'s' if n != 1 else ''}"


def _quantity(role: str, qualifier: str, value: float) -> str:
    what = label(role) + (f" ({qualifier})" if qualifier and qualifier not in role else "")
    shown = f"{value:.1%}" if role in ("mfu", "fraction", "overhead", "gain") or "fraction" in role else f"{value:,.4g}"
    return f"{what} {shown}"


def _restated(update: Update) -> str:
    """The numbers the answer states, each against the draft's earlier value where it had one."""
    moved = [
        f"{_quantity(role, qual, now)} where the draft said {_quantity(role, qual, was).split(' ')[-1]}"
        for role, qual, was, now in update.restated
        if was is not None and abs(was - now) > 1e-9 * max(1.0, abs(was))
    ]
    fresh = [_quantity(role, qual, now) for role, qual, was, now in update.restated if was is None]
    out = []
    if moved:
        out.append("You change the draft's numbers: " + "; ".join(moved) + ".")
    if fresh:
        out.append("New numbers from your answer: " + "; ".join(fresh) + ".")
    return " ".join(out)


def follow_up(update: Update, wb: Whiteboard) -> str:
    """The skeptic's reply to one answer: what it resolved, raised and moved, then the next question.

    It quotes the answer (the sentence with a number, else the first), states the numbers the answer changed
    against the draft's, and says when a word in the answer was only a passing mention.
    """
    live = wb.open_findings()
    parts = []
    if update.quote:
        parts.append(f'You say: "{update.quote}"')
    restated = _restated(update)
    if restated:
        parts.append(restated)
    parts.append(
        f"Re-audited with your answer: {len(update.resolved)} resolved, {len(update.new)} new, "
        f"{_count(len(live), 'finding')} open."
    )
    for t in update.resolved:
        line = f"Resolved: **{t.code}** ({t.finding.title.lower()})."
        nums = update.recomputed.get(t.code)
        if nums:
            line += f" Recomputed from your answer: {_changes(nums)}."
        parts.append(line)
    top = wb.sharpest()
    for t in update.new:
        if top is not None and t.code == top.code:
            continue  # asked below, as the next question
        parts.append(
            f"New: your answer raises **{t.code}** ({t.finding.severity.value}: {t.finding.title.lower()}). "
            f"{t.finding.message.strip()}"
        )
    moved = [t for t in update.still_open if t.code in update.recomputed]
    for t in moved:
        parts.append(f"Still open: **{t.code}**, its numbers moved: {_changes(update.recomputed[t.code])}.")
    if "*" in update.recomputed:
        parts.append(f"Recomputed from your answer: {_changes(update.recomputed['*'])}.")
    if update.incidental:
        parts.append(f"You mention what {', '.join(update.incidental)} is about only in passing, so I do not raise it.")
    if not (update.resolved or update.new or moved):
        if restated or "*" in update.recomputed:
            parts.append(
                "Those numbers do not remove the condition behind any finding: every finding I raised still stands "
                "until the mechanism or the measurement answers it."
            )
        else:
            parts.append("That does not change my audit: every finding I raised still stands.")
    if top is None:
        parts.append(
            "Nothing is left open that the rules can break. Now put these answers into the draft, with the numbers."
        )
    elif top.status == "new":
        parts.append(question(top, lead="Your answer raises a new problem, "))
    elif top.code == update.asked:
        parts.append(question(top, lead="You have not answered this yet, "))
    else:
        parts.append(question(top, lead="Next, "))
    return "\n\n".join(parts)
