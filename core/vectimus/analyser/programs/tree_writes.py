"""Files a command writes that its own words do not name: the files a patch changes (``patch``,
``git apply``) and the protected files a recursive copy of a tree lands on (``cp -a stage/. .``,
``rsync -a stage/ ./``). Each such file becomes a write of its path, so writing the hook settings
this way is judged as writing them directly. A tree Vectimus cannot see (an archive piped in, globbed,
computed when the command runs or not readable now; a source directory it cannot resolve) landing on a
directory that holds protected files is one write of that directory with the risk ``unseen-tree``.

Standard library only: used when a call runs patch, git apply, or copies a tree.
"""

from __future__ import annotations

import posixpath
import re

from vectimus.analyser import runs
from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.model import Action
from vectimus import world

MAX_TARGETS = 256
_TARGET = re.compile(r"^(?:\+\+\+ |\*\*\* |--- |rename to |copy to |diff --git \S+ )(\S[^\t\n]*)", re.M)


def patched(an: Analysis, cmd: Cmd, program: str, text: str | None, strip: int | None, into: Word | None) -> None:
    """Record a write of every file the patch ``text`` names, ``strip`` leading components removed
    (None: with and without git's ``a/``/``b/``), below ``into`` (the command's directory)."""
    if not text:
        return
    base = "" if into is None else into.text.rstrip("/") + "/"
    seen: set[str] = set()
    for name in _TARGET.findall(text)[:MAX_TARGETS]:
        name = name.strip().strip('"')
        if name == "/dev/null":
            continue
        parts = [p for p in name.split("/") if p]
        for cut in ([strip] if strip is not None else [0, 1]):
            path = "/".join(parts[cut:])
            if path and path not in seen:
                seen.add(path)
                an.file("file_write", Word(base + path, into is not None and into.dynamic), cmd, program=program)


def patch_text(an: Analysis, cmd: Cmd, word: Word | None) -> str | None:
    """The text of the patch file ``word`` names, or of the command's input when None."""
    if word is None:
        return runs.input_text(an, cmd.stdin, cmd.scope)
    if word.dynamic:
        return None
    return runs.read(an, an.resolve(word, cmd.scope))[0]


def merged(an: Analysis, cmd: Cmd, program: str, sources: list[Word], dest: Word, slash_is_contents: bool) -> None:
    """The protected files below the directory ``dest`` that a recursive copy of ``sources`` replaces:
    those the source tree holds at the same place (``src/.``, and rsync's ``src/``, copy a tree's
    contents; ``src`` copies the tree itself)."""
    if dest.dynamic:
        return
    base = an.resolve(dest, cmd.scope).rstrip("/") or "/"
    if not world.isdir(base):
        return
    inside = an.protected_inside(base)
    if not inside:
        return
    for src in sources:
        if src.dynamic or src.glob or ":" in src.text.split("/", 1)[0]:
            unseen(an, cmd, program, dest, f"a tree Vectimus cannot see ({src.text}) copied over protected files")
            continue
        path = an.resolve(src, cmd.scope).rstrip("/")
        contents = src.text.endswith("/.") or (slash_is_contents and src.text.endswith("/"))
        name = posixpath.basename(path)
        for protected in inside:
            rel = posixpath.relpath(protected, base)
            if not contents:
                if not rel.startswith(name + "/"):
                    continue
                rel = rel[len(name) + 1:]
            if world.lexists(posixpath.join(path, rel)):
                an.file("file_write", Word(protected), cmd, program=program)


UNSEEN = "unseen-tree"


def unseen(an: Analysis, cmd: Cmd, program: str, into: Word | None, why: str) -> None:
    """Files Vectimus cannot see now land in the directory ``into`` (the command's when None): when it
    holds protected files (the project root holds the hook settings), one write of it with the risk
    ``unseen-tree`` and ``why`` in its ``via``, which the packs judge (the files might be the hook's)."""
    into = into or Word(".")
    if into.dynamic or cmd.scope.cwd_dynamic and not into.text.startswith("/"):
        return
    base = an.resolve(into, cmd.scope).rstrip("/") or "/"
    if not world.isdir(base) or not an.protected_inside(base):
        return
    an.add(Action(kind="file_write", resource=base, program=program, target=an.target(Word(base), cmd.scope),
                  via=(*cmd.via, why), raw=cmd.raw, dynamic=True, risk=UNSEEN))
