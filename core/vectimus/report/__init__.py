"""Audit reports of a verified receipt log: Markdown (job summaries, PR comments), JSON and HTML.

``load`` verifies the log and reads its receipts into an ``AuditLog``; ``render`` turns one into
any of the formats. ``fleet.load_fleet`` does the same for every job's log under some directories,
and ``render_fleet`` sums them up in one report. Nothing here trusts a log before
``vectimus.receipts.verify`` has checked it: every rendering states the verification result first.
"""

from __future__ import annotations

from vectimus.report.log import AuditLog, load

FORMATS = ("markdown", "json", "html")


def render(log: AuditLog, fmt: str, **options) -> str:
    """``log`` rendered as ``fmt`` (one of ``FORMATS``); options go to that renderer."""
    if fmt == "markdown":
        from vectimus.report.markdown import render_markdown

        return render_markdown(log, **options)
    if fmt == "json":
        from vectimus.report.jsondoc import render_json

        return render_json(log, **options)
    if fmt == "html":
        from vectimus.report.html import render_html

        return render_html(log, **options)
    raise ValueError(f"unknown report format {fmt!r} (choose from {', '.join(FORMATS)})")


def render_fleet(fleet, fmt: str) -> str:
    """A ``fleet.Fleet`` rendered as ``fmt`` (one of ``FORMATS``)."""
    if fmt == "markdown":
        from vectimus.report.fleet_markdown import render_fleet_markdown

        return render_fleet_markdown(fleet)
    if fmt == "json":
        import json

        return json.dumps(fleet.as_dict(), indent=2, ensure_ascii=False) + "\n"
    if fmt == "html":
        from vectimus.report.fleet_html import render_fleet_html

        return render_fleet_html(fleet)
    raise ValueError(f"unknown report format {fmt!r} (choose from {', '.join(FORMATS)})")


__all__ = ["AuditLog", "FORMATS", "load", "render", "render_fleet"]
