"""The HTML audit page: one self-contained file (inline CSS, no scripts, nothing fetched)."""

from __future__ import annotations

from html import escape

from vectimus.receipts.anchors import format_checkpoint
from vectimus.report.log import AuditLog, Entry, verify_command_of
from vectimus.report.markdown import OUTCOME_ORDER

MAX_TIMELINE = 5000

STYLE = """
:root{--ink:#1f2328;--dim:#59636e;--line:#d1d9e0;--bg:#f6f8fa;--deny:#cf222e;--ask:#9a6700;
--allow:#1a7f37;--observe:#0969da}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;
color:var(--ink);background:#fff}main{max-width:1180px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 10px;border-bottom:1px solid var(--line);
padding-bottom:6px}.meta{color:var(--dim)}code{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace;
background:var(--bg);padding:1px 4px;border-radius:4px;word-break:break-all}
.banner{margin:18px 0;padding:14px 18px;border-radius:8px;font-size:16px;border:1px solid}
.banner.ok{background:#dafbe1;border-color:#4ac26b;color:#116329}
.banner.failed{background:#ffebe9;border-color:#ff8182;color:#82071e}
.banner small{display:block;font-size:13px;margin-top:4px}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{flex:1;min-width:130px;border:1px solid var(--line);
border-radius:8px;padding:12px 16px}.card b{display:block;font-size:28px}
.card.deny b{color:var(--deny)}.card.ask b{color:var(--ask)}.card.allow b{color:var(--allow)}
.card.observe b{color:var(--observe)}
.bars div{display:flex;align-items:center;gap:10px;margin:4px 0}.bars span.l{width:80px}
.bars span.b{height:16px;border-radius:3px;min-width:2px}
.b.deny{background:var(--deny)}.b.ask{background:var(--ask)}.b.allow{background:var(--allow)}
.b.observe{background:var(--observe)}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);
vertical-align:top}th{background:var(--bg);font-weight:600}td.n,th.n{text-align:right;width:90px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;font-weight:600}
.badge.deny{background:var(--deny)}.badge.ask{background:var(--ask)}.badge.allow{background:var(--allow)}
.badge.observe{background:var(--observe)}
.denial{border:1px solid var(--line);border-left:4px solid var(--deny);border-radius:6px;padding:10px 14px;
margin:8px 0}.denial.ask{border-left-color:var(--ask)}.denial .why{margin-top:6px}
tr.blocked{background:#fff8f8}
"""


def _e(value) -> str:
    return escape(str(value), quote=True)


def _badge(decision: str) -> str:
    return f'<span class="badge {_e(decision)}">{_e(decision)}</span>'


def _banner(log: AuditLog) -> str:
    report = log.verification
    if report.ok:
        detail = (f"{report.receipts} signed receipts, hash chain intact, {report.checkpoints} checkpoint(s), "
                  f"sealed through {report.sealed_size}"
                  + (", checked against the anchors given" if report.anchors else ""))
        notes = "".join(f"<small>note: {_e(w.message)}</small>" for w in report.warnings)
        return (f'<div id="verification" class="banner ok" data-status="verified">✓ Receipts verified'
                f"<small>{_e(detail)}</small>{notes}</div>")
    first = report.failures[0]
    detail = f"{report.failure_count} problem(s); first: {first.kind} at {first.position}: {first.message}"
    return (f'<div id="verification" class="banner failed" data-status="failed">✗ Verification FAILED — '
            f"do not trust this log<small>{_e(detail)}</small></div>")


def _cards(log: AuditLog) -> str:
    counts = log.by_outcome()
    cards = [f'<div class="card"><b>{len(log.entries)}</b>decisions</div>']
    cards += [f'<div class="card {o}" data-outcome="{o}"><b>{counts.get(o, 0)}</b>{o}</div>' for o in OUTCOME_ORDER]
    return f'<div class="cards" id="outcomes">{"".join(cards)}</div>'


def _bars(log: AuditLog) -> str:
    counts = log.by_outcome()
    top = max(counts.values(), default=1)
    rows = [f'<div><span class="l">{o}</span><span class="b {o}" style="width:{counts[o] * 600 // top}px"></span>'
            f"<span>{counts[o]}</span></div>" for o in OUTCOME_ORDER if counts.get(o)]
    return f'<div class="bars">{"".join(rows)}</div>'


def _policies(log: AuditLog) -> str:
    per = log.by_policy()
    if not per:
        return "<p>No decision named a policy.</p>"
    head = "".join(f'<th class="n">{o}</th>' for o in OUTCOME_ORDER)
    rows = "".join(f"<tr><td><code>{_e(p)}</code></td>"
                   + "".join(f'<td class="n">{c.get(o, 0) or ""}</td>' for o in OUTCOME_ORDER) + "</tr>"
                   for p, c in per.items())
    return f'<table id="policies"><tr><th>Policy</th>{head}</tr>{rows}</table>'


def _controls(log: AuditLog, controls: dict[str, list[str]]) -> str:
    per = log.by_control(controls)
    if not per:
        return "<p>No decision named a policy that maps to a control.</p>"
    head = "".join(f'<th class="n">{o}</th>' for o in OUTCOME_ORDER)
    rows = "".join(f"<tr><td>{_e(c)}</td>" + "".join(f'<td class="n">{n.get(o, 0) or ""}</td>' for o in OUTCOME_ORDER)
                   + "</tr>" for c, n in per.items())
    return f'<h2>Decisions by control</h2><table id="controls"><tr><th>Control</th>{head}</tr>{rows}</table>'


