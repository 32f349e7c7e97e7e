"""Install and remove Vectimus in a project: hook commands, project config, trust (CLI only)."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from vectimus.adapter import AgentAdapter
from vectimus.config_edit import edit_project_config, is_trusted, table, untrust_project
from vectimus.git_exclude import keep_out_of_status, restore_status
from vectimus.locations import project_config


def vectimus_executable() -> list[str]:
    """How to start this very installation of Vectimus, as an absolute command."""
    argv0 = Path(sys.argv[0])
    if argv0.name == "vectimus" and argv0.exists():
        return [str(argv0.absolute())]
    candidate = Path(sys.prefix) / "bin" / "vectimus"
    if candidate.exists():
        return [str(candidate)]
    return [sys.executable, "-m", "vectimus"]


def hook_argv() -> list[str]:
    """How to start this installation's hook: its interpreter running ``hook_script.py`` without site."""
    script = Path(__file__).resolve().parent / "hook_script.py"
    if sys.executable and script.exists():
        return [sys.executable, "-I", "-S", str(script)]
    return [*vectimus_executable(), "hook"]


def hook_command(agent: str) -> str:
    """The shell command an agent runs for each tool call.

    It names this installation by absolute path (the agent's PATH may lack the virtualenv), and
    exits 2 with a reason if Vectimus cannot start at all: agents treat a hook that cannot run as
    "allow", exit 2 as "deny".
    """
    exe = " ".join(shlex.quote(part) for part in hook_argv())
    failed = shlex.quote(f"Vectimus hook could not run for {agent}: denied")
    return f"{exe} --agent {agent} || {{ echo {failed} >&2; exit 2; }}"


def project_root(start: Path) -> Path:
    """The project ``start`` is in, as the hook finds it (``layout.find_project_root``), resolved."""
    from vectimus.layout import find_project_root

    return Path(find_project_root(str(start))).resolve()


@dataclass
class InitResult:
    """What ``init`` did."""

    project: Path
    agents: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    mcp_allowed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    key: str = ""  # with ci: the fingerprint (key id) of the job's signing key


def init_project(project: Path, adapters: list[AgentAdapter], *, ci: bool,
                 mcp_allowed: list[str] | None = None) -> InitResult:
    """Write the project config (trusted unless the project brought an untrusted one) and install each hook."""
    result = InitResult(project=project)
    names = sorted({a.name for a in adapters})

    def mutate(doc):
        doc["agents"] = sorted({*doc.get("agents", []), *names})
        if ci:
            doc["ci"] = True
            doc["identity_type"] = "agent"
        if mcp_allowed is not None:
            mcp = table(doc, "mcp")
            mcp["allowed"] = sorted({*mcp.get("allowed", []), *mcp_allowed})

    # A config the repository brought along (cloned, never reviewed) must not become trusted just
    # because init added its own keys: edit_project_config keeps trust only where it already was.
    edit_project_config(project, mutate)
    if not is_trusted(project):
        result.notes.append(f"{project_config(project)} came with the project and is not trusted: it may "
                            "tighten policy but its loosening settings are ignored until you trust it")
    result.files.append(project_config(project))
    result.mcp_allowed = list(mcp_allowed or [])
    if ci:
        from vectimus.locations import user_home
        from vectimus.receipts.keys import ci_job_id, create_ci_key

        public = create_ci_key(user_home(), project, ci_job_id(os.environ))
        result.files.append(public)
        result.key = public.stem
    for adapter in adapters:
        result.files.extend(adapter.install(project, hook_command(adapter.name), ci=ci))
        result.agents.append(adapter.name)
        note = getattr(adapter, "install_note", None)
        if callable(note) and note(project):
            result.notes.append(note(project))
    result.notes.extend(keep_out_of_status(project, result.files))
    return result


def remove_project(project: Path, adapters: list[AgentAdapter]) -> list[Path]:
    """Remove every hook init installed and the user's trust; keep receipts, keys and config."""
    changed: list[Path] = []
    for adapter in adapters:
        changed.extend(adapter.uninstall(project))
    if project_config(project).exists():
        def mutate(doc):
            if "agents" in doc:
                doc["agents"] = []
        edit_project_config(project, mutate)
    untrust_project(project)
    restore_status(project, changed)
    return changed


def command_runs(command: str) -> bool:
    """Whether the executable an installed hook command names exists."""
    first = shlex.split(command)[0] if command.strip() else ""
    return bool(first) and (os.path.exists(first) or shutil.which(first) is not None)
