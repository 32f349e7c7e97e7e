"""tox: what the test environments ``tox`` runs will run, from the project's tox configuration.

The configuration is the first of ``tox.ini``, ``setup.cfg`` (``[tox:tox]``), ``pyproject.toml``
(``[tool.tox]``, or its ``legacy_tox_ini`` text) and ``tox.toml`` in the command's directory or a
parent (``-c`` names one). Each environment that runs (``-e``, ``TOXENV``, else ``env_list``)
installs its ``deps`` with its ``install_command``, installs the project (its build code runs)
unless it skips that, and runs each line of ``commands_pre``, ``commands`` and ``commands_post``
as a program with its arguments — split into words as a POSIX shell would, but run by no shell —
with its ``set_env`` in the environment and ``change_dir`` as the directory. Factor conditions
(``py311,lint: cmd``) select lines by the environment's name; ``{posargs}``, ``{env:KEY}``,
``{[section]key}`` and the directory substitutions are expanded; anything else is unknown.
Standard library only (configparser and tomllib, imported when a tox command runs).
"""

from __future__ import annotations

import os
import re
import shlex

from vectimus.analyser import argv, runs
from vectimus.analyser.context import Analysis, Cmd, Unanalysable, Word
from vectimus.analyser.programs import project_builds, tasks

CONFIG_NAMES = ("tox.ini", "setup.cfg", "pyproject.toml", "tox.toml")
VALUE = argv.opts("-e --envlist -c --conf --root --workdir -m -f -x --override -r --recreate-pkg -p "
                  "--parallel --installpkg --discover --hashseed -o --result-json --exit-and-dump-after "
                  "--colored --runner --skip-env -i --index-url")
NO_RUN = frozenset(("list", "l", "config", "c", "depends", "de", "schema", "quickstart", "q", "legacy-list"))
NO_RUN_FLAGS = ("l", "listenvs", "a", "listenvs-all", "showconfig", "help", "h", "version", "help-ini", "hi")
COMMAND_KEYS = ("commands_pre", "commands", "commands_post")
MAX_ENVS = 64            # environments one tox command (or one file written) runs; past it, unread
MAX_EXPANSION = 8        # {[section]key} references followed within one another
# A factor condition before a command line: `py311,lint: cmd`, `!ci: cmd`, `py{310,311}-django: cmd`.
_CONDITION = re.compile(r"^([\w!{},.\-]+):\s+(.*)$", re.S)
_SUBSTITUTION = re.compile(r"\{([^{}]*)\}")
_UNKNOWN = "\x00"        # where an unknown substitution stands, until the words are quoted


