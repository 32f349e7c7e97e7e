"""What the hook does when an agent session ends: seal the receipt log, then write the CI job summary.

Every receipt sink is told the session ended (the local chain signs a checkpoint, so a cut-off
tail is detectable). Under GitHub Actions (``GITHUB_STEP_SUMMARY`` set) the session's decisions
are verified and appended to the job summary as Markdown, with the log's anchors (the signing
key's fingerprint and the final checkpoint as ``SIZE:ROOT``) and the one command that verifies the
uploaded artifact elsewhere against them. Nothing here may fail the agent's session: problems go to stderr.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from vectimus.adapter import SessionEvent

ARTIFACT_DIR = "vectimus-artifact"  # where the summary's command downloads the artifact to


def end_session(event: SessionEvent, env: dict[str, str]) -> str:
    """Seal the log for ``event``'s session and, in GitHub Actions, append the job summary.

    Never raises: returns what went wrong, one line each, for the hook's stderr ('' when all went well).
    """
    problems = []
    project = Path(event.project_dir)
    try:
        seal_session(event, env)
    except Exception as exc:
        problems.append(f"cannot seal the receipt log: {exc}")
    summary = env.get("GITHUB_STEP_SUMMARY")
    if summary:
        try:
            append_job_summary(Path(summary), project, event, env)
        except Exception as exc:
            problems.append(f"cannot write the job summary: {exc}")
    from vectimus.wording import one_line

    return "\n".join(f"vectimus: session end: {one_line(p)}" for p in problems)


def seal_session(event: SessionEvent, env: dict[str, str]) -> None:
    """Tell every receipt sink the session ended (the local chain signs a checkpoint)."""
    from vectimus.config import load_config
    from vectimus.locations import user_home
    from vectimus.plugins import receipt_sinks
    from vectimus.sinks import SinkContext

    project = Path(event.project_dir)
    ctx = SinkContext(project, user_home(env), load_config(project, env).data, env)
    for sink in receipt_sinks():
        sink.end_session(ctx, event.session_id)


def artifact_layout(project: Path, env: dict[str, str]) -> tuple[Path, dict[str, Path]]:
    """The three artifact paths and their common root, as ``actions/upload-artifact`` lays them out.

    The artifact holds each path relative to the deepest directory common to all three.
    """
    from vectimus.layout import KEYS, PROJECT_DIR, RECEIPTS
    from vectimus.locations import user_home

    paths = {"receipts": project / PROJECT_DIR / RECEIPTS, "keys": project / PROJECT_DIR / KEYS,
             "logs": user_home(env) / "logs"}
    root = Path(os.path.commonpath([str(p.resolve()) for p in paths.values()]))
    return root, paths


def verify_command(project: Path, env: dict[str, str], log) -> str:
    """The command an auditor runs to fetch this job's artifact and verify it on another machine,
    pinned to ``log``'s anchors (the key that signed it, the checkpoint that sealed it)."""
    from vectimus.report.log import verify_command_of

    root, paths = artifact_layout(project, env)
    verify = verify_command_of(log, str(Path(ARTIFACT_DIR) / paths["receipts"].resolve().relative_to(root)))
    run_id = env.get("GITHUB_RUN_ID")
    if not run_id:
        return verify
    name = env.get("VECTIMUS_ARTIFACT") or f"vectimus-{env.get('GITHUB_JOB') or 'job'}-{run_id}"
    repo = f" -R {shlex.quote(env['GITHUB_REPOSITORY'])}" if env.get("GITHUB_REPOSITORY") else ""
    return (f"gh run download {shlex.quote(run_id)}{repo} -n {shlex.quote(name)} -D {ARTIFACT_DIR} "
            f"&& {verify}")


def append_job_summary(summary: Path, project: Path, event: SessionEvent, env: dict[str, str]) -> bool:
    """Append the Markdown summary of ``event``'s session unless this exact state is already there."""
    from vectimus.receipts.chain import receipts_dir
    from vectimus.report import load
    from vectimus.report.markdown import cell, render_markdown

    if not receipts_dir(project).is_dir():
        return False  # no tool call was ever decided here: nothing to summarise or verify
    log = load(None, cwd=project)
    if event.session_id:
        log = log.only_session(event.session_id)
    marker = f"<!-- vectimus-summary {log.verification.log} {event.session_id} {log.verification.size} -->"
    try:
        if marker in summary.read_text(encoding="utf-8", errors="replace"):
            return False
    except FileNotFoundError:
        pass
    title = f"Vectimus: {event.agent} session"
    if event.session_id:
        title += f" {cell(event.session_id, code=True, limit=40)}"
    text = render_markdown(log, title=title, verify_command=verify_command(project, env, log))
    with open(summary, "a", encoding="utf-8") as fh:
        fh.write(f"\n{marker}\n{text}{sinks_markdown(project, env)}")
    return True


def sinks_markdown(project: Path, env: dict[str, str]) -> str:
    """What the receipt sinks report (e.g. decisions exported, pending, dropped), as Markdown lines."""
    from vectimus.config import load_config
    from vectimus.report.markdown import cell
    from vectimus.sink_status import sink_statuses

    try:
        states = sink_statuses(project, env, load_config(project, env).data)
    except Exception:  # a broken config is reported where it matters (every call is denied)
        return ""
    lines = [f"- {'✅' if state.get('ok') else '⚠️'} {cell(name, code=True)}: {cell(state.get('summary', ''), limit=400)}"
             for name, state in states.items()]
    return "\n**Receipt sinks**\n\n" + "\n".join(lines) + "\n" if lines else ""
