"""``vectimus policy lint``: every problem in a set of packs, in one pass, by ``@id`` and ``file:line``.

Each policy is checked on its own (split out of its file by ``policy_source``), so one that does
not parse or validate hides nothing after it: syntax, required annotations, ``@enforcement``,
compliance-control ids, schema validation, duplicate ids, evaluation errors on a neutral
request of every action kind, and must-block / must-allow examples in ``cases.toml`` (CLI only).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from vectimus.config import ENFORCEMENTS
from vectimus.controls import control_problems
from vectimus.examples import case_lines, read_cases
from vectimus.model import ACTION_KINDS, RESOURCE_TYPES, Action
from vectimus.policies import (
    BASE_POLICY, BASE_POLICY_ID, Pack, Policy, PolicySet, bundled_packs_dir, packs_in, schema_path,
)
from vectimus.policy_source import Chunk, policy_chunks
from vectimus.records import Record

# Every policy must carry these (CONTRIBUTING, "Writing a policy"); the hook itself refuses to load
# a policy without @id or @description (policies.REQUIRED_ANNOTATIONS).
REQUIRED = ("id", "description", "suggested_alternative")
_CEDAR_ID = re.compile(r"`?policy(\d+)`?")
_ACTION = re.compile(r' for Vectimus::Action::"([a-z_]+)"')


class Problem(Record):
    """One problem: where (``file:line``), which policy (its ``@id``, or '' for a whole file), what."""

    file: str
    line: int
    policy: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.policy}: {self.message}" if self.policy else f"{where}: {self.message}"

    def as_dict(self) -> dict:
        return {**self._asdict(), "text": str(self)}


class Checked(Record):
    """A policy that parsed: its chunk, file and pack, and its annotations."""

    chunk: Chunk
    file: Path
    pack: Pack
    annotations: dict


def lint(packs: list[Pack], *, alongside_bundled: bool = False) -> list[Problem]:
    """Every problem found in ``packs`` (empty when they are fit to ship), in file order.

    ``alongside_bundled``: the packs will run beside the bundled ones, so their ids must not clash.
    """
    from vectimus.native import cedarpy as load_cedarpy

    cedarpy = load_cedarpy()
    schema = schema_path().read_text(encoding="utf-8")
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    if alongside_bundled:
        mine = {p.path.resolve() for p in packs}
        for pack in packs_in(bundled_packs_dir(), "bundled"):
            if pack.path.resolve() not in mine:
                for file in pack.policy_files():
                    for chunk in policy_chunks(file.read_text(encoding="utf-8")):
                        seen.setdefault(chunk.id, f"{file}:{chunk.line}")
    valid: list[Checked] = []
    for pack in packs:
        ids: set[str] = set()
        for file in pack.policy_files():
            for chunk in policy_chunks(file.read_text(encoding="utf-8")):
                found = _check_policy(cedarpy, schema, chunk, file, pack, seen, problems)
                if chunk.id:
                    ids.add(chunk.id)
                if found:
                    valid.append(found)
        problems.extend(_lint_examples(pack, ids))
    problems.extend(_evaluation_problems(cedarpy, valid))
    return sorted(problems, key=lambda p: (p.file, p.line))


def _check_policy(cedarpy, schema: str, chunk: Chunk, file: Path, pack: Pack, seen: dict[str, str],
                  problems: list[Problem]):
    """Check one policy; its ``Checked`` record when it is fit for the evaluation check, else None."""
    def problem(message: str) -> None:
        problems.append(Problem(str(file), chunk.line, chunk.id, message))

    try:
        parsed = json.loads(cedarpy.policies_to_json_str(chunk.text))
    except ValueError as exc:
        problem(f"does not parse: {' '.join(str(exc).split())}")
        return None
    if parsed.get("templates"):
        problem("policy templates are not supported")
        return None
    static = list(parsed.get("staticPolicies", {}).values())
    if len(static) != 1:
        problem(f"expected one policy here, found {len(static)}")
        return None
    annotations = static[0].get("annotations", {})
    before = len(problems)
    missing = [a for a in REQUIRED if not annotations.get(a)]
    if missing:
        problem(f"missing @{', @'.join(missing)}")
    if annotations.get("enforcement", "deny") not in ENFORCEMENTS:
        problem(f"@enforcement({annotations['enforcement']!r}) is not one of {', '.join(ENFORCEMENTS)}")
    for message in control_problems(annotations):
        problem(message)
    if chunk.id:
        if chunk.id in seen:
            problem(f"duplicate policy id {chunk.id} (also at {seen[chunk.id]})")
        seen.setdefault(chunk.id, f"{file}:{chunk.line}")
    result = cedarpy.validate_policies(chunk.text, schema)
    if not result.validation_passed:
        for message in _validation_messages(result.errors, chunk.id):
            problem(f"fails schema validation: {message}")
    return Checked(chunk, file, pack, annotations) if len(problems) == before and chunk.id else None


def _validation_messages(errors, policy_id: str) -> list[str]:
    """Cedar's validation errors, one line each, named by ``@id``; the same error for several
    actions is reported once, listing them."""
    by_text: dict[str, list[str]] = {}
    for error in errors or ["invalid"]:
        text = " ".join(str(error).split())
        text = re.sub(r"^\[policy\d+\] (for policy `policy\d+`, )?", "", text)
        text = _CEDAR_ID.sub(policy_id or "this policy", text)
        actions = _ACTION.findall(text)
        by_text.setdefault(_ACTION.sub("", text), []).extend(actions)
    return [text + (f" (for action {', '.join(dict.fromkeys(actions))})" if actions else "")
            for text, actions in by_text.items()]


def _lint_examples(pack: Pack, ids: set[str]) -> list[Problem]:
    """Every policy of ``pack`` needs must-block and must-allow examples, and nothing else may have any."""
    path = pack.path / "cases.toml"
    if not path.exists():
        return [Problem(str(path), 0, "", "missing: every policy needs must-block and must-allow examples")]
    try:
        examples = read_cases(path, pack.name).examples
    except (ValueError, OSError) as exc:
        return [Problem(str(path), 0, "", str(exc))]
    lines = case_lines(path)
    problems = [Problem(str(path), lines.get(pid, 0), pid, "examples for a policy no .cedar file of the pack defines")
                for pid in sorted({e.policy for e in examples} - ids)]
    for pid in sorted(ids):
        kinds = {e.expect for e in examples if e.policy == pid}
        for kind in ("block", "allow"):
            if kind not in kinds:
                problems.append(Problem(str(path), lines.get(pid, 0), pid, f"no {kind} examples"))
    for example in examples:
        if isinstance(example.spec, dict) and not isinstance(example.spec.get("tool", "Bash"), str):
            problems.append(Problem(str(path), lines.get(example.policy, 0), example.policy,
                                    f"example with a non-string tool: {example.spec}"))
    return problems


def _evaluation_problems(cedarpy, valid: list[Checked]) -> list[Problem]:
    """Policies that raise an evaluation error on a neutral request of any action kind."""
    if not valid:
        return []
    policies = {c.chunk.id: Policy(c.chunk.id, c.pack.name, c.annotations, str(c.file)) for c in valid}
    text = BASE_POLICY + "".join(f"\n{c.chunk.text}\n" for c in valid)
    policy_set = PolicySet(policies, [BASE_POLICY_ID, *policies], text, "lint")
    where = {c.chunk.id: c for c in valid}
    return [Problem(str(where[pid].file), where[pid].chunk.line, pid, f"evaluation error: {message}")
            for pid, message in evaluation_errors(cedarpy, policy_set)]


def evaluation_errors(cedarpy, policy_set: PolicySet) -> list[tuple[str, str]]:
    """``(policy id, error)`` for each policy that errors on a neutral request of some action kind."""
    from vectimus.config import DEFAULTS, Config
    from vectimus.engine import context_of, principal
    from vectimus.model import ToolCall

    config = Config(data=DEFAULTS, project=Path("/"))
    call = ToolCall(agent="lint", tool="lint", kind="unknown", cwd="/", project_dir="/")
    requests, entities = [], [principal(config, "lint")]
    for kind in ACTION_KINDS:
        rtype = f"Vectimus::{RESOURCE_TYPES[kind]}"
        entities.append({"uid": {"type": rtype, "id": "lint"}, "attrs": {}, "parents": []})
        requests.append({"principal": {"type": "Vectimus::Agent", "id": "lint"},
                         "action": {"type": "Vectimus::Action", "id": kind},
                         "resource": {"type": rtype, "id": "lint"},
                         "context": context_of(Action(kind=kind, resource="lint"), call, config)})
    found: dict[str, str] = {}
    for result in cedarpy.is_authorized_batch(requests, policy_set.cedar, entities, schema=policy_set.schema):
        for error in result.diagnostics.errors:
            text = " ".join(str(error).split())
            for match in _CEDAR_ID.finditer(text):
                policy = policy_set.policy_for(f"policy{match.group(1)}")
                if policy is not None:
                    found.setdefault(policy.id, _CEDAR_ID.sub(policy.id, text)[:200])
    return sorted(found.items())