class Config:
    """A tox configuration: environment names listed, and each section's settings (raw text)."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.env_list: list[str] = []
        self.base: dict[str, object] = {}            # settings every environment starts from
        self.envs: dict[str, dict[str, object]] = {}  # an environment's own settings
        self.sections: dict[str, dict[str, object]] = {}  # every ini section, for {[section]key}

    def setting(self, env: str, key: str, old: str = ""):
        """An environment's setting (its own section's, else the base's; ``old`` is tox 3's name)."""
        for section in (self.envs.get(env, {}), self.base):
            for name in (key, old):
                if name and name in section:
                    return section[name]
        return None


def parse(name: str, text: str, root: str) -> Config | None:
    """The tox configuration in the file ``name`` holding ``text`` (None when it holds none;
    ValueError when tox cannot read it)."""
    if name == "tox.toml" or (name == "pyproject.toml" and "tool" in text and "tox" in text):
        import tomllib

        data = tomllib.loads(text)
        if name == "pyproject.toml":
            data = data.get("tool", {}).get("tox")
            if not isinstance(data, dict):
                return None
            legacy = data.get("legacy_tox_ini")
            if isinstance(legacy, str):
                return _ini(legacy, root, "tox")
        return _toml(data, root)
    if name == "setup.cfg":
        return _ini(text, root, "tox:tox") if "[tox:tox]" in text else None
    if name == "tox.ini":
        return _ini(text, root, "tox")
    return None


def _ini(text: str, root: str, top: str) -> Config:
    import configparser

    parser = configparser.ConfigParser(interpolation=None, strict=False, comment_prefixes=("#", ";"),
                                       inline_comment_prefixes=None, empty_lines_in_values=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        raise ValueError(exc.message) from None
    config = Config(root)
    for section in parser.sections():
        values: dict[str, object] = {key: value.replace("\\\n", " ")
                                     for key, value in parser.items(section, raw=True)}
        config.sections[section] = values
        if section in ("testenv", "tox:testenv"):
            config.base = values
        elif section.startswith(("testenv:", "tox:testenv:")):
            config.envs[section.rsplit("testenv:", 1)[1]] = values
    head = config.sections.get(top, {})
    listed = head.get("env_list", head.get("envlist", ""))
    config.env_list = _names(str(listed))
    return config


def _toml(data: dict, root: str) -> Config:
    config = Config(root)
    base = data.get("env_run_base")
    config.base = base if isinstance(base, dict) else {}
    envs = data.get("env")
    config.envs = {k: v for k, v in envs.items() if isinstance(v, dict)} if isinstance(envs, dict) else {}
    listed = data.get("env_list")
    config.env_list = [n for item in listed if isinstance(item, str) for n in _names(item)] \
        if isinstance(listed, list) else []
    return config


def _names(listed: str) -> list[str]:
    """Environment names of an ``env_list`` (``py{310,311}-django{4,5}, lint`` generates four and one)."""
    out: list[str] = []
    for part in re.split(r"[,\s]+(?![^{]*\})", listed):
        part = part.strip()
        if part:
            out.extend(_braces(part))
    return out[:MAX_ENVS + 1]


def _braces(text: str) -> list[str]:
    match = re.search(r"\{([^{}]*)\}", text)
    if match is None:
        return [text]
    out: list[str] = []
    for choice in match.group(1).split(","):
        out.extend(_braces(text[:match.start()] + choice.strip() + text[match.end():]))
        if len(out) > MAX_ENVS:
            break
    return out


# -- the command -----------------------------------------------------------------------------

def run(an: Analysis, cmd: Cmd, name: str) -> None:
    """``tox [run|exec|…] [-e ENVS] [-- posargs]``: what each environment that runs will run."""
    from vectimus.analyser.facts import env

    words = list(cmd.words[1:])
    posargs: list[str] = []
    if Word("--") in words:
        cut = words.index(Word("--"))
        posargs, words = [w.text if not w.dynamic else _UNKNOWN for w in words[cut + 1:]], words[:cut]
    p = argv.parse(words, VALUE)
    sub = p.operands[0].text if p.operands and not p.operands[0].dynamic else ""
    if sub in NO_RUN or any(p.has(flag) for flag in NO_RUN_FLAGS):
        return
    cmd = cmd.moved(p.all("root"))
    found = _config(an, cmd, p.value("c", "conf"))
    if found is None:
        return
    path, label, mine, config = found
    chosen = p.value("e", "envlist")
    if chosen is None:
        chosen = env.value(cmd, "TOXENV") or (Word(an.env["TOXENV"]) if "TOXENV" in an.env else None)
    if chosen is not None and chosen.dynamic:
        runs.unread(an, cmd, path, label, mine, "environments named by an unknown value")
        return
    names = _names(chosen.text) if chosen is not None else config.env_list
    if not names or any(n.upper() == "ALL" for n in names) or p.has("m", "f"):
        names = _every(config)
    if len(names) > MAX_ENVS:
        runs.unread(an, cmd, path, label, mine, f"more than {MAX_ENVS} environments")
        return
    runs_exec = sub in ("exec", "e")
    commands = sub not in ("devenv", "d") and not runs_exec and not p.has("notest", "n", "devenv")
    for env_name in names:
        environment(an, cmd, config, env_name, posargs, label, mine, path, commands=commands,
                    exec_words=posargs if runs_exec else None)
    if not _skips_install(config, names):
        project_builds.local_build(an, cmd, Word(config.root), "pip")  # the project is built and installed


def _every(config: Config) -> list[str]:
    """Every environment the configuration names (``env_list`` and each environment section)."""
    return list(dict.fromkeys([*config.env_list, *config.envs])) or ["py"]


def _config(an: Analysis, cmd: Cmd, given: Word | None):
    """(path, label, mine, Config) of the configuration tox reads, or None (recorded when unreadable)."""
    if given is not None:
        target = an.target(given, cmd.scope)
        if target.is_dir:
            candidates = [f"{target.path}/{n}" for n in CONFIG_NAMES]
        else:
            candidates = [target.path]
    else:
        folder = tasks.nearest(an, cmd, CONFIG_NAMES)
        candidates = [f"{os.path.dirname(folder)}/{n}" for n in CONFIG_NAMES] if folder else []
    for path in candidates:
        if not an.target(Word(path), cmd.scope).exists:
            continue
        found = runs.source(an, cmd, path)
        if found is None:
            return None
        text, label, mine = found
        try:
            config = parse(os.path.basename(path), text.removeprefix("\ufeff"), os.path.dirname(path))
        except ValueError as exc:  # configparser's and tomllib's errors are ValueErrors
            runs.unread(an, cmd, path, label, mine, f"tox configuration tox cannot read ({str(exc)[:60]})")
            return None
        if config is not None:
            return path, label, mine, config
    return None


def environment(an: Analysis, cmd: Cmd, config: Config, env_name: str, posargs: list[str], label: str,
                mine: bool, path: str, *, commands: bool = True, exec_words: list[str] | None = None) -> None:
    """What creating and running the environment ``env_name`` runs (its deps installed, its
    commands), analysed as one shell text."""
    values = {"posargs": posargs, "environ": an.env}
    lines = [f"export {key}={_word(value)}" for key, value in _set_env(config, env_name, values).items()]
    change = config.setting(env_name, "change_dir", "changedir")
    lines.append(f"cd {_word(_expand(config, env_name, str(change), values, 0)) if change else _word(config.root)}")
    install = config.setting(env_name, "install_command")
    deps = [word for line in _lines(config, env_name, "deps", values)
            for word in _split(_expand(config, env_name, line, values, 0))]
    if deps:
        template = _command_line(install) if isinstance(install, (str, list)) else \
            "python -I -m pip install {packages}"
        lines.append(_argv_text(template.replace("{opts}", "").replace("{packages}", "\x01"), config, env_name,
                                {**values, "packages": deps}))
    keys = COMMAND_KEYS if commands else ()
    for key in keys:
        for line in _lines(config, env_name, key, values):
            lines.append(_argv_text(line.lstrip("-! "), config, env_name, values))
    if exec_words is not None:
        lines.append(" ".join(_word(w) for w in exec_words))
    runs.analyse(an, cmd, "\n".join(lines), "shell", f"{label}:{env_name}", mine, path=path)


def _skips_install(config: Config, names: list[str]) -> bool:
    """Whether none of the environments ``names`` installs the project."""
    for env_name in names:
        skip = config.setting(env_name, "skip_install")
        package = config.setting(env_name, "package")
        if not (str(skip).strip().lower() in ("true", "1", "yes") or str(package).strip() == "skip"):
            return False
    return True


def _set_env(config: Config, env_name: str, values: dict) -> dict[str, str]:
    """The environment variables an environment sets (``set_env`` / ``setenv``)."""
    raw = config.setting(env_name, "set_env", "setenv")
    out: dict[str, str] = {}
    if isinstance(raw, dict):
        for key, value in raw.items():
            if isinstance(value, str) and re.fullmatch(r"[A-Za-z_]\w*", str(key)):
                out[str(key)] = _expand(config, env_name, value, values, 0)
            elif re.fullmatch(r"[A-Za-z_]\w*", str(key)):
                out[str(key)] = _UNKNOWN
    elif isinstance(raw, str):
        for line in _conditioned(raw.splitlines(), env_name):
            key, eq, value = line.partition("=")
            if eq and re.fullmatch(r"[A-Za-z_]\w*", key.strip()):
                out[key.strip()] = _expand(config, env_name, value.strip(), values, 0)
    return out


def _lines(config: Config, env_name: str, key: str, values: dict) -> list[str]:
    """The lines of a multi-line setting (command lines, deps) that apply to ``env_name``, with
    ``{[section]key}`` lines replaced by the lines they name."""
    raw = config.setting(env_name, key)
    if raw is None:
        return []
    if isinstance(raw, list):  # tox.toml: a list of lists of words (or of strings, for deps)
        return [_command_line(item) for item in raw]
    out: list[str] = []
    _append_lines(config, env_name, str(raw).splitlines(), out, 0)
    return out


def _append_lines(config: Config, env_name: str, raw: list[str], out: list[str], depth: int) -> None:
    for line in _conditioned(raw, env_name):
        ref = re.fullmatch(r"\{\[([^\]]+)\]([^{}]+)\}", line)
        if ref and depth < MAX_EXPANSION:
            section = config.sections.get(ref.group(1), {})
            _append_lines(config, env_name, str(section.get(ref.group(2), "")).splitlines(), out, depth + 1)
        elif line:
            out.append(line)


def _conditioned(raw: list[str], env_name: str) -> list[str]:
    """The lines of ``raw`` that apply to ``env_name`` (those with no factor condition, and those
    whose condition its factors meet), stripped, without comments."""
    factors = set(env_name.split("-"))
    out = []
    for line in raw:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = _CONDITION.match(line)
        if match and not match.group(1).startswith("-"):
            if not any(all((f[1:] not in factors) if f.startswith("!") else (f in factors)
                           for f in alternative.split("-"))
                       for group in match.group(1).split(",") for alternative in _braces(group)):
                continue
            line = match.group(2).strip()
        out.append(line)
    return out


def _command_line(item) -> str:
    """A tox.toml command (a list of words and replacement tables) as one line of quoted words."""
    if isinstance(item, str):
        return item
    if not isinstance(item, list):
        return _UNKNOWN
    words = []
    for word in item:
        if isinstance(word, str):
            words.append(shlex.quote(word))
        elif isinstance(word, dict) and word.get("replace") == "posargs":
            words.append("{posargs}")
        elif isinstance(word, dict) and word.get("replace") == "env" and isinstance(word.get("name"), str):
            words.append("{env:" + word["name"] + "}")
        else:
            words.append(_UNKNOWN)
    return " ".join(words)


def _expand(config: Config, env_name: str, text: str, values: dict, depth: int) -> str:
    """``text`` with tox's substitutions made; an unknown one is ``_UNKNOWN``."""
    root = config.root
    env_dir = f"{root}/.tox/{env_name}"
    fixed = {"toxinidir": root, "tox_root": root, "toxworkdir": f"{root}/.tox", "work_dir": f"{root}/.tox",
             "envdir": env_dir, "env_dir": env_dir, "envbindir": f"{env_dir}/bin", "env_bin_dir": f"{env_dir}/bin",
             "envpython": f"{env_dir}/bin/python", "env_python": f"{env_dir}/bin/python",
             "envtmpdir": f"{env_dir}/tmp", "env_tmp_dir": f"{env_dir}/tmp", "envlogdir": f"{env_dir}/log",
             "env_log_dir": f"{env_dir}/log", "envname": env_name, "env_name": env_name, "/": "/", ":": ":",
             "distdir": f"{root}/.tox/dist", "temp_dir": f"{root}/.tox/.tmp"}

    def one(match: re.Match) -> str:
        inner = match.group(1)
        if inner in fixed:
            return fixed[inner]
        if inner == "posargs" or inner.startswith("posargs:"):
            given = values.get("posargs") or []
            return "\x02" if given else inner.partition(":")[2]
        if inner.startswith("env:"):
            key, _, default = inner[4:].partition(":")
            return (_set_env_value(config, env_name, key, values, depth) or values["environ"].get(key)
                    or default or _UNKNOWN)
        ref = re.fullmatch(r"\[([^\]]+)\]([^{}]+)", inner)
        if ref and depth < MAX_EXPANSION:
            value = config.sections.get(ref.group(1), {}).get(ref.group(2), "")
            return _expand(config, env_name, str(value), values, depth + 1)
        return _UNKNOWN

    return _SUBSTITUTION.sub(one, text)


