"""Virtual environments made over a directory, and packages installed into one named directory.

``python3 -m venv --clear .venv``, ``virtualenv --clear .venv`` and ``uv venv`` (over an existing
one) empty the directory first: a delete of it. Without ``--clear`` they rewrite its interpreter
links and ``pyvenv.cfg``: writes into it. ``pip install --target/--prefix/--root DIR`` writes the
packages' files into ``DIR``. So when the directory holds the Vectimus installation the hook runs
from, the installation rules judge it; anywhere else it is an ordinary project write.
"""

from __future__ import annotations

from vectimus.analyser import argv
from vectimus.analyser.context import Analysis, Cmd, Word

# python -m venv's and virtualenv's options that take a value (the rest are flags or directories)
VENV_VALUE_OPTS = argv.opts("--prompt --upgrade-deps-to -p --python --creator --seeder --activators "
                            "--app-data --discovery --extra-search-dir --pip --setuptools --wheel")
UV_VALUE_OPTS = argv.opts("-p --python --prompt --index-url --extra-index-url --index --default-index -f "
                          "--find-links --index-strategy --keyring-provider --link-mode --exclude-newer "
                          "--cache-dir --directory --project --config-file --color --python-preference")
CLEARS = ("clear",)
# What making a virtual environment over an existing one rewrites inside it. Not its bin/: the
# interpreter links there are replaced, not written through (the interpreter they point at would
# count as written), and its activate scripts are venv's own templates, which `. .venv/bin/activate`
# runs as the environment's, not as content the agent chose.
REWRITTEN = ("pyvenv.cfg",)


def made(an: Analysis, cmd: Cmd, program: str, words, *, uv: bool = False) -> None:
    """Record what making the virtual environments ``words`` name does to their directories.

    ``uv venv`` makes ``.venv`` when no directory is named, and replaces an existing one unless
    ``--allow-existing`` keeps it."""
    p = argv.parse(list(words), UV_VALUE_OPTS if uv else VENV_VALUE_OPTS)
    dirs = [w for w in p.operands if not w.text.startswith("-")] or ([Word(".venv")] if uv else [])
    clears = p.has(*CLEARS) or (uv and not p.has("allow-existing"))
    for word in dirs:
        if clears:
            an.file("file_delete", word, cmd, ("r",), program=program)
        if word.dynamic:
            an.file("file_write", word, cmd, program=program)
            continue
        for name in REWRITTEN:
            an.file("file_write", Word(f"{word.text.rstrip('/')}/{name}"), cmd, program=program)


def install_dirs(an: Analysis, cmd: Cmd, program: str, p: argv.Parsed) -> None:
    """``pip install --target/--prefix/--root DIR``: the packages' files are written into ``DIR``."""
    for word in p.all("t", "target", "prefix", "root"):
        an.file("file_write", word, cmd, ("r",), program=program)


def _virtualenv(an: Analysis, cmd: Cmd, name: str) -> None:
    made(an, cmd, name, cmd.words[1:])


HANDLERS = {"virtualenv": _virtualenv}
