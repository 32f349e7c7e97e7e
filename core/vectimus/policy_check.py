"""Check policy packs by their examples (``policy_lint`` checks their source; CLI only).

``run_examples`` installs Vectimus in a throwaway project with a throwaway HOME, puts the packs
under test into that project, and feeds every must-block / must-allow example through the exact
hook command ``vectimus init`` wrote, so the examples prove the real path.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from vectimus.examples import (
    Example, Recorded, approved_mcp_servers, case_lines, example_line, judge, pack_examples,
)
from vectimus.policies import Pack, PolicyError, bundled_packs_dir, packs_in, read_pack

CLEAN_ENV_PREFIXES = ("VECTIMUS_", "GITHUB_", "CLAUDE_", "CURSOR_")


def find_packs(path: Path | None, origin: str = "local") -> list[Pack]:
    """The packs at ``path`` (a pack directory or a directory of packs); the bundled ones for None."""
    if path is None:
        return packs_in(bundled_packs_dir(), "bundled")
    path = Path(path)
    if not path.is_dir():
        raise PolicyError(f"{path} is not a directory")
    if path.resolve().is_relative_to(bundled_packs_dir().resolve()):
        origin = "bundled"  # a bundled pack named by its path: it is already in every policy set
    if any(path.glob("*.cedar")):
        return [read_pack(path, origin)]
    packs = packs_in(path, origin)
    if not packs:
        raise PolicyError(f"no pack (a directory with *.cedar files) in {path}")
    return packs


@dataclass
class ExampleResult:
    """One example through the hook: what it expected, what the hook said, why it failed."""

    example: Example
    decision: str
    reason: str
    problem: str | None
    where: str = ""  # cases.toml:line

    def as_dict(self) -> dict:
        return {"policy": self.example.policy, "pack": self.example.pack, "expect": self.example.expect,
                "example": self.example.label, "where": self.where, "decision": self.decision,
                "reason": self.reason, "problem": self.problem, "ok": self.problem is None}


def clean_env(home: Path) -> dict[str, str]:
    """The environment a throwaway project runs in: its own HOME, no inherited Vectimus/CI settings."""
    from vectimus.install import vectimus_executable

    env = {k: v for k, v in os.environ.items()
           if not k.startswith(CLEAN_ENV_PREFIXES) and k not in ("CI", "TMPDIR")}
    env["HOME"] = str(home)
    bindir = str(Path(vectimus_executable()[0]).parent)
    env["PATH"] = f"{bindir}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("GIT_AUTHOR_NAME", "Vectimus")
    env.setdefault("GIT_COMMITTER_NAME", "Vectimus")
    env.setdefault("GIT_AUTHOR_EMAIL", "vectimus@example.invalid")
    env.setdefault("GIT_COMMITTER_EMAIL", "vectimus@example.invalid")
    return env


@contextmanager
def throwaway_project(packs: list[Pack]) -> Iterator[tuple[Path, Path, str, dict[str, str]]]:
    """A temporary git project with Vectimus installed for Claude Code and ``packs`` as project packs.

    Yields (project, home, hook command, environment).
    """
    from vectimus.install import vectimus_executable

    base = Path(tempfile.mkdtemp(prefix="vectimus-policy-test-"))
    try:
        home = base / "home"
        root = home / "work" / "app"
        (root / "src").mkdir(parents=True)
        (root / "README.md").write_text("# app\n")
        (root / "src" / "app.py").write_text("print('hello')\n")
        env = clean_env(home)
        subprocess.run(["git", "init", "-q"], cwd=root, env=env, check=True, capture_output=True)
        out = subprocess.run([*vectimus_executable(), "init", "--agent", "claude"], cwd=root, env=env,
                             capture_output=True, text=True)
        if out.returncode != 0:
            raise PolicyError(f"vectimus init failed in the throwaway project: {out.stderr.strip() or out.stdout.strip()}")
        for pack in packs:
            if pack.origin != "bundled":
                shutil.copytree(pack.path, root / ".vectimus" / "packs" / pack.path.name)
        servers = approved_mcp_servers([ex for pack in packs for ex in pack_examples(pack.path)])
        if servers:
            subprocess.run([*vectimus_executable(), "mcp", "allow", "--force", *servers], cwd=root, env=env,
                           check=True, capture_output=True)
        yield root, home, _hook_command(root), env
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _hook_command(root: Path) -> str:
    """The Claude Code hook command init installed in ``root``, wherever the adapter put it."""
    from vectimus.plugins import find_agent

    adapter = find_agent("claude")
    commands = adapter.installed_commands(root) if adapter is not None else []
    if not commands:
        raise PolicyError("vectimus init wrote no Claude Code hook")
    return commands[0]


def run_examples(packs: list[Pack], *, jobs: int = 4,
                 progress: Callable[[ExampleResult], None] | None = None) -> list[ExampleResult]:
    """Run every example of ``packs`` through the installed hook of a throwaway project."""
    examples, where = [], []
    for pack in packs:
        found = pack_examples(pack.path)
        if found:
            cases = pack.path / "cases.toml"
            lines, tables = cases.read_text(encoding="utf-8").splitlines(), case_lines(cases)
            examples.extend(found)
            where.extend(f"{cases}:{example_line(lines, tables, ex)}" for ex in found)
    with throwaway_project(packs) as (root, home, command, env):
        recorded = Recorded(root)

        def one(numbered: tuple[int, Example]) -> ExampleResult:
            n, example = numbered
            tool_use = f"toolu_example_{n}"
            decision, reason = _call_hook(command, example.event(root, home, tool_use), root,
                                          {**env, **example.env})
            if decision == "allow":  # let through, but perhaps observed: the receipt says
                decision, reason = recorded.get(tool_use) or (decision, reason)
            result = ExampleResult(example, decision, reason, judge(example, decision, reason), where[n])
            if progress:
                progress(result)
            return result

        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            return list(pool.map(one, enumerate(examples)))


def _call_hook(command: str, event: dict, cwd: Path, env: dict[str, str]) -> tuple[str, str]:
    out = subprocess.run(["/bin/sh", "-c", command], cwd=cwd, env=env, input=json.dumps(event).encode(),
                         capture_output=True, timeout=120)
    if out.returncode == 2:
        return "deny", out.stderr.decode(errors="replace").strip()
    if out.returncode != 0:
        return "error", f"hook exited {out.returncode}: {out.stderr.decode(errors='replace').strip()[:300]}"
    try:
        data = json.loads(out.stdout) if out.stdout.strip() else {}
    except ValueError:
        return "error", f"hook printed something that is not JSON: {out.stdout[:200]!r}"
    hso = data.get("hookSpecificOutput", {}) if isinstance(data, dict) else {}
    return hso.get("permissionDecision", "allow"), hso.get("permissionDecisionReason", "")