def _set_env_value(config: Config, env_name: str, key: str, values: dict, depth: int) -> str:
    if depth >= MAX_EXPANSION:
        return _UNKNOWN
    raw = config.setting(env_name, "set_env", "setenv")
    if isinstance(raw, str):
        for line in raw.splitlines():
            name, eq, value = line.strip().partition("=")
            if eq and name.strip() == key:
                return _expand(config, env_name, value.strip(), values, depth + 1)
    return ""


def _argv_text(line: str, config: Config, env_name: str, values: dict) -> str:
    """One command line tox runs as a program and its arguments, as shell text that runs the same."""
    words: list[str] = []
    for word in _split(_expand(config, env_name, line, values, 0)):
        if word == "\x02":
            words.extend(_word(w) for w in values.get("posargs") or [])
        elif word == "\x01":
            words.extend(_word(w) for w in values.get("packages") or [])
        else:
            words.append(_word(word))
    return " ".join(words)


def _split(text: str) -> list[str]:
    """Words as tox splits a command line (an unbalanced quote: one unknown word)."""
    try:
        return shlex.split(text)
    except ValueError:
        return [_UNKNOWN]


def _word(text: str) -> str:
    """One word as shell text: quoted, with an unknown part an unset variable's value."""
    parts = text.split(_UNKNOWN)
    return '"${TOX_UNKNOWN}"'.join(shlex.quote(p) if p else "" for p in parts) or "''"


def deferred(an: Analysis, cmd: Cmd, name: str, text: str, label: str, path: str) -> None:
    """Every environment of a tox configuration being written (any of them may run later)."""
    try:
        config = parse(name, text.removeprefix("\ufeff"), os.path.dirname(path))
    except ValueError:
        return  # tox refuses it: nothing will run from it
    if config is None:
        return
    names = _every(config)
    if len(names) > MAX_ENVS:
        raise Unanalysable(f"a tox configuration with more than {MAX_ENVS} environments")
    for env_name in names:
        environment(an, cmd, config, env_name, [], label, True, path)


HANDLERS = {"tox": run}
