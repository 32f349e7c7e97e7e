"""The words a decision is given: what the agent is told, and what receipts and reports record.

Every reason is built here (the engine calls ``policy_reason`` and ``error_reason``, a deny no
policy decided is ``denied``), and adapters fall back to ``fallback`` for a decision that carries
none, so all agents read the same sentences.
A reason is a few short sentences: what decided and why, what matched, what to do instead.
Standard library only: the hook imports it.
"""

LEADS = {
    "deny": "Blocked by Vectimus policy {id}",
    "ask": "Needs approval: Vectimus policy {id}",
    "observe": "Would have been blocked by Vectimus policy {id}",
}
FALLBACKS = {
    "deny": "Blocked by Vectimus.",
    "ask": "Needs approval (Vectimus).",
    "observe": "Would have been blocked by Vectimus.",
}
OBSERVE_MODE = "Vectimus is in observe mode, so the call went ahead"
OBSERVE_LEVEL = "The policy only observes, so the call went ahead"
NOBODY_TO_ASK = {
    "ci": "It needs approval, and nobody can give it in CI",
    "agent": "It needs approval, and this agent cannot ask for it",
}
CANNOT_ASK_HERE = "This agent cannot ask for approval here, so the call was blocked"
COULD_NOT_EVALUATE = "Vectimus could not evaluate this call"
DENIED = "Vectimus denied this call"
MAX_LINE = 300  # characters of an error kept in a reason


def one_line(value: object, limit: int = MAX_LINE) -> str:
    """``value`` (text, an exception) on one line of at most ``limit`` characters; an exception
    without a message is named by its class."""
    text = " ".join(str(value).split())
    if not text and isinstance(value, BaseException):
        text = value.__class__.__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def denied(why: str) -> str:
    """The reason for a deny that no policy decided (bad input, an internal failure)."""
    return f"{DENIED}: {why}"


def sentence(text: str) -> str:
    """``text`` on one line, ending as a sentence ends."""
    text = " ".join(text.split())
    return text if not text or text[-1] in ".!?…" else text + "."


def policy_reason(level: str, policy_id: str, description: str, *, note: str = "", matched: str = "",
                  alternative: str = "", others: tuple[str, ...] | list[str] = ()) -> str:
    """The reason for a ``level`` decision by ``policy_id``: separate sentences, lead first.

    ``matched`` is what the policy matched (``"exec: rm -rf ~"``), ``note`` why the outcome differs
    from the policy's own level (observe mode, nobody to ask), ``others`` the other policies matched.
    """
    parts = [f"{LEADS[level].format(id=policy_id)}: {description}", note]
    if matched:
        parts.append(f"Matched {matched}")
    if alternative:
        parts.append(f"Instead: {alternative}")
    if others:
        parts.append(f"Also matched: {', '.join(others)}")
    return " ".join(sentence(p) for p in parts if p)


def error_reason(level: str, error: str, note: str = "") -> str:
    """The reason when Vectimus itself could not decide (always a deny, or observed in observe mode)."""
    lead = f"{COULD_NOT_EVALUATE}: {error}"
    if level == "observe":
        lead = f"Would have been blocked: {lead}"
    return " ".join(sentence(p) for p in (lead, note) if p)


def fallback(decision: str) -> str:
    """What an adapter says for a ``decision`` that carries no reason."""
    return FALLBACKS.get(decision, FALLBACKS["deny"])


def told(decision: str, reason: str, answered: str) -> str:
    """What the agent is told when a ``decision`` is answered as ``answered``.

    An ``ask`` that an agent (or one of its hook events) can only answer as ``deny`` says so.
    """
    text = reason.strip() or fallback(decision)
    if decision == "ask" and answered == "deny":
        text = f"{text} {sentence(CANNOT_ASK_HERE)}"
    return text
