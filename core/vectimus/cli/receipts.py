"""``vectimus receipts prune``: retention that keeps the receipt log verifiable."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from vectimus.cli import group
from vectimus.cli.context import JSON_OPT, PROJECT_OPT, parse_duration, project_root
from vectimus.cli.output import console, fail, print_json

app = group("Look after this project's receipt log.")


@app.command("prune")
def prune(
    older_than: str = typer.Option(..., "--older-than", metavar="DURATION",
                                   help="Remove receipts older than this (90d, 12h, …): whole sealed segments only."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Say what would be removed; remove nothing."),
    project: Path | None = PROJECT_OPT,
    json_out: bool = JSON_OPT,
) -> None:
    """Remove old receipts, leaving a signed record of what went.

    Only whole segments go whose every receipt is older than --older-than and that a checkpoint
    seals; the log must verify first, and still verifies after (through the record in pruned.jsonl).
    """
    from vectimus.config import load_config
    from vectimus.locations import user_home
    from vectimus.receipts.chain import receipts_dir
    from vectimus.receipts.envelope import timestamp
    from vectimus.receipts.prune import prune as run

    root = project_root(project)
    if not receipts_dir(root).is_dir():
        fail(f"no receipt log here: {receipts_dir(root)} does not exist")
    before = timestamp(time.time() - parse_duration(older_than, "--older-than").total_seconds())
    config = load_config(root).data
    done = run(root, home=user_home(), config=config, before=before, dry_run=dry_run)
    if json_out:
        print_json({"dry_run": dry_run, "before": before, "segments": list(done.segments), "receipts": done.receipts,
                    "first": done.first if done.receipts else None, "last": done.last if done.receipts else None,
                    "kept": done.kept, "record": done.record})
        return
    if not done.receipts:
        console.print(f"Nothing to prune: no sealed segment (but the last) holds only receipts before {before}.",
                      markup=False)
        return
    verb = "Would remove" if dry_run else "Removed"
    console.print(f"{verb} {done.receipts} receipt(s), #{done.first}–#{done.last}, in {len(done.segments)} "
                  f"segment(s) ({', '.join(done.segments)}); {done.kept} kept.", markup=False, soft_wrap=True)
    if not dry_run:
        console.print("The signed record of what went is in pruned.jsonl: `vectimus verify` checks the log "
                      "from there.", markup=False, soft_wrap=True)


def register(cli: typer.Typer) -> None:
    cli.add_typer(app, name="receipts")
