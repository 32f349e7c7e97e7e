"""cargo: the programs a cargo command runs because its configuration names them.

Every command that compiles runs ``build.rustc-wrapper`` and ``build.rustc-workspace-wrapper``
(``RUSTC_WRAPPER``, ``CARGO_BUILD_RUSTC_WRAPPER``, ``RUSTC_WORKSPACE_WRAPPER``) and ``build.rustc``
(``RUSTC``); ``run``, ``test`` and ``bench`` start what they built through a ``target.*.runner``
(``CARGO_TARGET_<TRIPLE>_RUNNER``). They come from ``--config KEY=VALUE``, the environment, then
``.cargo/config.toml`` (or ``.cargo/config``) in the command's directory and each parent, then
``~/.cargo/config.toml``. A program named by a path is read like a script the command runs, a shell
given ``-c`` text runs that text, and a program found on PATH runs as ever. Other cargo commands
(``add``, ``install``, ``publish`` …) are package commands.
Standard library only (tomllib, imported when cargo runs).
"""

from __future__ import annotations

import os
import shlex

from vectimus.analyser import argv, runs
from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.analyser.programs import packages
from vectimus import world

COMPILES = frozenset(("build", "b", "check", "c", "run", "r", "test", "t", "bench", "doc", "d", "clippy", "rustc",
                      "fix", "install", "package", "publish", "rustdoc"))
STARTS = frozenset(("run", "r", "test", "t", "bench"))
BUILTINS = COMPILES | frozenset(("add", "remove", "rm", "new", "init", "update", "fetch", "clean", "search", "tree",
                                 "metadata", "vendor", "login", "logout", "owner", "yank", "version", "help", "fmt",
                                 "generate-lockfile", "locate-project", "pkgid", "read-manifest", "uninstall",
                                 "verify-project", "config", "info", "report"))
WRAPPERS = {"rustc-wrapper": ("RUSTC_WRAPPER", "CARGO_BUILD_RUSTC_WRAPPER"),
            "rustc-workspace-wrapper": ("RUSTC_WORKSPACE_WRAPPER", "CARGO_BUILD_RUSTC_WORKSPACE_WRAPPER"),
            "rustc": ("RUSTC", "CARGO_BUILD_RUSTC")}
VALUE = argv.opts("--config -Z -C --manifest-path -p --package --target --features -F -j --jobs --profile "
                  "--bin --example --test --bench --target-dir --color --message-format")


def run(an: Analysis, cmd: Cmd, name: str) -> None:
    """``cargo SUB …``: the wrapper and runner programs its configuration names, then the package
    command it also is."""
    packages.run(an, cmd, name)
    head = argv.parse(cmd.words[1:], VALUE, stop_at_operand=True)
    sub = head.operands[0].text if head.operands and not head.operands[0].text.startswith("+") else ""
    if sub not in COMPILES:
        if sub and not head.operands[0].dynamic:  # an alias: the command it stands for
            from vectimus.analyser.programs import cargo_alias

            aliases: dict = {}
            for path in reversed(_config_files(an, cmd)):  # nearer files win
                table = _toml(an, cmd, path).get("alias")
                aliases.update(table if isinstance(table, dict) else {})
            words = cargo_alias.expanded(cmd, cmd.words.index(head.operands[0]), sub, BUILTINS, aliases)
            if words is not None:
                run(an, cmd.with_words(words, via=f"cargo alias {sub}"), name)
        return
    given = argv.parse(cmd.words[1:], VALUE)
    from vectimus.analyser.programs import compiled_code  # the build script and code the agent wrote

    compiled_code.cargo(an, cmd, sub, given)
    settings = _settings(an, cmd, given)
    for key in WRAPPERS:
        if settings.get(key):
            program(an, cmd, settings[key], f"cargo build.{key}")
    if sub in STARTS:
        for runner in settings.get("runners", []):
            program(an, cmd, runner, "cargo target runner")


