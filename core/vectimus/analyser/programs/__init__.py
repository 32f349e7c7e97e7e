"""What each program does besides running: the handler ``dispatch`` looks a program up in.

A handler is ``handler(an, cmd, name) -> bool | None``: it records the program's file, network,
package … actions on the analysis, and returns True when what the program runs cannot be known
(``bash "$X"``, ``python3 <(curl …)``).
Standard library only: used on the hot path.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from vectimus.analyser import runs
from vectimus.analyser.context import Analysis, Cmd
from vectimus.analyser.programs import channels, files, shells

Handler = Callable[[Analysis, Cmd, str], "bool | None"]

# The handlers of the modules dispatch imports anyway (shells last: `source`/`.` run the file they
# read; the reader table has them as readers too).
HANDLERS: dict[str, Handler] = {**files.HANDLERS, **channels.HANDLERS, **shells.HANDLERS}

# The other handler modules, imported the first time one of their programs runs, with the programs
# in their HANDLERS (tests/analyser/test_programs_table.py holds this table to those tables).
IMPORTED_WHEN_RUN = {
    "awk_command": "awk gawk mawk nawk",
    "app_servers": "celery daphne fastapi flask gunicorn hypercorn uvicorn vagrant",
    "archives": "7z 7za 7zr 7zz bsdtar bunzip2 bzip2 cpio gtar gunzip gzip jar pax tar unxz unzip unzstd xz zip zstd",
    "compose": "docker-compose podman-compose",
    "config_code": "astro ava babel commitlint cypress eslint grunt gulp jest karma mkdocs mocha next nuxi nuxt "
                   "playwright postcss prettier rollup sphinx-build stylelint svelte-kit tailwindcss tsup vite vitest "
                   "webpack webpack-cli webpack-dev-server",
    "containers": "docker kubectl nerdctl oc podman",
    "bundler": "bundle",
    "databases": "clickhouse-client cockroach cqlsh duckdb keydb-cli litecli mariadb mongo mongosh mycli "
                 "mysql pgcli psql rails rake redis-cli snowsql sqlcmd sqlite sqlite3 usql valkey-cli",
    "cargo": "cargo",
    "cmake": "cmake",
    "maven": "mvn mvnd mvnw",
    "compiled_code": "c++ cc clang clang++ g++ gcc rustc tcc",
    "git": "git",
    "go": "go",
    "editor_commands": "dc ed m4",
    "gradle": "gradle gradlew",
    "hook_runners": "lefthook lint-staged",
    "js_manager_code": "corepack",
    "js_monorepo": "lerna nx turbo",
    "manifest_scripts": "composer deno",
    "meson": "meson",
    "xml_builds": "ant dotnet msbuild",
    "migrations": "alembic django-admin django-admin.py",
    "python_resolvers": "pip-compile pip-sync pyproject-build",
    "python_runners": "doit fab inv invoke nox scons waf",
    "project_builds": "hatch pdm rye",
    "pylint": "pylint",
    "python_scripts": "poe",
    "python_wrappers": "coverage ipdb ipdb3 ipython ipython3 kernprof memray pudb pudb3 pyinstrument scalene "
                       "viztracer",
    "network": "aria2c curl ftp http https links lynx nc ncat netcat scp sftp socat ssh telnet w3m wget wget2 xh "
               "xhs",
    "runners": "at batch expect screen tclsh tmux wish",
    "servers": "darkhttpd http-server httpd live-server serve",
    "tox": "tox",
    "venvs": "virtualenv",
    "transfer_clients": "lftp smbclient tftp",
    "windows": "cmd cmd.exe powershell powershell.exe pwsh pwsh.exe reg reg.exe",
}
_MODULE_OF = {program: module for module, programs in IMPORTED_WHEN_RUN.items() for program in programs.split()}


# Programs that run what a project file defines (imported when one runs).
def _make(an: Analysis, cmd: Cmd, name: str) -> bool | None:
    from vectimus.analyser.programs import make

    return make.run(an, cmd, name)


def _pytest(an: Analysis, cmd: Cmd, name: str) -> None:
    from vectimus.analyser.programs import pytest

    pytest.run(an, cmd, name)


def _just(an: Analysis, cmd: Cmd, name: str) -> None:
    from vectimus.analyser.programs import tasks

    tasks.just(an, cmd, name)


def _task(an: Analysis, cmd: Cmd, name: str) -> None:
    from vectimus.analyser.programs import tasks

    tasks.task(an, cmd, name)


def _pre_commit(an: Analysis, cmd: Cmd, name: str) -> None:
    from vectimus.analyser.programs import githooks

    githooks.pre_commit_command(an, cmd, name)


HANDLERS.update(make=_make, gmake=_make, pytest=_pytest, **{"py.test": _pytest}, just=_just, task=_task,
                **{"go-task": _task, "pre-commit": _pre_commit, "prek": _pre_commit})
SCRIPT_RUNNERS = ("npm", "yarn", "yarnpkg", "pnpm", "bun")


def handler(name: str, cmd: Cmd) -> Handler | None:
    """The handler for program ``name`` as ``cmd`` runs it, or None for a program with no effects known."""
    found = HANDLERS.get(name)
    if found is not None:
        return found
    module = _MODULE_OF.get(name)
    if module is not None:
        found = _IMPORTED.get(name)
        if found is None:  # (its module is imported now, once: the handler stays what it is)
            found = _IMPORTED[name] = importlib.import_module(f"{__name__}.{module}").HANDLERS[name]
        return found
    if name in SCRIPT_RUNNERS:
        return _scripts
    if name in _BY_NAME:
        return _BY_NAME[name]
    if len(_BY_NAME) >= MAX_BY_NAME:
        _BY_NAME.clear()
    found = _BY_NAME[name] = _bare_handler(name)
    return found


# program name -> its handler in a module imported when it first runs (``IMPORTED_WHEN_RUN``)
_IMPORTED: dict[str, Handler] = {}

# program name -> ``_bare_handler(name)``: a function of the name alone, kept across calls (a make
# run dispatches the same programs every time)
_BY_NAME: dict[str, Handler | None] = {}
MAX_BY_NAME = 1024


def _packages():
    from vectimus.analyser.programs import packages

    return packages


def _js_monorepo():
    from vectimus.analyser.programs import js_monorepo

    return js_monorepo


def _bare_handler(name: str) -> Handler | None:
    """The handler of a program with no entry in the tables above: an interpreter or a package manager."""
    packages = _packages()
    if runs.interpreter_language(name) is not None:
        from vectimus.analyser.programs import interpreters

        if interpreters.language(name):
            return interpreters.run
    if packages.handles(name):
        return packages.run
    return None


def _scripts(an: Analysis, cmd: Cmd, name: str) -> bool | None:
    """npm / yarn / pnpm / bun: what the package manager does, the code it loads from the project's
    configuration, and the project scripts it runs."""
    from vectimus.analyser.programs import js_manager_code, tasks

    if name == "bun" and cmd.words[1:2] and cmd.words[1].text in _packages().OPS:
        base: Handler | None = _packages().run
    else:
        base = _bare_handler(name)
    dynamic = base(an, cmd, name) if base is not None else None
    name = "yarn" if name == "yarnpkg" else name
    js_manager_code.run(an, cmd, name)
    if name == "npm" or not _js_monorepo().run(an, cmd, name):  # (pnpm -r, yarn workspaces foreach, bun --filter)
        tasks.npm(an, cmd, name)
    if name == "npm" and "pkg" in cmd.raw:
        from vectimus.analyser.programs import npm_pkg

        npm_pkg.run(an, cmd, name)
    return dynamic
