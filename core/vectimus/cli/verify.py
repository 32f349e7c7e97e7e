"""``vectimus verify [PATH]``: check a receipt log's signatures, chain and checkpoints."""

from __future__ import annotations

from pathlib import Path

import typer

from vectimus.cli.output import console, escape, fail, print_json


def verify(
    path: Path | None = typer.Argument(None, metavar="PATH", help="Receipts directory or receipt file "
                                                    "(default: this project's .vectimus/receipts/)."),
    keys: Path | None = typer.Option(None, "--keys", metavar="DIR", help="Directory of trusted *.pub keys "
                                                            "(default: keys/ beside the receipts directory)."),
    sealed: bool = typer.Option(False, "--sealed", help="Fail when receipts follow the last checkpoint "
                                                         "(use once every session has ended, e.g. in CI)."),
    key: list[str] = typer.Option([], "--key", metavar="FINGERPRINT",
                                  help="Trust only this key (repeatable), whatever the keys directory holds: "
                                       "the fingerprint recorded outside the log, e.g. by `init --ci`."),
    checkpoint: list[str] = typer.Option([], "--checkpoint", metavar="SIZE:ROOT",
                                         help="Require a signed checkpoint of exactly this size and Merkle root, "
                                              "and at least SIZE receipts (repeatable), e.g. from the job summary."),
    json_out: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Verify a receipt log: signatures, chain, checkpoints and keys.

    Also canonical form and sequence; exit 1 on any problem. Anchors recorded outside the log
    (--key, --checkpoint) catch a log re-signed with another key or cut back to a checkpoint.
    """
    from vectimus.receipts.anchors import anchors_of
    from vectimus.receipts.verify import resolve, verify as run

    try:
        anchors = anchors_of(key, checkpoint)
    except ValueError as exc:
        fail(str(exc), code=2)

    if path is None:
        from vectimus.cli.context import project_root

        cwd = project_root(None)
    else:
        cwd = Path.cwd()
    given = path is not None
    path, keys = resolve(path, keys, cwd)
    require_receipts(path, given)
    report = run(path, keys, sealed=sealed, anchors=anchors)
    if json_out:
        print_json(report.as_dict())
    else:
        _show(report)
    if not report.ok:
        raise typer.Exit(1)


def require_receipts(path: Path, given: bool) -> None:
    """Stop with a plain error when there is nothing at ``path`` to verify (before any word on keys)."""
    if path.exists():
        return
    if given:
        fail(f"{path} does not exist: nothing to verify")
    fail(f"no receipts here: {path} does not exist (`vectimus init` installs the hooks that write them; "
         "or name a receipts directory)")


def _show(report) -> None:
    from rich.table import Table

    from vectimus.receipts.anchors import format_checkpoint
    from vectimus.receipts.findings import KINDS

    grid = Table.grid(padding=(0, 2))
    pruned = f" (after {report.pruned} pruned)" if report.pruned else ""
    grid.add_row("receipts", f"{report.receipts}{pruned}  [dim]{escape(str(report.path))}[/dim]")
    grid.add_row("log", escape(str(report.log or "-")))
    grid.add_row("sessions", str(len(report.sessions)))
    grid.add_row("decisions", ", ".join(f"{k} {v}" for k, v in sorted(report.decisions.items())) or "-")
    grid.add_row("modes", ", ".join(f"{k} {v}" for k, v in sorted(report.modes.items())) or "-")
    grid.add_row("checkpoints", f"{report.checkpoints}, sealing {report.sealed_size} of {report.size} receipts")
    if report.last_checkpoint:
        grid.add_row("last checkpoint", format_checkpoint(*report.last_checkpoint))
    grid.add_row("keys", "\n".join(sorted(report.keys_used)) or "-")
    if report.anchors:
        grid.add_row("anchors", "\n".join([*(f"key {k}" for k in report.anchors.keys),
                                            *(f"checkpoint {format_checkpoint(*c)}" for c in report.anchors.checkpoints)]))
    if report.first_time:
        grid.add_row("period", f"{report.first_time} → {report.last_time}")
    console.print(grid)
    for warning in report.warnings:
        console.print(f"[yellow]warning[/yellow] {warning.kind}: {escape(warning.message)}")
    if report.ok:
        console.print("[green]✓ verified[/green]: every signature, the chain and every checkpoint hold")
        return
    first = report.failures[0]
    console.print(f"[red]✗ FAILED[/red] {report.failure_count} problem(s); first at [bold]{escape(str(first.position))}[/bold]")
    console.print(f"  [red]{first.kind}[/red]: {escape(first.message)}")
    console.print(f"  [dim]{KINDS.get(first.kind, '')}[/dim]")
    for other in report.failures[1:6]:
        console.print(f"  then {other.kind} at {other.position}: {other.message}", markup=False)


def register(cli: typer.Typer) -> None:
    cli.command()(verify)
