"""The filesystem as an analysis looks at it: every look goes through here, so an analysis can say
exactly what it saw.

Whether a path exists and what kind of file it is, where its links lead, what a directory lists,
what a file holds: each function below answers as ``os`` does (raising where ``os`` raises). While
an analysis is recorded (``record``/``stop``), each look is noted with its answer; ``unchanged``
asks them all again. ``seen`` notes a look of a caller's own (the session ledger's answers, an
archive's members) the same way. The daemon keeps an analysis of a call and uses it again only
while every answer is the same (``vectimus.analyser.replay``).
Standard library only: on the hook's path.
"""

from __future__ import annotations

import os
import posixpath
import stat as _stat
from collections.abc import Callable, Iterator

from vectimus.realpath import realpath as _realpath

MAX_ENTRIES = 100_000  # entries of one directory listed

# (look, its arguments) -> the answer it gave first, while an analysis is recorded; else None
_log: dict[tuple, object] | None = None


def record() -> dict | None:
    """Start noting every look (a new log, returned by ``stop``); the log already open, if any."""
    global _log
    outer, _log = _log, {}
    return outer


def stop(outer: dict | None) -> dict[tuple, object]:
    """Stop noting looks; the looks noted since ``record`` (the outer log, if any, is open again)."""
    global _log
    found, _log = _log or {}, outer
    if outer is not None:
        for key, answer in found.items():
            outer.setdefault(key, answer)
    return found


def recording() -> bool:
    """Whether looks are being noted."""
    return _log is not None


def unchanged(looks: dict[tuple, object]) -> bool:
    """Whether every look in ``looks`` gives the answer it gave when it was noted."""
    for (look, args), answer in looks.items():
        if _answer(look, args) != answer:
            return False
    return True


def seen(look: Callable, *args):
    """``look(*args)``, noted: a look whose answer depends only on its arguments and the filesystem."""
    try:
        answer = look(*args)
    except (OSError, ValueError) as exc:
        if _log is not None:
            _note(look, args, _failed(exc))
        raise
    if _log is not None:
        _note(look, args, _kept(answer))
    return answer


def noted(look: Callable, args: tuple, answer):
    """``answer``, noted as what ``look(*args)`` gave (a caller that holds the answer already)."""
    if _log is not None:
        _note(look, args, _kept(answer))
    return answer


def _answer(look: Callable, args: tuple):
    try:
        return _kept(look(*args))
    except Exception as exc:  # noqa: BLE001 - any other failure is no answer it gave: a change
        return _failed(exc)


def _kept(answer):
    """What is kept of an answer: file contents by length and hash, not in full."""
    if isinstance(answer, bytes):
        return len(answer), hash(answer)
    return answer


def _failed(exc: Exception) -> tuple:
    return ("error", type(exc).__name__, getattr(exc, "errno", None))


def _note(look: Callable, args: tuple, answer) -> None:
    _log.setdefault((look, args), answer)  # type: ignore[union-attr]


# -- what a path is -------------------------------------------------------------------------

def _answers(check: Callable[[str], bool]) -> Callable[[str], bool]:
    """``check`` (an ``os.path`` test of a path that never raises), noted while recording."""
    def look(path: str) -> bool:
        found = check(path)
        if _log is not None:
            _note(check, (path,), found)
        return found

    look.__doc__ = f"``os.path.{check.__name__}``."
    return look


isfile = _answers(os.path.isfile)
isdir = _answers(os.path.isdir)
exists = _answers(os.path.exists)
lexists = _answers(os.path.lexists)
islink = _answers(os.path.islink)


def executable(path: str) -> bool:
    """``os.access(path, os.X_OK)``."""
    return seen(_executable, path)


def _executable(path: str) -> bool:
    return os.access(path, os.X_OK)


def _status(info: os.stat_result) -> tuple:
    """What changes when a file does: its kind and identity, size, times."""
    return (info.st_mode, info.st_ino, info.st_dev, info.st_nlink, info.st_size, info.st_mtime_ns,
            info.st_ctime_ns)


def _stat_status(path: str) -> tuple:
    return _status(os.stat(path))


def stat(path: str) -> os.stat_result:
    """``os.stat`` (raises ``OSError`` as it does); noted whole: any change to the file counts."""
    try:
        info = os.stat(path)
    except (OSError, ValueError) as exc:
        if _log is not None:
            _note(_stat_status, (path,), _failed(exc))
        raise
    if _log is not None:
        _note(_stat_status, (path,), _status(info))
    return info


def mode(path: str) -> int | None:
    """``os.stat(path).st_mode`` (links followed), None when nothing is there: ``lmode``'s kin."""
    return _mode_of(_mode, path)


def lmode(path: str) -> int | None:
    """``os.lstat(path).st_mode``, None when nothing is there: what kind of file it is, whatever else
    changes about it. A path no file can have (a NUL byte, a name the filesystem cannot encode)
    raises ``ValueError``, as ``os.lstat`` does."""
    return _mode_of(_lmode, path)


