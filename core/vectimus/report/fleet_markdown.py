"""The fleet summary as Markdown: jobs, repositories, agents, days, policies, every deny, every failed log."""

from __future__ import annotations

from collections import Counter

from vectimus.report.fleet import Fleet
from vectimus.report.markdown import MAX_ROWS, OUTCOME_ORDER, blocked_cells, cell


def status_line(fleet: Fleet) -> str:
    """Whether every log verified, in one sentence."""
    if not fleet.jobs:
        return "❌ **No receipt log found** in the directories given."
    if fleet.ok:
        return f"✅ **All {len(fleet.jobs)} job log(s) verified**; the figures below cover all of them."
    return (f"❌ **{len(fleet.failed)} of {len(fleet.jobs)} job log(s) FAILED verification** (listed at the end); "
            f"the figures cover the {len(fleet.verified)} that verified.")


def _outcomes(counts: Counter) -> str:
    return " | ".join(str(counts.get(o, 0)) for o in OUTCOME_ORDER) + f" | {sum(counts.values())}"


OUTCOME_HEAD = " | ".join(OUTCOME_ORDER) + " | total |"
OUTCOME_RULE = "---:|" * (len(OUTCOME_ORDER) + 1)


def jobs_table(fleet: Fleet) -> list[str]:
    lines = ["| Job | Repository | Agents | Receipts | Verification |", "|---|---|---|---:|---|"]
    for job in fleet.jobs:
        report = job.log.verification
        if job.verified:
            state = "✅ verified" + (" (anchored)" if job.anchors else "")
        else:
            state = f"❌ {cell(report.failures[0].kind)}"
        agents = ", ".join(sorted({e.agent for e in job.log.entries}))
        lines.append(f"| {cell(job.name, code=True)} | {cell(job.repository)} | {cell(agents)} "
                     f"| {report.receipts} | {state} |")
    return lines


def counted_table(label: str, rows: dict[str, Counter], extra: dict[str, str] | None = None) -> list[str]:
    head = f"| {label} |" + (" Jobs |" if extra else "") + f" {OUTCOME_HEAD}"
    rule = "|---|" + ("---:|" if extra else "") + OUTCOME_RULE
    lines = [head, rule]
    for name, counts in rows.items():
        jobs = f" {extra[name]} |" if extra else ""
        lines.append(f"| {cell(name)} |{jobs} {_outcomes(counts)} |")
    return lines if rows else ["No decisions."]


def policies_table(fleet: Fleet) -> list[str]:
    top = fleet.top_policies()
    if not top:
        return ["No decision named a policy."]
    lines = [f"| Policy | {OUTCOME_HEAD}", "|---|" + OUTCOME_RULE]
    lines += [f"| {cell(p, code=True)} | {_outcomes(c)} |" for p, c in top]
    return lines


def blocked_table(fleet: Fleet) -> list[str]:
    blocked = fleet.blocked()
    if not blocked:
        return ["No call was denied or escalated."]
    lines = ["| Job | Time (UTC) | Outcome | Policy | Agent / tool | Call | Reason |", "|---|---|---|---|---|---|---|"]
    lines += [f"| {cell(job.name, code=True, limit=60)} | {cell(e.time[:19])} | {blocked_cells(e)} |"
              for job, e in blocked[:MAX_ROWS]]
    if len(blocked) > MAX_ROWS:
        lines.append(f"\n… and {len(blocked) - MAX_ROWS} more (see `vectimus report … --format json`).")
    return lines


def failed_table(fleet: Fleet) -> list[str]:
    if not fleet.failed:
        return ["Every log verified."]
    lines = ["| Job | Receipts | Problems | First failure |", "|---|---|---:|---|"]
    for job in fleet.failed:
        report = job.log.verification
        first = report.failures[0]
        lines.append(f"| {cell(job.name, code=True)} | {cell(report.path, code=True)} | {report.failure_count} "
                     f"| `{cell(first.kind)}` at {cell(first.position)}: {cell(first.message)} |")
    return lines


def render_fleet_markdown(fleet: Fleet, *, title: str = "Vectimus fleet audit", heading: str = "###") -> str:
    """The whole fleet summary."""
    repositories = fleet.by_repository()
    parts = [f"{heading} {title}", "", status_line(fleet), "",
             f"**Jobs** ({len(fleet.jobs)})", "", *jobs_table(fleet), "",
             "**Repositories**", "",
             *counted_table("Repository", {r: v["decisions"] for r, v in repositories.items()},
                            {r: str(v["jobs"]) for r, v in repositories.items()}), "",
             "**Agents**", "", *counted_table("Agent", fleet.by_agent()), "",
             "**Decisions per day**", "", *counted_table("Day (UTC)", fleet.by_day()), "",
             "**Top policies**", "", *policies_table(fleet), "",
             f"**Denied or escalated** ({len(fleet.blocked())})", "", *blocked_table(fleet), "",
             f"**Logs that failed verification** ({len(fleet.failed)})", "", *failed_table(fleet)]
    return "\n".join(parts) + "\n"
