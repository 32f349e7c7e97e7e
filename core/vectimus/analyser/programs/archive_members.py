"""Where an extracted archive's members land: the member names of a tar or zip archive a call
extracts, read at hook time from its index (bounded), so that unpacking over Vectimus's or an
agent's files is judged as writing them (``tar -xf a.tar`` holding ``.claude/settings.local.json``).

Only the members whose path says something (a governance, Vectimus, persistence, CI or secret file,
anything outside the project) become actions: the write of the destination directory stands for
the rest. An archive that cannot be read now (read from a pipe, globbed or computed when the command
runs, missing, not a regular file, too large, another format) is a tree Vectimus cannot see
(``tree_writes.unseen``). ``tarfile`` and ``zipfile`` are imported only when a call extracts an archive.
"""

from __future__ import annotations

import fnmatch
import os
import posixpath
import stat

from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus import world

MAX_ARCHIVE_BYTES = 64 * 1024 * 1024   # a compressed tar is read through to list it
MAX_MEMBERS = 4096
MAX_RECORDED = 64


def names(path: str, zipped: bool) -> list[str] | None:
    """The member names of the tar (any compression ``tarfile`` reads) or zip archive at ``path``
    (``zipped``: zip first; either way the other format is tried when it is not one); None when
    it cannot be listed within the bounds. A look ``world`` notes."""
    found = world.seen(_listed, path, zipped)
    return list(found) if found is not None else None


def _listed(path: str, zipped: bool) -> tuple[str, ...] | None:
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_ARCHIVE_BYTES:
        return None
    import zipfile

    try:
        if zipped or zipfile.is_zipfile(path):  # bsdtar, 7z and jar read both
            with zipfile.ZipFile(path) as archive:
                found = archive.namelist()
                return tuple(found) if len(found) <= MAX_MEMBERS else None
        import tarfile

        out: list[str] = []
        with tarfile.open(path, "r:*") as archive:
            for member in archive:
                out.append(member.name)
                if len(out) > MAX_MEMBERS:
                    return None
        return tuple(out)
    except Exception:  # noqa: BLE001 - a corrupt or foreign archive: its members are unknown
        return None


def extracted(an: Analysis, cmd: Cmd, program: str, archive: Word, into: Word | None, *, zipped: bool,
              wanted: list[Word] | tuple[Word, ...] = (), strip: int = 0, absolute: bool = False,
              flat: bool = False) -> None:
    """Record writes of the members of ``archive`` that land on a notable path when extracted into
    ``into`` (the command's directory when None): only those ``wanted`` names when given, with
    ``strip`` leading components removed; ``absolute`` keeps a leading "/" (``tar -P``); ``flat``
    drops every directory."""
    if into is not None and into.dynamic:
        return
    members = None if archive.dynamic or archive.glob else names(an.resolve(archive, cmd.scope), zipped)
    if members is None:
        from vectimus.analyser.programs import tree_writes

        tree_writes.unseen(an, cmd, program, into, f"an archive Vectimus cannot list ({archive.text}) unpacked")
        return
    base = an.resolve(into or Word("."), cmd.scope).rstrip("/") or "/"
    prefixes = [w.text.strip("/") for w in wanted if not w.dynamic]
    recorded = 0
    for name in members:
        parts = [p for p in name.split("/") if p not in ("", ".", "..")][strip:]
        parts = parts[-1:] if flat else parts  # (7z e: every member into one directory)
        if not parts or prefixes and not _wanted(name.strip("/"), prefixes):
            continue
        path = "/" + "/".join(parts) if absolute and name.startswith("/") else posixpath.join(base, *parts)
        facts = an.target(Word(path), cmd.scope)
        if (facts.in_project and not facts.is_governance and not facts.is_vectimus and not facts.is_persistence
                and not facts.is_agent_instructions and not facts.is_ci_config and not facts.is_secret):
            continue
        an.file("file_write", Word(path), cmd, program=program)
        recorded += 1
        if recorded >= MAX_RECORDED:
            return


def _wanted(name: str, wanted: list[str]) -> bool:
    """Whether the member ``name`` is one of those named (a directory's members too; a pattern as
    tar and unzip match it)."""
    return any(name == w or name.startswith(w + "/") or fnmatch.fnmatchcase(name, w) for w in wanted)
