"""``npm pkg set KEY=VALUE …`` edits package.json: the file as it will be is judged as a write of it
(its scripts are code that runs later: a lifecycle script at the next install, by anyone), so
``npm pkg set scripts.postinstall='curl … @.env'`` is what writing that package.json is.
Standard library only (json, imported when npm edits a package.json).
"""

from __future__ import annotations

from vectimus.analyser import argv, runs
from vectimus.analyser.context import Analysis, Cmd

MAX_KEYS = 64  # KEY=VALUE pairs one command sets


def run(an: Analysis, cmd: Cmd, name: str) -> None:
    """``npm pkg set``: judge package.json with the values set."""
    p = argv.parse(cmd.words[1:], argv.opts("--prefix -C --workspace -w"))
    ops = p.operands
    if name != "npm" or len(ops) < 3 or [w.text for w in ops[:2]] != ["pkg", "set"] or cmd.scope.cwd_dynamic:
        return
    from vectimus.analyser.programs.tasks import nearest

    path = nearest(an, cmd, ("package.json",))
    if not path or any(w.dynamic for w in ops[2:]):
        return
    text, _ = runs.read(an, path)
    edited = _set(text, [w.text for w in ops[2:MAX_KEYS + 2]], p.has("json"))
    if edited is not None:
        from vectimus.analyser import writes

        writes.written(an, cmd, path, edited)


def _set(text: str | None, pairs: list[str], as_json: bool) -> str | None:
    """package.json's text with each ``a.b.c=value`` set; None when it cannot be read or edited."""
    import json

    try:
        data = json.loads((text or "{}").removeprefix("\ufeff"))
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    for pair in pairs:
        key, eq, value = pair.partition("=")
        if not eq or not key:
            return None
        try:
            parsed = json.loads(value) if as_json else value
        except ValueError:
            parsed = value
        *parents, last = key.split(".")
        node = data
        for part in parents:
            node = node.setdefault(part, {}) if isinstance(node, dict) else None
            if not isinstance(node, dict):
                return None
        node[last] = parsed
    return json.dumps(data, indent=2)
