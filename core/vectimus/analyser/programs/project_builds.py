"""The project's own build code, run by the tools that install or build the project itself.

``uv sync``, ``uv run`` and ``uv build``, ``poetry install``/``build``, ``pdm install``/``sync``/
``build``, ``hatch build`` and the ``hatch run``/``shell``/``env create`` that install it, ``rye
sync``/``build``: each builds the project whose ``pyproject.toml`` is nearest (or the one
``--project``/``--directory`` names), so its ``setup.py`` and hatch build hook run, as they do for
``pip install -e .`` (``local_build``, which every installer of a local project calls). The flags that leave the project out
(``--no-install-project``, ``--no-root``, ``--no-self`` …) leave it out here too.
"""

from __future__ import annotations

import json

from vectimus.analyser import argv
from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.model import Action, PackageFacts

BUILDS = {"uv": ("sync", "run", "build"), "poetry": ("install", "build", "sync"),
          "pdm": ("install", "sync", "build"), "hatch": ("build", "run", "shell", "env"),
          "rye": ("sync", "build", "run")}
LEAVE_OUT = ("no-project", "no-install-project", "no-sync", "no-root", "no-self", "only-deps", "dry-run",
             "no-editable-project")  # (--no-editable still installs it)
DIR_OPTIONS = {"uv": ("project", "directory"), "poetry": ("C", "directory", "P", "project"),
               "pdm": ("p", "project")}
VALUE_OPTS = argv.opts("--project --directory -C -P -p --python --with --group --extra --package --env -e "
                       "--with-editable --only --without -G --cache-dir --config-file --color -o --out-dir --target -t "
                       "--index --index-url --extra-index-url --lockfile -L --venv")


def builds(an: Analysis, cmd: Cmd, manager: str, words) -> None:
    """Run the project's build code when ``manager words`` installs or builds the project itself."""
    p = argv.parse(list(words), VALUE_OPTS, stop_at_operand=True)
    if not p.operands:
        return
    sub = p.operands[0].text
    words = list(words)
    after = next(i for i, w in enumerate(words) if w is p.operands[0]) + 1  # (the word itself: a value may repeat it)
    rest = argv.parse(words[after:], VALUE_OPTS, stop_at_operand=sub == "run")
    _named_projects(an, cmd, manager, sub, p, rest)
    if sub not in BUILDS.get(manager, ()) or p.has(*LEAVE_OUT) or rest.has(*LEAVE_OUT) or (
            manager == "hatch" and sub == "env" and (not rest.operands or rest.operands[0].text != "create")):
        return
    dirs = DIR_OPTIONS.get(manager, ())
    given = p.value(*dirs) or rest.value(*dirs) if dirs else None
    if given is None and manager == "uv" and sub == "build" and rest.operands:
        given = rest.operands[0]  # (`uv build pkg`: the source directory)
    if given is not None and given.dynamic:
        from vectimus.analyser import runs

        runs.unread(an, cmd, "", f"{manager} {sub}", runs.agent_wrote_anything(an), "a project named by an unknown value")
        return
    from vectimus.analyser.programs import tasks

    scope = cmd.moved([given]) if given is not None else cmd
    found = tasks.nearest(an, scope, ("pyproject.toml", "setup.py"))
    if found:
        local_build(an, cmd, Word(found.rsplit("/", 1)[0] or "/"), "pip")


def _named_projects(an: Analysis, cmd: Cmd, manager: str, sub: str, p: argv.Parsed, rest: argv.Parsed) -> None:
    """Local projects the command installs besides its own: ``uv run --with ./pkg`` (and
    ``--with-editable``), ``pdm add ./pkg`` / ``pdm add -e ./pkg``; each is built."""
    from vectimus.analyser.programs import requirements

    if manager == "uv" and sub == "run":
        named = [Word(t, w.dynamic) for w in (*p.all("with", "with-editable"), *rest.all("with", "with-editable"))
                 for t in w.text.split(",")]
    elif manager == "pdm" and sub == "add":
        named = [*rest.operands, *rest.all("e", "editable")]
    else:
        return
    for word in named:
        if not word.dynamic and requirements.local(word.text):
            local_build(an, cmd, word, "pip")


# What installing a local project runs: its build code (pip) or lifecycle scripts (npm).
BUILD_FILES = ("setup.py", "hatch_build.py")  # (and what the build backend names: build_backend)
NPM_INSTALL_SCRIPTS = ("preinstall", "install", "postinstall", "prepare")


def local_build(an: Analysis, cmd: Cmd, word: Word, family: str) -> None:
    """A local project installed (``pip install -e .``, ``npm install ./pkg``) runs its own code:
    ``setup.py``, a hatch build hook and an in-tree build backend, or the install scripts of its
    ``package.json``; a Python one also installs the Vectimus packages it ships or pins to a source of its own."""
    from vectimus.analyser import runs

    if family in ("pip", "poetry"):  # (`pip install -e '.[dev]'`, `file:///src/x`, `x @ file:///src/x`)
        from vectimus.analyser.programs import requirements

        word = Word(requirements.local_folder(word.text), word.dynamic)
    folder = an.target(word, cmd.scope)
    if not folder.is_dir:
        return
    if family in ("pip", "poetry"):
        for name in BUILD_FILES:
            runs.run_file(an, cmd, Word(f"{folder.path}/{name}"), runner="python")
        from vectimus.analyser.programs import build_backend

        build_backend.in_tree(an, cmd, folder.path)

        for name in requirements.vectimus_shipped(an, cmd, folder.path):
            an.add(Action(kind="package", resource=f"pip:{name} in {word.text}", program=cmd.words[0].text,
                          pkg=PackageFacts(manager="pip", op="install", names=(name,), source="path"),
                          via=cmd.via, raw=cmd.raw))
    elif family == "npm":
        path = f"{folder.path}/package.json"
        text, _ = runs.read(an, path)
        try:
            scripts = json.loads((text or "{}").removeprefix("\ufeff")).get("scripts") or {}
        except (ValueError, AttributeError, RecursionError):
            runs.unread(an, cmd, path, runs.display(an, path), runs.by_agent(an, path), "a package.json that is not JSON")
            return
        for name in NPM_INSTALL_SCRIPTS:
            body = scripts.get(name) if isinstance(scripts, dict) else None
            if isinstance(body, str) and body.strip():
                runs.analyse(an, cmd, body, "shell", f"{runs.display(an, path)}:{name}", runs.by_agent(an, path),
                             path=path)


def _tool(an: Analysis, cmd: Cmd, name: str) -> None:
    builds(an, cmd, name, cmd.words[1:])


HANDLERS = {"pdm": _tool, "hatch": _tool, "rye": _tool}
