"""The Markdown report: a GitHub job summary or a pull-request comment."""

from __future__ import annotations

import html
from collections import Counter

from vectimus.receipts.anchors import format_checkpoint
from vectimus.report.log import AuditLog, Entry, verify_command_of

MAX_ROWS = 200  # a job summary is capped at 1 MiB; past this many blocked calls, say how many more
OUTCOME_ORDER = ("deny", "ask", "observe", "allow")


def cell(text: str, *, code: bool = False, limit: int = 300) -> str:
    """``text`` made safe for one Markdown table cell (HTML-escaped, one line, pipes escaped)."""
    one = " ".join(str(text).split())
    if len(one) > limit:
        one = one[: limit - 1] + "…"
    safe = html.escape(one, quote=False).replace("|", "&#124;")
    return f"<code>{safe}</code>" if code and safe else safe


def status_line(log: AuditLog) -> str:
    """The verification result in one sentence."""
    report = log.verification
    if report.ok:
        return (f"✅ **Receipts verified**: {report.receipts} signed receipt(s), chain intact, "
                f"{report.checkpoints} checkpoint(s), sealed through {report.sealed_size}.")
    first = report.failures[0]
    return (f"❌ **Receipts FAILED verification** ({report.failure_count} problem(s)); first: "
            f"`{first.kind}` at {cell(first.position)}: {cell(first.message)}")


def outcome_table(log: AuditLog) -> list[str]:
    counts = log.by_outcome()
    order = [o for o in OUTCOME_ORDER if o in counts] + sorted(set(counts) - set(OUTCOME_ORDER))
    lines = ["| Outcome | Decisions |", "|---|---:|"]
    lines += [f"| {cell(o)} | {counts[o]} |" for o in order]
    lines.append(f"| **total** | **{sum(counts.values())}** |")
    return lines


def synthetic_line(log: AuditLog) -> str:
    """The calls no agent made (doctor's canaries), counted apart in one sentence ('' when none)."""
    if not log.synthetic:
        return ""
    makers = ", ".join(f"`vectimus {m}`" for m in sorted({e.synthetic for e in log.synthetic}))
    counts = Counter(e.decision for e in log.synthetic)
    return (f"**Synthetic calls** ({len(log.synthetic)}, not counted above): canaries of {makers}, not an agent's; "
            + ", ".join(f"{o} {counts[o]}" for o in sorted(counts)) + ".")


def blocked_cells(e: Entry) -> str:
    """The outcome, policy, agent / tool, call and reason cells of a denied or escalated call's row."""
    policies = ", ".join(cell(p, code=True) for p in e.policies) or "—"
    return (f"**{cell(e.decision)}** | {policies} | {cell(e.agent)} / {cell(e.tool)} "
            f"| {cell(e.subject, code=True, limit=120)} | {cell(e.reason)}")


def blocked_table(log: AuditLog) -> list[str]:
    return decisions_table(log.blocked(), "No call was denied or escalated.")


def decisions_table(blocked: list, nothing: str) -> list[str]:
    """One row per decision in ``blocked`` (at most ``MAX_ROWS``), or ``nothing`` when it is empty."""
    if not blocked:
        return [nothing]
    lines = ["| # | Outcome | Policy | Agent / tool | Call | Reason |", "|---:|---|---|---|---|---|"]
    lines += [f"| {e.seq} | {blocked_cells(e)} |" for e in blocked[:MAX_ROWS]]
    if len(blocked) > MAX_ROWS:
        lines.append(f"\n… and {len(blocked) - MAX_ROWS} more (see the full report: `vectimus report`).")
    return lines


def control_table(log: AuditLog, controls: dict[str, list[str]]) -> list[str]:
    """Decisions by the compliance control their policies map to, one row per control."""
    per = log.by_control(controls)
    if not per:
        return ["No decision named a policy that maps to a control."]
    lines = ["| Control | " + " | ".join(OUTCOME_ORDER) + " |", "|---|" + "---:|" * len(OUTCOME_ORDER)]
    lines += [f"| {cell(c)} | " + " | ".join(str(n.get(o, 0) or "") for o in OUTCOME_ORDER) + " |"
              for c, n in per.items()]
    return lines


def range_line(log: AuditLog) -> str:
    report = log.verification
    span = log.seq_range()
    shown = f"receipts #{span[0]}–#{span[1]}" if span else "no receipts"
    pruned = f", after {report.pruned} pruned" if report.pruned else ""
    return f"This covers {shown} of log `{report.log or '?'}` ({report.receipts} receipt(s) in the log{pruned})."


def provenance_table(log: AuditLog) -> list[str]:
    """Where, by what and for whom the decisions were made (``report.provenance``), as a table."""
    from vectimus.report.provenance import provenance_of, provenance_rows

    rows = provenance_rows(provenance_of(log))
    return ["| Provenance | |", "|---|---|", *(f"| {label} | {cell(text, code=code, limit=2000)} |"
                                                for label, text, code in rows)]


def anchor_lines(log: AuditLog, verify_command: str) -> list[str]:
    """The anchors to record (keys and last checkpoint of a log that verified), those checked, and the command."""
    report = log.verification
    lines = []
    offered = report.offered() if report.ok else None
    if offered and offered.keys:
        lines += ["**Anchors**: record these where the agent cannot write; they pin the signing key and the "
                  "log's length:", ""]
        lines += [f"- key `{k}`" for k in offered.keys]
        lines += [f"- last checkpoint `{format_checkpoint(*c)}`" for c in offered.checkpoints]
        lines.append("")
    if report.anchors:
        given = [f"key `{k}`" for k in report.anchors.keys]
        given += [f"checkpoint `{format_checkpoint(*c)}`" for c in report.anchors.checkpoints]
        lines += [f"Verified against the anchors given: {', '.join(given)}.", ""]
    return lines + ["**Verify the artifact** (on any machine, with nothing but the artifact and the anchors):", "",
                    "```sh", verify_command, "```"]


def render_markdown(log: AuditLog, *, title: str = "Vectimus: AI agent governance",
                    verify_command: str | None = None, heading: str = "###",
                    controls: dict[str, list[str]] | None = None) -> str:
    """The Markdown report: status, decisions by outcome, every deny and ask, what was only observed,
    range, provenance, anchors and how to verify (``verify_command``, by default ``vectimus verify`` of the log's path
    pinned to its anchors)."""
    parts = [f"{heading} {title}", "", status_line(log), "", *outcome_table(log), ""]
    if log.synthetic:
        parts += [synthetic_line(log), ""]
    parts += [f"**Denied or escalated** ({len(log.blocked())})", "", *blocked_table(log), ""]
    observed = log.observed()
    if observed:  # policies at the observe level, or observe mode: the call went ahead
        parts += [f"**Would have been blocked** (observed, allowed: {len(observed)})", "",
                  *decisions_table(observed, ""), ""]
    if controls is not None:
        parts += ["**Decisions by control**", "", *control_table(log, controls), ""]
    parts += [range_line(log), "", *provenance_table(log), "", *anchor_lines(log, verify_command or verify_command_of(log))]
    return "\n".join(parts) + "\n"