def _settings(an: Analysis, cmd: Cmd, given_options) -> dict:
    """The wrapper settings and runners in force, the first place naming each winning."""
    from vectimus.analyser.facts import env

    found: dict = {"runners": []}
    for given in given_options.all("config"):  # --config build.rustc-wrapper="x" (or a config file's path)
        key, eq, value = given.text.partition("=")
        if eq and key.strip().startswith("build."):
            found.setdefault(key.strip()[6:], _unquoted(value))
        elif eq and key.strip().startswith("target.") and key.strip().endswith(".runner"):
            found["runners"].append(_unquoted(value))
    for key, names in WRAPPERS.items():
        for variable in names:
            word = env.value(cmd, variable) or (Word(an.env[variable]) if an.env.get(variable) else None)
            if word is not None and key not in found:
                found[key] = word.text if not word.dynamic else "\x00"
    for variable, value in [*an.env.items(), *((k, w.text) for k, w in cmd.env)]:
        if variable.startswith("CARGO_TARGET_") and variable.endswith("_RUNNER") and value:
            found["runners"].append(value)
    for path in _config_files(an, cmd):
        wrappers, runners = _named(_toml(an, cmd, path))
        for key, value in wrappers.items():
            found.setdefault(key, value)
        found["runners"] += runners
    return found


def _named(data: dict) -> tuple[dict[str, str], list[str]]:
    """The wrappers (by setting) and the runners a cargo configuration's data names."""
    build = data.get("build")
    wrappers = {k: v for k, v in build.items() if k in WRAPPERS and isinstance(v, str)} if isinstance(build, dict) else {}
    runners = []
    targets = data.get("target")
    for table in targets.values() if isinstance(targets, dict) else ():
        runner = table.get("runner") if isinstance(table, dict) else None
        if isinstance(runner, str):
            runners.append(runner)
        elif isinstance(runner, list):
            runners.append(" ".join(shlex.quote(str(w)) for w in runner))
    return wrappers, runners


def _config_files(an: Analysis, cmd: Cmd) -> list[str]:
    """``.cargo/config.toml`` (or ``config``) from the command's directory up to ``/``, then the home's."""
    out: list[str] = []
    if not cmd.scope.cwd_dynamic:
        folder = cmd.scope.places.cwd.rstrip("/") or "/"
        for _ in range(64):
            out += [f"{folder.rstrip('/')}/.cargo/config.toml", f"{folder.rstrip('/')}/.cargo/config"]
            if folder == "/":
                break
            folder = os.path.dirname(folder)
    home = os.path.join(an.env.get("CARGO_HOME") or os.path.join(an.places.home, ".cargo"), "config.toml")
    return [p for p in dict.fromkeys([*out, home]) if p in an.pending or world.isfile(p)]


def _toml(an: Analysis, cmd: Cmd, path: str) -> dict:
    import tomllib

    found = runs.source(an, cmd, path)
    if found is None:
        return {}
    try:
        return tomllib.loads(found[0])
    except tomllib.TOMLDecodeError:
        runs.unread(an, cmd, path, found[1], found[2], "cargo configuration that is not TOML")
        return {}


def _unquoted(value: str) -> str:
    """A ``--config KEY=VALUE`` value as cargo reads it (TOML: a string, or an array of words)."""
    value = value.strip()
    if value.startswith("["):
        import tomllib

        try:
            words = tomllib.loads(f"v = {value}")["v"]
        except tomllib.TOMLDecodeError:
            return value
        return " ".join(shlex.quote(str(w)) for w in words)
    return value[1:-1] if len(value) > 1 and value[0] == value[-1] and value[0] in "\"'" else value


def program(an: Analysis, cmd: Cmd, text: str, label: str) -> None:
    """A program (and its arguments) a setting names, as it will run."""
    if text == "\x00":
        runs.unread(an, cmd, "", label, True, f"{label} set to a value Vectimus cannot resolve")
        return
    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    if not words:
        return
    first = words[0]
    if runs.interpreter_language(os.path.basename(first)) == "shell" and "-c" in words[1:-1]:
        an.shell(Word(words[words.index("-c") + 1]), cmd, label)
    elif "/" in first:
        runs.run_file(an, cmd, Word(first), args=tuple(Word(w) for w in words[1:]), label=label)


def deferred(an: Analysis, cmd: Cmd, text: str) -> None:
    """A cargo configuration being written: every wrapper and runner it names."""
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return  # cargo refuses it: nothing runs from it
    wrappers, runners = _named(data)
    for key, value in wrappers.items():
        program(an, cmd, value, f"cargo build.{key}")
    for runner in runners:
        program(an, cmd, runner, "cargo target runner")


HANDLERS = {"cargo": run}
