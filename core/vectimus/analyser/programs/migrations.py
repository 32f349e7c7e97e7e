"""Migration and management CLIs that import the project's Python code:

- ``alembic [-c INI] [--name SECTION] COMMAND`` runs the script directory's ``env.py`` and imports
  its revision files (``versions/``, or ``version_locations``) for every command that works on
  revisions; the directory is ``script_location`` in the ini file (``%(here)s`` is the file's
  folder; ``package:path`` a folder of the project's package) or ``[tool.alembic]`` of
  ``pyproject.toml``. Of more than ``MAX_REVISIONS`` revision files, those the agent wrote are read.
- ``django-admin COMMAND --settings MODULE`` (or ``DJANGO_SETTINGS_MODULE``) imports the settings
  module, whose top level runs; ``--pythonpath`` is where it is looked for.

- a script that sets ``DJANGO_SETTINGS_MODULE`` and runs Django's command line (``manage.py``)
  imports that settings module and the modules of the project's own ``INSTALLED_APPS``.

Both CLIs also as ``python -m alembic`` / ``python -m django``. Standard library only: imported when
one of these runs.
"""

from __future__ import annotations

import os
import re

from vectimus import world
from vectimus.analyser import argv, runs
from vectimus.analyser.context import Analysis, Cmd, Word

ALEMBIC_VALUE = argv.opts("-c --config -n --name -x --raiseerr")
NO_SCRIPTS = ("init", "list_templates", "--help", "-h", "--version")
MAX_REVISIONS = 16  # revision files read at each call (past it, the agent's)


def _alembic(an: Analysis, cmd: Cmd, name: str) -> None:
    p = argv.parse(cmd.words[1:], ALEMBIC_VALUE, stop_at_operand=True)
    if not p.operands or p.operands[0].text in NO_SCRIPTS or p.has("help", "h", "version"):
        return
    ini = p.value("c", "config")
    section = p.value("n", "name")
    if ini is not None and ini.dynamic or section is not None and section.dynamic:
        runs.unread(an, cmd, "", "alembic", runs.agent_wrote_anything(an), "a configuration named by an unknown value")
        return
    path = an.target(ini or Word("alembic.ini"), cmd.scope).path
    folder = os.path.dirname(path)
    location, versions = _ini(an, path, section.text if section is not None else "alembic")
    if not location:
        location, versions = _pyproject(an, an.target(Word("pyproject.toml"), cmd.scope).path)
        folder = an.target(Word("."), cmd.scope).path
    if not location:
        return
    scripts = _location(folder, location)
    runs.run_file(an, cmd, Word(f"{scripts}/env.py"), runner="python", label=f"alembic {runs.display(an, scripts)}/env.py")
    for where in [_location(folder, v) for v in versions] or [f"{scripts}/versions"]:
        _revisions(an, cmd, where)


def _ini(an: Analysis, path: str, section: str) -> tuple[str, list[str]]:
    """(script_location, version_locations) of ``section`` in the ini file at ``path``."""
    text, _ = runs.read(an, path)
    if not text:
        return "", []
    here = os.path.dirname(path)
    values: dict[str, str] = {}
    inside = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            inside = stripped[1:-1].strip() == section
        elif inside and "=" in stripped and not stripped.startswith(("#", ";")):
            key, _, value = stripped.partition("=")
            values[key.strip()] = value.strip().replace("%(here)s", here)
    return values.get("script_location", ""), _split(values.get("version_locations", ""))


def _pyproject(an: Analysis, path: str) -> tuple[str, list[str]]:
    text, _ = runs.read(an, path)
    if not text or "alembic" not in text:
        return "", []
    from vectimus import toml_cache

    try:
        table = toml_cache.loads(text.removeprefix("\ufeff")).get("tool", {}).get("alembic", {})
    except (toml_cache.TomlError, RecursionError, AttributeError):
        return "", []
    location = table.get("script_location") if isinstance(table, dict) else None
    versions = table.get("version_locations") if isinstance(table, dict) else None
    return (location if isinstance(location, str) else "",
            [v for v in versions if isinstance(v, str)] if isinstance(versions, list) else
            _split(versions) if isinstance(versions, str) else [])


def _split(text: str) -> list[str]:
    return [v for v in text.replace(",", " ").replace(os.pathsep, " ").split() if v]


def _location(folder: str, location: str) -> str:
    """A script or version location as a folder: relative to the configuration, or ``package:path``."""
    if ":" in location and not location.startswith("/"):
        package, _, rest = location.partition(":")
        location = os.path.join(package.replace(".", "/"), rest)
    return os.path.normpath(os.path.join(folder, location))


