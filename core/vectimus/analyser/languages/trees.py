"""Trees that code lands in a directory: a directory copied into another (``shutil.copytree`` with
``dirs_exist_ok``, ``fs.cpSync``) and an archive unpacked (``tarfile``, ``zipfile``,
``shutil.unpack_archive``). What lands is judged as the shell's ``cp -a src/. dst`` and ``tar -xf``
are (``programs.tree_writes``, ``programs.archive_members``): the protected files it replaces are
written, and a tree Vectimus cannot see over protected files is an ``unseen-tree`` write.
"""

from __future__ import annotations

from vectimus.analyser.context import Word
from vectimus.analyser.languages.values import Val, words


def copied(fx, src: Val, dst: Val) -> None:
    """The directory ``src`` copied into the existing directory ``dst`` (its contents merged)."""
    from vectimus.analyser.programs import tree_writes

    sources = [Word(w.text.rstrip("/") + "/.", w.dynamic, w.glob) for w in words(src, path=True)]
    for dest in words(dst, path=True):
        tree_writes.merged(fx.an, fx.cmd, fx.prog, sources, dest, False)


def unpacked(fx, archive: Val | None, into: Val | None, zipped: bool, wanted: Val | None = None) -> None:
    """The archive at ``archive`` (None: one Vectimus cannot name, a file object) unpacked into
    ``into`` (the working directory when None), only the member ``wanted`` when given."""
    from vectimus.analyser.programs import archive_members

    names = [Word("an archive in memory", dynamic=True)] if archive is None else words(archive, path=True)
    chosen = [w for w in words(wanted) if not w.dynamic] if wanted is not None else []
    for dest in [None] if into is None else words(into, path=True):
        if dest is not None:
            fx.file("file_write", into)
        for name in names:
            archive_members.extracted(fx.an, fx.cmd, fx.prog, name, dest, zipped=zipped, wanted=chosen)
