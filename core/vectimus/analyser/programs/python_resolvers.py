"""Tools that build a local Python project's metadata or packages without installing it, and so run
its build code (``setup.py``, a hatch build hook, an in-tree backend) as ``pip install`` would:

- ``pyproject-build [SRCDIR]`` (the ``build`` package's own command) and ``python -m build``, with
  their options read as options (``-o dist pkg`` builds ``pkg``);
- ``pip-compile`` / ``uv pip compile`` / ``python -m piptools compile`` of a ``setup.py``,
  ``setup.cfg`` or ``pyproject.toml`` (its metadata is built), or of a requirements file listing a
  local project (without a source file: ``requirements.in``, else the project's ``setup.py`` or
  ``pyproject.toml``);
- ``pip-sync`` / ``uv pip sync`` of requirements files (what they list is installed), and
  ``uv pip install -r setup.py|pyproject.toml``;
- ``pip lock`` of local projects and requirements files (pip builds each one's metadata).

Standard library only: imported when one of these runs.
"""

from __future__ import annotations

import posixpath

from vectimus.analyser import argv
from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.analyser.programs import requirements

BUILD_OPTS = argv.opts("-o --outdir -C --config-setting --installer")
COMPILE_OPTS = argv.opts("-o --output-file -c --constraint --extra -i --index-url --extra-index-url -f --find-links "
                         "--pip-args -P --upgrade-package --cache-dir --build-deps-for --unsafe-package "
                         "--annotation-style --resolver --max-rounds --src --python -p --python-version "
                         "--python-platform --index --default-index --group --override --build-constraint "
                         "--exclude-newer --prerelease --resolution --index-strategy --keyring-provider "
                         "--link-mode --refresh-package --config-file --color --custom-compile-command "
                         "--no-emit-package --emit-index-annotation --output-mode -r --requirement --all-build-deps")
METADATA = ("setup.py", "setup.cfg", "pyproject.toml")
DEFAULT_SOURCES = ("requirements.in", "setup.py", "pyproject.toml")


def build(an: Analysis, cmd: Cmd, words) -> None:
    """``pyproject-build`` / ``python -m build`` with ``words`` after it: the source directory is built."""
    p = argv.parse(list(words), BUILD_OPTS)
    _project(an, cmd, p.operands[0] if p.operands else Word("."))


def compiled(an: Analysis, cmd: Cmd, words, sync: bool = False) -> None:
    """``pip-compile`` / ``uv pip compile`` (``sync``: ``pip-sync`` / ``uv pip sync``) of the source
    files in ``words``: a project file's project is built, a requirements file's local projects too."""
    p = argv.parse(list(words), COMPILE_OPTS)
    sources = [*p.operands, *p.all("r", "requirement")]
    if not sources:
        defaults = ("requirements.txt",) if sync else DEFAULT_SOURCES
        found = next((name for name in defaults if an.target(Word(name), cmd.scope).exists), None)
        sources = [Word(found)] if found else []
    for word in sources:
        _source(an, cmd, word)


def _locked(an: Analysis, cmd: Cmd, p: argv.Parsed) -> None:
    """``pip lock SPEC… -r FILE…``: each local project named or listed has its metadata built."""
    for word in [*p.operands, *p.all("e", "editable")]:
        if not word.dynamic and requirements.local(word.text):
            _project(an, cmd, word)
    for word in p.all("r", "requirement"):
        _source(an, cmd, word)


def resolves(an: Analysis, cmd: Cmd, sub: str, words, at: Word, takes: frozenset[str]) -> None:
    """``pip lock …``, ``uv pip compile|sync …`` and ``uv pip install -r setup.py`` (``words``, the
    manager's own, hold the subcommand ``at``; ``takes``: pip's options that take a value)."""
    rest = list(words)[next(i for i, w in enumerate(words) if w is at) + 1:]
    if sub == "lock":
        _locked(an, cmd, argv.parse(rest, takes))
    elif sub in ("compile", "sync"):
        compiled(an, cmd, rest, sync=sub == "sync")
    else:  # uv reads a project's metadata file as a requirements source
        for word in argv.parse(rest, takes).all("r", "requirement"):
            if not word.dynamic and posixpath.basename(word.text) in METADATA:
                _source(an, cmd, word)


def _source(an: Analysis, cmd: Cmd, word: Word) -> None:
    """One source file of a resolver: a project's metadata file, or a requirements file."""
    if word.dynamic:
        return
    if posixpath.basename(word.text) in METADATA:
        _project(an, cmd, Word(posixpath.dirname(word.text) or "."))
        return
    an.file("file_read", word, cmd, program=cmd.words[0].text)
    for spec, forced in requirements.specs(an, cmd, word):
        if not spec.dynamic and (forced == "path" or not forced and requirements.local(spec.text)):
            _project(an, cmd, spec)


def _project(an: Analysis, cmd: Cmd, word: Word) -> None:
    from vectimus.analyser.programs import project_builds

    if not word.dynamic:
        project_builds.local_build(an, cmd, word, "pip")


def _pyproject_build(an: Analysis, cmd: Cmd, name: str) -> None:
    build(an, cmd, cmd.words[1:])


def _pip_compile(an: Analysis, cmd: Cmd, name: str) -> None:
    compiled(an, cmd, cmd.words[1:], sync=name == "pip-sync")


HANDLERS = {"pyproject-build": _pyproject_build, "pip-compile": _pip_compile, "pip-sync": _pip_compile}
