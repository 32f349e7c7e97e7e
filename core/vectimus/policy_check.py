"""Check policy packs: lint them (schema, ids, annotations, examples) and run their examples.

``lint`` finds every problem that would make a pack unusable or a policy fail at evaluation time.
``run_examples`` installs Vectimus in a throwaway project with a throwaway HOME, puts the packs
under test into that project, and feeds every must-block / must-allow example through the exact
hook command ``vectimus init`` wrote, so the examples prove the real path (CLI only).
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

from vectimus.examples import Example, Recorded, approved_mcp_servers, judge, pack_examples, read_cases
from vectimus.model import ACTION_KINDS, RESOURCE_TYPES, Action
from vectimus.policies import (
    Pack, PolicyError, PolicySet, build_policy_set, bundled_packs_dir, packs_in, read_pack,
)

LINT_ANNOTATIONS = ("id", "description", "suggested_alternative")
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


def lint(packs: list[Pack], *, alongside_bundled: bool = False) -> list[str]:
    """Every problem found in ``packs`` (empty when they are fit to ship)."""
    problems: list[str] = []
    try:
        extra = packs_in(bundled_packs_dir(), "bundled") if alongside_bundled else []
        policy_set = build_policy_set([*extra, *packs])
    except PolicyError as exc:
        return [str(exc)]
    names = {p.name for p in packs}
    mine = {pid: pol for pid, pol in policy_set.policies.items() if pol.pack in names}
    for pid, policy in sorted(mine.items()):
        missing = [a for a in LINT_ANNOTATIONS if not policy.annotations.get(a)]
        if missing:
            problems.append(f"{pid}: missing @{', @'.join(missing)}")
    for pack in packs:
        problems.extend(_lint_examples(pack, {pid for pid, pol in mine.items() if pol.pack == pack.name}))
    problems.extend(evaluation_errors(policy_set, set(mine)))
    return problems


def _lint_examples(pack: Pack, ids: set[str]) -> list[str]:
    path = pack.path / "cases.toml"
    if not path.exists():
        return [f"{pack.name}: no cases.toml (every policy needs must-block and must-allow examples)"]
    try:
        examples = read_cases(path, pack.name).examples
    except (ValueError, OSError) as exc:
        return [f"{pack.name}: {exc}"]
    problems = [f"{pack.name}/cases.toml: examples for unknown policy {pid}"
                for pid in sorted({e.policy for e in examples} - ids)]
    for pid in sorted(ids):
        kinds = {e.expect for e in examples if e.policy == pid}
        for kind in ("block", "allow"):
            if kind not in kinds:
                problems.append(f"{pid}: no {kind} examples in {pack.name}/cases.toml")
    for example in examples:
        if isinstance(example.spec, dict) and not isinstance(example.spec.get("tool", "Bash"), str):
            problems.append(f"{example.policy}: example with a non-string tool: {example.spec}")
    return problems


def evaluation_errors(policy_set: PolicySet, ids: set[str]) -> list[str]:
    """Policies among ``ids`` that raise an evaluation error on a neutral request of any action kind."""
    import cedarpy

    from vectimus.config import DEFAULTS, Config
    from vectimus.engine import context_of, principal
    from vectimus.model import ToolCall

    config = Config(data=DEFAULTS, project=Path("/"))
    call = ToolCall(agent="lint", tool="lint", kind="unknown", cwd="/", project_dir="/")
    problems: set[str] = set()
    requests, entities = [], [principal(config, "lint")]
    for kind in ACTION_KINDS:
        rtype = f"Vectimus::{RESOURCE_TYPES[kind]}"
        entities.append({"uid": {"type": rtype, "id": "lint"}, "attrs": {}, "parents": []})
        requests.append({"principal": {"type": "Vectimus::Agent", "id": "lint"},
                         "action": {"type": "Vectimus::Action", "id": kind},
                         "resource": {"type": rtype, "id": "lint"},
                         "context": context_of(Action(kind=kind, resource="lint"), call, config)})
    for result in cedarpy.is_authorized_batch(requests, policy_set.cedar, entities, schema=policy_set.schema):
        for error in result.diagnostics.errors:
            text = str(error)
            for token in text.replace("`", " ").replace("'", " ").split():
                policy = policy_set.policy_for(token.strip(".,:;\""))
                if policy is not None and policy.id in ids:
                    problems.add(f"{policy.id}: evaluation error: {' '.join(text.split())[:200]}")
    return sorted(problems)


@dataclass
class ExampleResult:
    """One example through the hook: what it expected, what the hook said, why it failed."""

    example: Example
    decision: str
    reason: str
    problem: str | None

    def as_dict(self) -> dict:
        return {"policy": self.example.policy, "pack": self.example.pack, "expect": self.example.expect,
                "example": self.example.label, "decision": self.decision, "reason": self.reason,
                "problem": self.problem, "ok": self.problem is None}


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
            subprocess.run([*vectimus_executable(), "mcp", "allow", *servers], cwd=root, env=env,
                           check=True, capture_output=True)
        yield root, home, _hook_command(root), env
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _hook_command(root: Path) -> str:
    from vectimus.plugins import find_agent

    claude = find_agent("claude")
    commands = claude.installed_commands(root) if claude is not None else []
    if not commands:
        raise PolicyError("vectimus init wrote no Claude Code hook")
    return commands[0]


def run_examples(packs: list[Pack], *, jobs: int = 4,
                 progress: Callable[[ExampleResult], None] | None = None) -> list[ExampleResult]:
    """Run every example of ``packs`` through the installed hook of a throwaway project."""
    examples = [ex for pack in packs for ex in pack_examples(pack.path)]
    with throwaway_project(packs) as (root, home, command, env):
        recorded = Recorded(root)

        def one(numbered: tuple[int, Example]) -> ExampleResult:
            n, example = numbered
            tool_use = f"toolu_example_{n}"
            decision, reason = _call_hook(command, example.event(root, home, tool_use), root,
                                          {**env, **example.env})
            if decision == "allow":  # let through, but perhaps observed: the receipt says
                decision, reason = recorded.get(tool_use) or (decision, reason)
            result = result_of(example, decision, reason)
            if progress:
                progress(result)
            return result

        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            return list(pool.map(one, enumerate(examples)))


def result_of(example: Example, decision: str, reason: str) -> ExampleResult:
    return ExampleResult(example, decision, reason, judge(example, decision, reason))


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


def policy_source(text: str) -> dict[str, str]:
    """Split Cedar source into its policies' text, by ``@id`` (comments between policies dropped)."""
    out: dict[str, str] = {}
    start, i, depth, n = 0, 0, 0, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == ";" and depth == 0:
            chunk = _strip_comments(text[start:i + 1])
            marker = chunk.find('@id("')
            if marker >= 0:
                pid = chunk[marker + 5:chunk.index('"', marker + 5)]
                out[pid] = chunk
            start = i + 1
        i += 1
    return out


def _strip_comments(chunk: str) -> str:
    lines = chunk.strip("\n").splitlines()
    while lines and (not lines[0].strip() or lines[0].lstrip().startswith("//")):
        lines.pop(0)
    return "\n".join(lines)

