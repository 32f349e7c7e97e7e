"""Compose projects (``docker compose``, ``docker-compose``, ``podman-compose`` ``up``/``run``/
``create``/``start``): the host paths their services bind-mount, read from the compose files the
command would use (``-f``, else ``compose.yaml`` … ``docker-compose.yml`` in its directory), as
``mounts`` records them for ``docker run -v``: a service given the home can read every
credential in it and delete it. ``${VAR}`` in a source is the hook's environment's value.
Standard library only (PyYAML through ``runs.yaml_data``, imported when a file is read).
"""

from __future__ import annotations

import posixpath
import re

from vectimus.analyser import argv, runs
from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.analyser.programs import mounts

DEFAULT_FILES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
STARTS = ("up", "run", "create", "start", "restart", "watch")
GLOBAL_OPTS = argv.opts("-f --file -p --project-name --project-directory --env-file --profile --ansi --parallel "
                        "--progress -c --context -H --host")
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def run(an: Analysis, cmd: Cmd, program: str, words: list[Word]) -> None:
    """``words``: the compose command line after ``compose`` (``docker compose``) or the program."""
    p = argv.parse(words, GLOBAL_OPTS, stop_at_operand=True)
    if not p.operands or p.operands[0].text not in STARTS:
        return
    folder = p.value("project-directory")
    base = an.target(folder or Word("."), cmd.scope).path
    files = p.all("f", "file") or [Word(posixpath.join(base, n)) for n in DEFAULT_FILES]
    for word in files:
        path = an.target(word, cmd.scope).path
        found = runs.source(an, cmd, path)
        if found is None:
            continue
        text, _, _ = found
        data = runs.yaml_data(text, "a compose file")
        services = data.get("services") if isinstance(data, dict) else None
        for service in services.values() if isinstance(services, dict) else ():
            for volume in service.get("volumes") or () if isinstance(service, dict) else ():
                source, readonly = _bind(volume)
                if source:
                    source = _expanded(an, source)
                    if source.startswith("."):
                        source = posixpath.normpath(posixpath.join(posixpath.dirname(path), source))
                    mounts.mount(an, cmd, program, Word(source), readonly)
        if not p.all("f", "file"):
            break  # compose reads the first default file it finds


def _bind(volume) -> tuple[str, bool]:
    """A service volume's host source (short ``SRC:DST[:ro]`` or long ``type: bind``) and read-only."""
    if isinstance(volume, str):
        parts = volume.split(":")
        if len(parts) < 2 or not parts[0].startswith(("/", ".", "~", "$")):
            return "", False
        return parts[0], len(parts) > 2 and "ro" in parts[2].split(",")
    if isinstance(volume, dict) and volume.get("type") == "bind" and isinstance(volume.get("source"), str):
        return volume["source"], bool(volume.get("read_only"))
    return "", False


def _expanded(an: Analysis, text: str) -> str:
    """``${HOME}``, ``$HOME``, ``${X:-default}`` as compose fills them in from the environment."""
    return _VARIABLE.sub(lambda m: an.env.get(m.group(1) or m.group(3)) or m.group(2) or "", text)


def standalone(an: Analysis, cmd: Cmd, name: str) -> None:
    """``docker-compose`` / ``podman-compose``: the compose command line is the program's."""
    run(an, cmd, name, list(cmd.words[1:]))


HANDLERS = {"docker-compose": standalone, "podman-compose": standalone}
