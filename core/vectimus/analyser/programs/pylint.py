"""pylint runs Python from its configuration: ``init-hook`` (code run before linting) and
``load-plugins`` (modules it imports, the project's own among them), from ``--init-hook`` and
``--load-plugins``, the ``--rcfile`` named (or ``PYLINTRC``) or the first of ``pylintrc``,
``pylintrc.toml``, ``.pylintrc``, ``.pylintrc.toml``, ``pyproject.toml`` (``[tool.pylint.*]``),
``setup.cfg`` and ``tox.ini`` (``[pylint]``, ``[pylint.*]``) in the directory it runs in, else the
user's ``~/.pylintrc`` or ``~/.config/pylintrc``. That code is analysed as part of the call, run by
the file that holds it; ``deferred`` judges such a file when it is written.
Standard library only (configparser and tomllib, imported when pylint runs or its file is written).
"""

from __future__ import annotations

import posixpath

from vectimus.analyser import argv, runs
from vectimus.analyser.context import Analysis, Cmd, Word

CONFIGS = ("pylintrc", "pylintrc.toml", ".pylintrc", ".pylintrc.toml", "pyproject.toml", "setup.cfg", "tox.ini")
RC_NAMES = ("pylintrc", "pylintrc.toml", ".pylintrc", ".pylintrc.toml")
HOME_CONFIGS = ("~/.pylintrc", "~/.config/pylintrc")
VALUE_OPTS = argv.opts("--rcfile --init-hook --load-plugins -j --jobs --output-format -f --disable -d --enable -e "
                       "--ignore --ignore-patterns --output --max-line-length --fail-under --ignore-paths")


def run(an: Analysis, cmd: Cmd, name: str) -> None:
    """``pylint [options] paths``: the code its options and configuration run."""
    p = argv.parse(cmd.words[1:], VALUE_OPTS)
    for hook in p.all("init-hook"):
        an.code("python", hook, cmd, "pylint --init-hook")
    for word in p.all("load-plugins"):
        _plugins(an, cmd, word.text, word.dynamic, "pylint --load-plugins")
    from vectimus.analyser.facts import env

    rcfile = p.value("rcfile") or env.value(cmd, "PYLINTRC")
    paths = [rcfile] if rcfile is not None else [Word(name) for name in (*CONFIGS, *HOME_CONFIGS)]
    for word in paths:
        if word.dynamic:
            runs.unread(an, cmd, "", "pylint --rcfile", runs.agent_wrote_anything(an), "a configuration named by an unknown value")
            return
        path = an.target(word, cmd.scope).path
        text, _ = runs.read(an, path)
        if text is not None and _settings(an, cmd, path, text, deferred=False):
            return  # pylint reads the first configuration it finds


def deferred(an: Analysis, cmd: Cmd, path: str, text: str) -> None:
    """A pylint configuration being written: what pylint would run from it."""
    _settings(an, cmd, path, text, deferred=True)


def _settings(an: Analysis, cmd: Cmd, path: str, text: str, deferred: bool) -> bool:
    """Analyse the init-hook and plugins ``text`` (the file at ``path``) sets; False when it holds no
    pylint configuration (pylint looks further)."""
    label, mine = runs.display(an, path), runs.by_agent(an, path)
    try:
        found = _read(posixpath.basename(path), text)
    except ValueError as exc:
        if "pylint" in text or posixpath.basename(path) in RC_NAMES:
            runs.unread(an, cmd, path, label, mine, str(exc))
            return True
        return False
    if found is None:
        return False
    hook, plugins = found
    if hook:
        runs.analyse(an, cmd, hook, "python", f"{label}:init-hook", mine, path=path)
    if plugins:
        _plugins(an, cmd, plugins, False, f"{label}:load-plugins")
    return True


def _plugins(an: Analysis, cmd: Cmd, names: str, dynamic: bool, via: str) -> None:
    """The modules ``load-plugins`` names are imported: the project's own are read as imports are."""
    if dynamic:
        runs.unread(an, cmd, "", via, runs.agent_wrote_anything(an), "plugins named by an unknown value")
        return
    modules = [m.strip() for m in names.split(",") if m.strip()]
    if modules:
        an.code("python", Word("\n".join(f"import {m}" for m in modules if m.replace(".", "").replace("_", "").isalnum())),
                cmd, via)


def _read(name: str, text: str) -> tuple[str, str] | None:
    """(init-hook, load-plugins) of a configuration's text, None when it has no pylint section;
    ValueError when it cannot be read."""
    sections: dict = {}
    if name.endswith(".toml"):
        import tomllib

        try:
            tool = tomllib.loads(text).get("tool", {})
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{name} that is not TOML ({exc})") from exc
        pylint = tool.get("pylint") if isinstance(tool, dict) else None
        if not isinstance(pylint, dict):
            return None
        sections = {k: v for k, v in pylint.items() if isinstance(v, dict)}
    else:
        import configparser

        parser = configparser.ConfigParser(interpolation=None, strict=False)
        try:
            parser.read_string(text)
        except configparser.Error as exc:
            raise ValueError(f"a configuration that is not INI ({str(exc).splitlines()[0]})") from exc
        shared = name in ("setup.cfg", "tox.ini")  # other tools' file: only its pylint sections
        sections = {s: dict(parser[s]) for s in parser.sections()
                    if not shared or s == "pylint" or s.startswith("pylint.")}
        if shared and not sections:
            return None
    hook = plugins = ""
    for values in sections.values():
        hook = hook or _text(values.get("init-hook"))
        plugins = plugins or _text(values.get("load-plugins"))
    return hook.strip().strip("'\"") if hook else "", plugins


def _text(value) -> str:
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value) if value is not None else ""


HANDLERS = {"pylint": run}
