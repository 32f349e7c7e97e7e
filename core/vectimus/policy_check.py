"""Check policy packs by their examples (``policy_lint`` checks their source; CLI only).

``run_examples`` installs Vectimus in a throwaway project with a throwaway HOME, puts the packs
under test into that project, and feeds every must-block / must-allow example through the exact
hook command ``vectimus init`` wrote, so the examples prove the real path.
"""

from __future__ import annotations

import shutil
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
from vectimus.sandbox import Sandbox, SandboxError, answer


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


@contextmanager
def throwaway_project(packs: list[Pack]) -> Iterator[tuple[Sandbox, str]]:
    """A throwaway project (``sandbox.Sandbox``) with Vectimus installed for Claude Code and
    ``packs`` as project packs, the MCP servers their allow examples call approved.

    Yields the sandbox and its hook command.
    """
    base = Path(tempfile.mkdtemp(prefix="vectimus-policy-test-"))
    try:
        home = base / "home"
        box = Sandbox.create(home, home / "work" / "app", {"README.md": "# app\n", "src/app.py": "print('hello')\n"})
        try:
            box.init("--agent", "claude")
            for pack in packs:
                if pack.origin != "bundled":
                    shutil.copytree(pack.path, box.root / ".vectimus" / "packs" / pack.path.name)
            servers = approved_mcp_servers([ex for pack in packs for ex in pack_examples(pack.path)])
            if servers:
                box.run("vectimus", "mcp", "allow", "--force", *servers)
            command = box.hook_command("claude")
        except SandboxError as exc:
            raise PolicyError(f"cannot install Vectimus in the throwaway project: {exc}") from None
        yield box, command
    finally:
        shutil.rmtree(base, ignore_errors=True)


def run_examples(packs: list[Pack], *, jobs: int = 4,
                 progress: Callable[[ExampleResult], None] | None = None) -> list[ExampleResult]:
    """Run every example of ``packs`` through the installed hook of a throwaway project."""
    examples: list[Example] = []
    where: list[str] = []
    for pack in packs:
        found = pack_examples(pack.path)
        if found:
            cases = pack.path / "cases.toml"
            lines, tables = cases.read_text(encoding="utf-8").splitlines(), case_lines(cases)
            examples.extend(found)
            where.extend(f"{cases}:{example_line(lines, tables, ex)}" for ex in found)
    with throwaway_project(packs) as (box, command):
        recorded = Recorded(box.root)

        def one(numbered: tuple[int, Example]) -> ExampleResult:
            n, example = numbered
            tool_use = f"toolu_example_{n}"
            decision, reason = answer(box.call(command, example.event(box.root, box.home, tool_use), example.env))
            if decision == "allow":  # let through, but perhaps observed: the receipt says
                decision, reason = recorded.get(tool_use) or (decision, reason)
            result = ExampleResult(example, decision, reason, judge(example, decision, reason), where[n])
            if progress:
                progress(result)
            return result

        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            return list(pool.map(one, enumerate(examples)))