def _mode_of(look: Callable, path: str) -> int | None:
    try:
        found = look(path)
    except ValueError as exc:
        if _log is not None:
            _note(look, (path,), _failed(exc))
        raise
    if _log is not None:
        _note(look, (path,), found)
    return found


def _mode(path: str) -> int | None:
    try:
        return os.stat(path).st_mode
    except OSError:
        return None


def _lmode(path: str) -> int | None:
    try:
        return os.lstat(path).st_mode
    except OSError:
        return None


def realpath(path: str) -> str:
    """``os.path.realpath`` (``vectimus.realpath``: one system call where the kernel can)."""
    found = _realpath(path)
    if _log is not None:
        _note(_realpath, (path,), found)
    return found


# -- what a directory lists -----------------------------------------------------------------

class Entry:
    """One entry of a directory as ``scandir`` saw it (``os.DirEntry``'s answers, taken at once)."""

    __slots__ = ("name", "path", "_dir", "_file", "_link", "_dir_self", "_file_self")

    def __init__(self, folder: str, name: str, kinds: tuple[bool, ...]) -> None:
        self.name = name
        self.path = posixpath.join(folder, name)
        self._dir, self._file, self._link, self._dir_self, self._file_self = kinds

    def is_dir(self, *, follow_symlinks: bool = True) -> bool:
        return self._dir if follow_symlinks else self._dir_self

    def is_file(self, *, follow_symlinks: bool = True) -> bool:
        return self._file if follow_symlinks else self._file_self

    def is_symlink(self) -> bool:
        return self._link


def _listing(folder: str, limit: int) -> tuple[tuple[str, tuple[bool, ...]], ...]:
    out: list[tuple[str, tuple[bool, ...]]] = []
    with os.scandir(folder) as entries:
        for e in entries:
            if len(out) >= limit:
                break
            link = e.is_symlink()
            dir_self, file_self = e.is_dir(follow_symlinks=False), e.is_file(follow_symlinks=False)
            try:
                kinds = (e.is_dir(), e.is_file()) if link else (dir_self, file_self)
            except OSError:
                kinds = (False, False)
            out.append((e.name, (*kinds, link, dir_self, file_self)))
    return tuple(out)


def scandir(folder: str, limit: int = MAX_ENTRIES) -> list[Entry]:
    """The first ``limit`` entries of ``folder`` in the order ``os.scandir`` gives them (raises
    ``OSError`` as it does)."""
    return [Entry(folder, name, kinds) for name, kinds in seen(_listing, folder, limit)]


def listdir(folder: str, limit: int = MAX_ENTRIES) -> list[str]:
    """``os.listdir``, its first ``limit`` names (raises ``OSError`` as it does)."""
    return [entry.name for entry in scandir(folder, limit)]


def walk(top: str) -> Iterator[tuple[str, list[str], list[str]]]:
    """``os.walk(top)``: top down, not into linked directories, unreadable ones skipped; the caller
    may prune the directory list it is handed."""
    try:
        entries = scandir(top)
    except (OSError, ValueError):
        return
    dirs = [e.name for e in entries if e.is_dir()]
    files = [e.name for e in entries if not e.is_dir()]
    yield top, dirs, files
    linked = {e.name for e in entries if e.is_symlink()}
    for name in dirs:
        if name not in linked:
            yield from walk(posixpath.join(top, name))


def glob(pattern: str, *, recursive: bool = False, limit: int = MAX_ENTRIES) -> list[str]:
    """The first ``limit`` paths ``glob.iglob`` gives, sorted when it gave them all."""
    return list(seen(_globbed, pattern, recursive, limit))


def _globbed(pattern: str, recursive: bool, limit: int) -> tuple[str, ...]:
    import glob as _glob
    import itertools

    found = tuple(itertools.islice(_glob.iglob(pattern, recursive=recursive), limit))
    return found if len(found) == limit else tuple(sorted(found))


# -- what a file holds ----------------------------------------------------------------------

class NotRegular(OSError):
    """The path is a directory, a FIFO, a device or a socket: nothing is read from it."""


def read(path: str, limit: int) -> bytes:
    """The first ``limit`` bytes of the regular file at ``path``; more than ``limit`` bytes only to
    say the file is longer (``limit + 1`` are read). Opened without blocking, never a FIFO or a
    device (``NotRegular``); raises ``OSError`` (``ValueError`` for a NUL byte) as ``os.open`` does."""
    return seen(_read, path, limit)


def _read(path: str, limit: int) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    try:
        if not _stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegular(f"{path}: not a regular file")
        data = b""
        while len(data) <= limit:
            more = os.read(fd, limit + 1 - len(data))
            if not more:
                break
            data += more
        return data
    finally:
        os.close(fd)


def read_text(path: str, limit: int) -> str:
    """``read``, decoded as UTF-8 (what does not decode is replaced)."""
    return read(path, limit).decode("utf-8", "replace")
