"""Tools a git hook starts that run commands from the project's configuration: lint-staged (the
``lint-staged`` key of ``package.json``, or a ``.lintstagedrc``) and lefthook (``lefthook.yml``).
A repository's ``.husky/pre-commit`` is often just ``npx lint-staged``: what runs is in the
configuration, which is read here and analysed as shell code run by that file. ``commands`` gives
the same commands for a file being written (``writes``).
Standard library only (PyYAML for YAML configuration, imported when one is read).
"""

from __future__ import annotations

import json

from vectimus.analyser import argv, runs
from vectimus.analyser.context import Analysis, Cmd, Unanalysable, Word

LINT_STAGED_FILES = (".lintstagedrc", ".lintstagedrc.json", ".lintstagedrc.yaml", ".lintstagedrc.yml")
LINT_STAGED_CODE = (".lintstagedrc.js", ".lintstagedrc.cjs", ".lintstagedrc.mjs", "lint-staged.config.js",
                    "lint-staged.config.cjs", "lint-staged.config.mjs")
LEFTHOOK_FILES = ("lefthook.yml", "lefthook.yaml", ".lefthook.yml", ".lefthook.yaml", "lefthook-local.yml",
                  "lefthook-local.yaml")
PACKAGE_KEYS = ("lint-staged", "husky", "simple-git-hooks")  # package.json keys holding commands


def commands(name: str, text: str) -> list[tuple[str, str]]:
    """(label, shell text) of every command a lint-staged, lefthook or ``package.json`` (its hook
    keys) configuration may run; Unanalysable when it cannot be parsed."""
    if name == "package.json":
        try:
            data = json.loads(text.removeprefix("\ufeff"))
        except (ValueError, RecursionError):
            return []
        data = data if isinstance(data, dict) else {}
        return [(f"{key}:{label}", command) for key in PACKAGE_KEYS
                for label, command in _strings(data.get(key, {}) if key != "husky" else
                                               (data.get("husky") or {}).get("hooks", {}))]
    data = runs.yaml_data(text, name) if not name.endswith(("rc", ".json")) else _json_or_yaml(text, name)
    if name in LEFTHOOK_FILES:
        return [(f"{hook}:{label}", command) for hook, spec in (data.items() if isinstance(data, dict) else ())
                if isinstance(spec, dict) for label, command in _lefthook(str(hook), spec)]
    return _strings(data)


def lint_staged(an: Analysis, cmd: Cmd, name: str) -> None:
    """``lint-staged`` (what ``npx lint-staged`` in a pre-commit hook runs): its configuration's commands."""
    p = argv.parse(cmd.words[1:], argv.opts("-c --config -p --concurrent --cwd --diff --diff-filter"))
    given = p.value("c", "config")
    names = [given.text] if given is not None and not given.dynamic else \
        ["package.json", *LINT_STAGED_FILES, *LINT_STAGED_CODE]
    _run_config(an, cmd, names)


def lefthook(an: Analysis, cmd: Cmd, name: str) -> None:
    """``lefthook run HOOK``: the commands, scripts and jobs its configuration names for the hook."""
    p = argv.parse(cmd.words[1:], frozenset(), stop_at_operand=True)
    if p.operands[:1] and p.operands[0].text in ("run", "execute"):
        hook = p.operands[1].text if len(p.operands) > 1 else ""
        _run_config(an, cmd, list(LEFTHOOK_FILES), hook)


def _run_config(an: Analysis, cmd: Cmd, names: list[str], hook: str = "") -> None:
    for name in names:
        path = an.target(Word(f"{an.places.project}/{name}"), cmd.scope).path if not name.startswith("/") else name
        if name in LINT_STAGED_CODE:  # code that builds the configuration runs when it is loaded
            runs.run_file(an, cmd, Word(path), runner="node")
            continue
        found = runs.source(an, cmd, path)
        if found is None:
            continue
        text, label, mine = found
        try:
            found_commands = commands(name.rsplit("/", 1)[-1], text)
        except Unanalysable as exc:
            runs.unread(an, cmd, path, label, mine, str(exc))
            continue
        for where, command in found_commands:
            if not hook or where.startswith(f"{hook}:") or name == "package.json":
                runs.analyse(an, cmd, command, "shell", f"{label}:{where}", mine, path=path)


def _json_or_yaml(text: str, name: str):
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return runs.yaml_data(text, name)


def _strings(data, label: str = "") -> list[tuple[str, str]]:
    """Every string under ``data`` (a glob's command or list of commands), with its key."""
    if isinstance(data, str):
        return [(label, data)]
    if isinstance(data, dict):
        return [found for key, value in data.items() for found in _strings(value, str(key))]
    if isinstance(data, list):
        return [found for value in data for found in _strings(value, label)]
    return []


def _lefthook(hook: str, spec: dict) -> list[tuple[str, str]]:
    """A lefthook hook's commands (``run``), scripts (``runner`` and the script in
    ``.lefthook/HOOK/``) and jobs."""
    out = []
    for key in ("commands", "scripts"):
        entries = spec.get(key)
        for label, entry in entries.items() if isinstance(entries, dict) else ():
            if isinstance(entry, dict) and isinstance(entry.get("run"), str):
                out.append((str(label), entry["run"]))
            if key == "scripts" and isinstance(entry, dict) and isinstance(entry.get("runner"), str):
                out.append((str(label), f"{entry['runner']} .lefthook/{hook}/{label}"))
    jobs = spec.get("jobs")
    for job in jobs if isinstance(jobs, list) else ():
        if isinstance(job, dict) and isinstance(job.get("run"), str):
            out.append((str(job.get("name", "job")), job["run"]))
    return out


HANDLERS = {"lint-staged": lint_staged, "lefthook": lefthook}