def _denial(e: Entry) -> str:
    policies = ", ".join(f"<code>{_e(p)}</code>" for p in e.policies) or "no policy (fail-closed)"
    return (f'<div class="denial {_e(e.decision)}" data-seq="{e.seq}">{_badge(e.decision)} #{e.seq} '
            f"{_e(e.time)} · {_e(e.agent)} / {_e(e.tool)} · {policies}"
            f'<div><code>{_e(e.subject[:400])}</code></div><div class="why">{_e(e.reason)}</div></div>')


def _provenance(log: AuditLog) -> str:
    from vectimus.report.provenance import provenance_of, provenance_rows

    rows = "".join(f"<tr><th>{_e(label)}</th><td>{f'<code>{_e(text)}</code>' if code else _e(text)}</td></tr>"
                   for label, text, code in provenance_rows(provenance_of(log)))
    return f'<table id="provenance">{rows}</table>'


def _anchors(log: AuditLog) -> str:
    report = log.verification
    rows = []
    if report.ok:
        offered = report.offered()
        rows += [f"<tr><th>Signing key</th><td><code>{_e(k)}</code></td></tr>" for k in offered.keys]
        rows += [f"<tr><th>Last checkpoint</th><td><code>{_e(format_checkpoint(*c))}</code></td></tr>"
                 for c in offered.checkpoints]
    rows += [f"<tr><th>Anchor given</th><td>key <code>{_e(k)}</code></td></tr>" for k in report.anchors.keys]
    rows += [f"<tr><th>Anchor given</th><td>checkpoint <code>{_e(format_checkpoint(*c))}</code></td></tr>"
             for c in report.anchors.checkpoints]
    rows.append(f"<tr><th>Verify with</th><td><code>{_e(verify_command_of(log))}</code></td></tr>")
    return ('<p>Record the key and the last checkpoint where the agent cannot write: they pin the signing key '
            f'and the log\'s length.</p><table id="anchors">{"".join(rows)}</table>')


def _synthetic(log: AuditLog) -> str:
    if not log.synthetic:
        return ""
    rows = "".join(f'<tr data-seq="{e.seq}"><td class="n">{e.seq}</td><td>{_e(e.time)}</td><td>vectimus {_e(e.synthetic)}'
                   f"</td><td>{_e(e.agent)} / {_e(e.tool)}</td><td><code>{_e(e.subject[:200])}</code></td>"
                   f"<td>{_badge(e.decision)}</td></tr>" for e in log.synthetic)
    return (f'<h2>Synthetic calls ({len(log.synthetic)})</h2><p>Canaries, not an agent\'s calls: not counted in '
            'the figures above.</p><table id="synthetic"><tr><th class="n">#</th><th>Time (UTC)</th><th>Made by</th>'
            f"<th>Hook / tool</th><th>Call</th><th>Decision</th></tr>{rows}</table>")


def _timeline(log: AuditLog) -> str:
    rows = []
    for e in log.entries[:MAX_TIMELINE]:
        policies = " ".join(f"<code>{_e(p)}</code>" for p in e.policies)
        rows.append(f'<tr class="{"blocked" if e.blocked else ""}"><td class="n">{e.seq}</td><td>{_e(e.time)}</td>'
                    f"<td>{_e(e.agent)}</td><td>{_e(e.tool)}</td><td><code>{_e(e.subject[:200])}</code></td>"
                    f"<td>{_badge(e.decision)}</td><td>{policies}</td></tr>")
    more = len(log.entries) - MAX_TIMELINE
    tail = f"<p>… and {more} more (see the JSON report).</p>" if more > 0 else ""
    return ('<table id="timeline"><tr><th>#</th><th>Time (UTC)</th><th>Agent</th><th>Tool</th><th>Call</th>'
            f'<th>Decision</th><th>Policies</th></tr>{"".join(rows)}</table>{tail}')


def render_html(log: AuditLog, *, title: str = "Vectimus audit report",
                controls: dict[str, list[str]] | None = None) -> str:
    """The whole audit page as one HTML document."""
    report = log.verification
    blocked = log.blocked()
    period = f"{report.first_time} → {report.last_time}" if report.first_time else "no receipts"
    denials = "".join(_denial(e) for e in blocked) or "<p>No call was denied or escalated.</p>"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{_e(title)}</title><style>{STYLE}</style></head>
<body><main>
<h1>{_e(title)}</h1>
<div class="meta">Log <code>{_e(report.log or "?")}</code> · {_e(period)} · {len(report.sessions)} session(s) ·
source <code>{_e(report.path)}</code></div>
{_banner(log)}
<h2>Decisions by outcome</h2>
{_cards(log)}
{_bars(log)}
<h2>Decisions per policy</h2>
{_policies(log)}
{_controls(log, controls) if controls is not None else ""}
<h2 id="denials-heading">Denied and escalated calls ({len(blocked)})</h2>
<div id="denials">{denials}</div>
{_synthetic(log)}
<h2>Timeline</h2>
{_timeline(log)}
<h2>Provenance</h2>
{_provenance(log)}
<h2>Anchors</h2>
{_anchors(log)}
</main></body></html>
"""