def _revisions(an: Analysis, cmd: Cmd, folder: str) -> None:
    """The revision files in ``folder`` alembic imports: all of a few, else the agent's."""
    try:
        names = sorted(n for n in world.listdir(folder) if n.endswith(".py"))
    except OSError:
        return
    for name in names:
        path = f"{folder}/{name}"
        if len(names) <= MAX_REVISIONS or runs.by_agent(an, path):
            runs.run_file(an, cmd, Word(path), runner="python", label=f"alembic revision {runs.display(an, path)}")


DJANGO_VALUE = argv.opts("--settings --pythonpath -v --verbosity --traceback --no-color --force-color")


def _django_admin(an: Analysis, cmd: Cmd, name: str) -> None:
    p = argv.parse(cmd.words[1:], DJANGO_VALUE)
    if not p.operands or p.operands[0].text in ("help", "version", "startproject", "startapp") or p.has("help", "h"):
        return
    from vectimus.analyser.facts import env

    settings = p.value("settings") or env.value(cmd, "DJANGO_SETTINGS_MODULE")
    if settings is None:
        return
    if settings.dynamic:
        runs.unread(an, cmd, "", "django-admin", runs.agent_wrote_anything(an), "settings named by an unknown value")
        return
    base = p.value("pythonpath") or env.value(cmd, "PYTHONPATH") or Word(".")
    roots = [an.target(Word(b), cmd.scope).path for b in base.text.split(os.pathsep) if b] if not base.dynamic else []
    found = next((f for f in (_module(root, settings.text) for root in roots) if f), "")
    if found:
        runs.run_file(an, cmd, Word(found), runner="python", label=f"django settings {settings.text}")


_SETTINGS = re.compile(r"""DJANGO_SETTINGS_MODULE['"]\s*(?:,|\]\s*=)\s*['"]([A-Za-z_][\w.]*)['"]""")
NO_SETUP = ("help", "version", "--help", "-h", "--version", "startapp", "startproject")
APP_MODULES = ("__init__.py", "apps.py", "models.py", "admin.py", "signals.py")
MAX_APPS = 32


def django_project(an: Analysis, cmd: Cmd, path: str, args) -> None:
    """A ``manage.py`` that sets ``DJANGO_SETTINGS_MODULE`` (``os.environ.setdefault(…,
    'app.settings')``) and hands its command line to Django: the settings module, and the modules
    Django imports of each of the project's own ``INSTALLED_APPS``, run."""
    text, _ = runs.read(an, path)
    if not text or "execute_from_command_line" not in text or args and not args[0].dynamic and args[0].text in NO_SETUP:
        return
    from vectimus.analyser.facts import env

    given = env.value(cmd, "DJANGO_SETTINGS_MODULE")
    found = _SETTINGS.search(text)
    name = given if given is not None else Word(found.group(1)) if found else None
    if name is None or name.dynamic:
        return
    root = os.path.dirname(path)
    settings = _module(root, name.text)
    if not settings:
        return
    runs.run_file(an, cmd, Word(settings), runner="python", label=f"django settings {name.text}")
    for app in _installed_apps(an, settings)[:MAX_APPS]:
        folder = f"{root}/{app.split('.apps.')[0].replace('.', '/')}"
        for module in APP_MODULES:
            runs.run_file(an, cmd, Word(f"{folder}/{module}"), runner="python", label=f"django app {app}")


def _installed_apps(an: Analysis, settings: str) -> list[str]:
    """The dotted names a literal ``INSTALLED_APPS`` (or ``+=``) in the settings file lists."""
    text, _ = runs.read(an, settings)
    if not text or "INSTALLED_APPS" not in text:
        return []
    import ast

    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    found: list[str] = []
    for node in tree.body:
        if not isinstance(node, (ast.Assign, ast.AugAssign)):
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if any(isinstance(t, ast.Name) and t.id == "INSTALLED_APPS" for t in targets):
            value = node.value
            if isinstance(value, (ast.List, ast.Tuple)):
                found += [e.value for e in value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
                          and not e.value.startswith("django.")]
    return found


def _module(root: str, dotted: str) -> str:
    """The file under ``root`` Python imports for the module ``dotted`` (a settings module), or ""."""
    if not all(part.isidentifier() for part in dotted.split(".")):
        return ""
    base = f"{root}/{dotted.replace('.', '/')}"
    return next((f for f in (f"{base}.py", f"{base}/__init__.py") if world.isfile(f)), "")


def module(an: Analysis, cmd: Cmd, name: str, args) -> None:
    """``python -m alembic|django ARGS``: as ``alembic`` / ``django-admin``."""
    program = "alembic" if name == "alembic" else "django-admin"
    HANDLERS[program](an, cmd.with_words([Word(program), *args], via=f"python -m {name}"), program)


HANDLERS = {"alembic": _alembic, "django-admin": _django_admin, "django-admin.py": _django_admin}
