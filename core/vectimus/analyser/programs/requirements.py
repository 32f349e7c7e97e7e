"""What a requirements file installs, the name a local Python project declares, and the Vectimus
packages a local project would install over the real ones.

``pip install -r requirements.txt`` installs each spec the file lists as if it were given on the
command line, so the package rules judge it (``vectimus==0.0.1``, a local ``./vendor/x`` whose
project is named ``vectimus``, a VCS URL). The file is read at hook time, with the ``-r`` files it
names in turn (bounded); option lines other than ``-r``/``-e`` add nothing here.
"""

from __future__ import annotations

import re

from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus import world

MAX_DEPTH = 3        # -r FILE inside -r FILE …
MAX_SPECS = 256      # specs read from one call's requirement files

_NESTED = re.compile(r"^(?:-r|--requirement)(?:\s+|=)(\S+)")
_EDITABLE = re.compile(r"^(?:-e|--editable)(?:\s+|=)(\S+)")


def specs(an: Analysis, cmd: Cmd, word: Word, depth: int = 0) -> list[tuple[Word, str]]:
    """(spec, forced source) for each requirement the file ``word`` names lists: a local path given
    with ``-e`` is a path; the rest take the source their text says."""
    from vectimus.analyser import runs

    if word.dynamic or depth >= MAX_DEPTH:
        return []
    path = an.target(word, cmd.scope).path
    text, _ = runs.read(an, path)
    if not text:
        return []
    base = path.rsplit("/", 1)[0]
    out: list[tuple[Word, str]] = []
    for raw in text.splitlines():
        line = re.sub(r"(^|\s)#.*", "", raw).strip()
        if not line:
            continue
        nested = _NESTED.match(line)
        editable = _EDITABLE.match(line)
        if nested:
            out += specs(an, cmd, Word(_beside(base, nested.group(1))), depth + 1)
        elif editable:
            target = editable.group(1)
            local = target.startswith((".", "/", "~", "file:"))
            out.append((Word(target), "path" if local else ""))
        elif not line.startswith("-"):
            out.append((Word(line.split(";", 1)[0].strip()), ""))  # (without an environment marker)
        if len(out) >= MAX_SPECS:
            break
    return out[:MAX_SPECS]


def _beside(base: str, relative: str) -> str:
    """A ``-r`` file named in a requirements file is relative to that file (a package's path, to the
    directory pip runs in)."""
    return relative if relative.startswith(("/", "~")) else f"{base}/{relative}"


_DIRECT_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^]]*\])?\s*@\s*(file:\S+)\s*(?:;.*)?$")
_EXTRAS = re.compile(r"\[[^]/]*\]$")


def local_folder(spec: str) -> str:
    """The directory of the local project a pip spec names, as pip reads it: extras, a ``file:``
    URL, a fragment and a PEP 508 direct reference stripped (``.[dev]`` -> ``.``, ``./pkg[a,b]`` ->
    ``./pkg``, ``file:///src/x#egg=x`` -> ``/src/x``, ``x[y] @ file:///src/x`` -> ``/src/x``); the
    spec as given otherwise."""
    text = spec.strip()
    direct = _DIRECT_FILE.match(text)
    if direct:
        text = direct.group(1)
    if text.startswith("file:"):
        text = text.split("#", 1)[0][5:]
        text = "/" + text[2:].removeprefix("localhost/").lstrip("/") if text.startswith("//") else text
    return _EXTRAS.sub("", text) or spec


def local(spec: str) -> bool:
    """A requirement that is a local directory (``./pkg``, ``/src/x``, ``vendor/x``), not a name, URL or archive."""
    return not re.search(r"(?i)\.(whl|tar\.gz|tgz|zip|tar\.bz2)$|^(?!file:)[a-z+]+://|@", spec) and \
        (spec.startswith((".", "/", "~", "file:")) or "/" in spec)


def project_name(an: Analysis, cmd: Cmd, folder: str) -> str:
    """The name a local project directory declares: ``pyproject.toml``'s ``[project] name``, else
    ``setup.cfg``'s ``[metadata] name``, else a literal ``name=`` in ``setup.py`` (read, not built)."""
    from vectimus.analyser import runs

    folder = local_folder(folder).rstrip("/") or "/"
    for name, table, pattern in _DECLARATIONS:
        text, _ = runs.read(an, an.target(Word(f"{folder}/{name}"), cmd.scope).path)
        if text and table:  # the name in its own table, not another's
            start = re.search(rf"(?m)^\s*\[{table}\]\s*$", text)
            text = text[start.end():] if start else ""
            text = re.split(r"(?m)^\s*\[", text, maxsplit=1)[0]
        found = re.search(pattern, text or "")
        if found:
            return found.group(1)
    return ""


_DECLARATIONS = (
    ("pyproject.toml", "project", r"(?m)^\s*name\s*=\s*[\"']([^\"']+)[\"']"),
    ("setup.cfg", "metadata", r"(?m)^\s*name\s*[=:]\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*$"),
    ("setup.py", "", r"\bname\s*=\s*[\"']([A-Za-z0-9][A-Za-z0-9._-]*)[\"']"),
)


# Where a local project keeps a package it installs: its root, or src/
_PACKAGE_DIRS = ("", "src/")
_VECTIMUS_NAME = re.compile(r"^vectimus(?:[-_.][a-z0-9]+)*$", re.I)
# A dependency on a Vectimus package from a source of the project's own: PEP 508 ``name @ URL``,
# uv's ``[tool.uv.sources]`` and poetry's path, git or url tables
_DIRECT = re.compile(r"""["'](vectimus(?:[-_.][A-Za-z0-9]+)*)\s*(?:\[[^]]*\])?\s*@""", re.I)
_SOURCED = re.compile(r"(?m)^\s*[\"']?(vectimus(?:[-_.][A-Za-z0-9]+)*)[\"']?\s*=\s*\{[^}\n]*\b(?:path|git|url)\s*=", re.I)


def vectimus_shipped(an: Analysis, cmd: Cmd, folder: str) -> list[str]:
    """The Vectimus distributions installing the local project ``folder`` would replace: a
    ``vectimus``/``vectimus_*`` package or module it ships (``vectimus/__init__.py``, in ``src/``
    too), or a Vectimus dependency its ``pyproject.toml`` takes from a path, a URL or a repository."""
    from vectimus.analyser import runs

    folder = folder.rstrip("/") or "/"
    found: list[str] = []
    for base in _PACKAGE_DIRS:
        try:
            names = world.listdir(f"{folder}/{base}") if len(found) < 8 else []
        except OSError:
            continue
        for name in names:
            stem = name[:-3] if name.endswith(".py") else name
            if _VECTIMUS_NAME.match(stem) and (name.endswith(".py") or world.isfile(f"{folder}/{base}{name}/__init__.py")):
                found.append(stem)
    text, _ = runs.read(an, an.target(Word(f"{folder}/pyproject.toml"), cmd.scope).path)
    if text:
        found += [m.group(1) for m in _DIRECT.finditer(text)] + [m.group(1) for m in _SOURCED.finditer(text)]
    return sorted({re.sub(r"[-_.]+", "-", name).lower() for name in found})
