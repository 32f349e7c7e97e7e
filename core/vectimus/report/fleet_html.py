"""The fleet summary as one self-contained HTML page (inline CSS, no scripts, nothing fetched)."""

from __future__ import annotations

from collections import Counter

from vectimus.report.fleet import Fleet
from vectimus.report.html import STYLE, _badge, _e
from vectimus.report.markdown import OUTCOME_ORDER

MAX_DENIALS = 5000
FLEET_STYLE = """
.day{display:flex;align-items:center;gap:10px;margin:3px 0}.day span.l{width:100px}
.day span.stack{display:flex;height:16px}.day span.stack span{height:16px;min-width:1px}
tr.failed{background:#ffebe9}
"""


def _counts_row(counts: Counter) -> str:
    cells = "".join(f'<td class="n">{counts.get(o, 0) or ""}</td>' for o in OUTCOME_ORDER)
    return f'{cells}<td class="n">{sum(counts.values())}</td>'


def _counts_head() -> str:
    return "".join(f'<th class="n">{o}</th>' for o in OUTCOME_ORDER) + '<th class="n">total</th>'


def _banner(fleet: Fleet) -> str:
    if fleet.ok:
        return (f'<div id="verification" class="banner ok" data-status="verified">✓ All {len(fleet.jobs)} job logs '
                f"verified<small>every signature, hash chain and checkpoint holds (and every anchor given)</small></div>")
    detail = (f"{len(fleet.failed)} of {len(fleet.jobs)} logs failed; the figures cover the "
              f"{len(fleet.verified)} that verified" if fleet.jobs else "no receipt log was found")
    return (f'<div id="verification" class="banner failed" data-status="failed">✗ Verification FAILED — '
            f"do not trust the logs listed below<small>{_e(detail)}</small></div>")


def _jobs(fleet: Fleet) -> str:
    rows = []
    for job in fleet.jobs:
        report = job.log.verification
        state = "✓ verified" if job.verified else f"✗ {report.failures[0].kind}"
        rows.append(f'<tr class="{"" if job.verified else "failed"}" data-job="{_e(job.name)}" '
                    f'data-verified="{str(job.verified).lower()}"><td><code>{_e(job.name)}</code></td>'
                    f"<td>{_e(job.repository)}</td><td>{_e(', '.join(sorted({e.agent for e in job.log.entries})))}</td>"
                    f'<td class="n">{report.receipts}</td>{_counts_row(job.log.by_outcome())}<td>{_e(state)}</td></tr>')
    return (f'<table id="jobs"><tr><th>Job</th><th>Repository</th><th>Agents</th><th class="n">receipts</th>'
            f'{_counts_head()}<th>Verification</th></tr>{"".join(rows)}</table>')


def _table(table_id: str, label: str, rows: dict[str, Counter]) -> str:
    body = "".join(f"<tr><td>{_e(name)}</td>{_counts_row(c)}</tr>" for name, c in rows.items())
    return f'<table id="{table_id}"><tr><th>{_e(label)}</th>{_counts_head()}</tr>{body}</table>'


def _days(fleet: Fleet) -> str:
    days = fleet.by_day()
    top = max((sum(c.values()) for c in days.values()), default=1)
    rows = []
    for day, counts in days.items():
        stack = "".join(f'<span class="b {o}" style="width:{counts[o] * 600 // top}px" title="{o} {counts[o]}"></span>'
                        for o in OUTCOME_ORDER if counts.get(o))
        rows.append(f'<div class="day" data-day="{_e(day)}"><span class="l">{_e(day)}</span>'
                    f'<span class="stack">{stack}</span><span>{sum(counts.values())}</span></div>')
    return f'<div id="days">{"".join(rows) or "<p>No decisions.</p>"}</div>'


def _policies(fleet: Fleet) -> str:
    rows = "".join(f"<tr><td><code>{_e(p)}</code></td>{_counts_row(c)}</tr>" for p, c in fleet.top_policies())
    return f'<table id="policies"><tr><th>Policy</th>{_counts_head()}</tr>{rows}</table>' if rows else \
        "<p>No decision named a policy.</p>"


def _denials(fleet: Fleet) -> str:
    items = []
    for job, e in fleet.blocked()[:MAX_DENIALS]:
        policies = ", ".join(f"<code>{_e(p)}</code>" for p in e.policies) or "no policy (fail-closed)"
        items.append(f'<div class="denial {_e(e.decision)}" data-job="{_e(job.name)}">{_badge(e.decision)} '
                     f"<code>{_e(job.name)}</code> · {_e(e.time)} · {_e(e.agent)} / {_e(e.tool)} · {policies}"
                     f'<div><code>{_e(e.subject[:400])}</code></div><div class="why">{_e(e.reason)}</div></div>')
    return "".join(items) or "<p>No call was denied or escalated.</p>"


def _failed(fleet: Fleet) -> str:
    items = []
    for job in fleet.failed:
        report = job.log.verification
        first = report.failures[0]
        items.append(f'<div class="denial" data-job="{_e(job.name)}"><b>{_e(job.name)}</b> · '
                     f"<code>{_e(report.path)}</code> · {report.failure_count} problem(s)"
                     f'<div class="why">{_e(first.kind)} at {_e(first.position)}: {_e(first.message)}</div></div>')
    return "".join(items) or "<p>Every log verified.</p>"


def render_fleet_html(fleet: Fleet, *, title: str = "Vectimus fleet audit") -> str:
    """The whole fleet page as one HTML document."""
    entries = fleet.entries()
    period = f"{entries[0][1].time} → {entries[-1][1].time}" if entries else "no verified decisions"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{_e(title)}</title><style>{STYLE}{FLEET_STYLE}</style></head>
<body><main>
<h1>{_e(title)}</h1>
<div class="meta">{len(fleet.jobs)} job log(s) · {_e(period)}</div>
{_banner(fleet)}
<h2>Jobs</h2>
{_jobs(fleet)}
<h2>Repositories</h2>
{_table("repositories", "Repository", {r: v["decisions"] for r, v in fleet.by_repository().items()})}
<h2>Agents</h2>
{_table("agents", "Agent", fleet.by_agent())}
<h2>Decisions per day (UTC)</h2>
{_days(fleet)}
<h2>Top policies</h2>
{_policies(fleet)}
<h2 id="denials-heading">Denied and escalated calls ({len(fleet.blocked())})</h2>
<div id="denials">{_denials(fleet)}</div>
<h2 id="failed-heading">Logs that failed verification ({len(fleet.failed)})</h2>
<div id="failed">{_failed(fleet)}</div>
</main></body></html>
"""
