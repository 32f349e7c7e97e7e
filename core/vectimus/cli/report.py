"""``vectimus report [PATH…]``: verified receipt logs as Markdown, JSON or an HTML audit page.

One log (this project's, or a receipts directory or file) gives its own report; several paths, or
directories holding many jobs' artifacts, give one fleet summary of every log found.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from vectimus.cli.output import err_console, escape, fail


def _one_log(paths: list[Path]) -> bool:
    """Whether the arguments name a single log (the report of one job) rather than a fleet."""
    from vectimus.receipts.chain import RECEIPTS_DIR
    from vectimus.report.fleet import is_log

    if not paths:
        return True
    if len(paths) > 1:
        return False
    path = paths[0]
    return not path.is_dir() or is_log(path) or (path / RECEIPTS_DIR).is_dir()


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        err_console.print(f"wrote {output}", markup=False)


def report(
    paths: list[Path] | None = typer.Argument(
        None, metavar="[PATH]...", help="A receipts directory or receipt file (default: this project's .vectimus/receipts/); "
                   "several, or directories of many jobs' artifacts, for one fleet summary."),
    keys: Path | None = typer.Option(None, "--keys", metavar="DIR", help="Directory of trusted *.pub keys "
                                                            "(default: keys/ beside each receipts directory)."),
    fmt: str = typer.Option("markdown", "--format", "-f", metavar="FORMAT", help="markdown, json or html."),
    output: Path | None = typer.Option(None, "--output", "-o", metavar="FILE", help="Write here instead of stdout."),
    session: str | None = typer.Option(None, "--session", metavar="ID", help="Only this session's decisions (one log)."),
    sealed: bool = typer.Option(False, "--sealed", help="Count receipts after the last checkpoint as a failure."),
    key: list[str] = typer.Option([], "--key", metavar="FINGERPRINT",
                                  help="One log: trust only this key (repeatable), as `vectimus verify --key`."),
    checkpoint: list[str] = typer.Option([], "--checkpoint", metavar="SIZE:ROOT",
                                         help="One log: require this signed checkpoint, as `vectimus verify --checkpoint`."),
    anchors: Path | None = typer.Option(None, "--anchors", metavar="FILE", help='Fleet: a JSON file of each job\'s anchors, '
                                           '{"<job>": {"keys": ["<fingerprint>"], "checkpoint": "SIZE:ROOT"}}.'),
    by: str | None = typer.Option(None, "--by", metavar="control",
                                     help="control: also group one log's decisions by the compliance controls "
                                          "(SOC 2, ISO 27001, NIST 800-53, …) their policies map to."),
) -> None:
    """Verify the receipts, then render them as Markdown, JSON or HTML.

    Exit 1 when any log fails verification (the report says why).
    """
    from vectimus.report import FORMATS, load, render

    if fmt not in FORMATS:
        err_console.print(f"[red]error:[/red] --format must be one of {', '.join(FORMATS)}")
        raise typer.Exit(2)
    if by not in (None, "control"):
        err_console.print("[red]error:[/red] --by takes: control")
        raise typer.Exit(2)
    paths = paths or []
    from vectimus.receipts.anchors import anchors_of

    try:
        given = anchors_of(key, checkpoint)
    except ValueError as exc:
        fail(str(exc), code=2)
    if not _one_log(paths):
        if given:
            fail("--key and --checkpoint anchor one log; give a fleet's anchors with --anchors FILE", code=2)
        _fleet(paths, keys=keys, fmt=fmt, output=output, sealed=sealed, anchors=anchors)
        return
    if paths:
        cwd = Path.cwd()
    else:
        from vectimus.cli.context import project_root

        cwd = project_root(None)
    from vectimus.cli.verify import require_receipts
    from vectimus.receipts.verify import resolve

    path = paths[0] if paths else None
    require_receipts(resolve(path, keys, cwd)[0], path is not None)
    log = load(path, keys, cwd=cwd, sealed=sealed, anchors=given)
    if session is not None:
        log = log.only_session(session)
    options = {"controls": _controls(cwd)} if by == "control" else {}
    _write(render(log, fmt, **options), output)
    if not log.verified:
        err_console.print("[red]✗ the receipts did not verify[/red]: see the report's verification section")
        raise typer.Exit(1)


def _fleet(paths: list[Path], *, keys: Path | None, fmt: str, output: Path | None, sealed: bool,
           anchors: Path | None) -> None:
    from vectimus.report import render_fleet
    from vectimus.report.fleet import load_fleet, read_anchors

    try:
        given = read_anchors(anchors) if anchors else {}
    except (OSError, ValueError) as exc:
        err_console.print(f"[red]error:[/red] --anchors: {escape(str(exc))}")
        raise typer.Exit(2) from None
    fleet = load_fleet(paths, keys=keys, anchors=given, sealed=sealed)
    _write(render_fleet(fleet, fmt), output)
    if not fleet.ok:
        err_console.print(f"[red]✗ {len(fleet.failed)} of {len(fleet.jobs)} log(s) did not verify[/red]"
                          if fleet.jobs else "[red]✗ no receipt log found[/red]")
        raise typer.Exit(1)


def _controls(cwd: Path) -> dict[str, list[str]]:
    """Policy id -> the controls it maps to, as the packs installed here annotate them."""
    from vectimus.cli.context import known_policies, project_root
    from vectimus.controls import controls_of

    return {pid: controls_of(p.annotations) for pid, p in known_policies(project_root(cwd)).items()}


def register(cli: typer.Typer) -> None:
    cli.command()(report)
