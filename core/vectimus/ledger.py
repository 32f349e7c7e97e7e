"""The session ledger: the files the agent wrote in this session, and how each write was judged.

When a command later runs one of those files, the analyser reads the file as it is then and
judges that code; the ledger tells it whose file it is. Code the agent wrote that Vectimus cannot
analyse (a binary, a file too large, a language it does not know) runs only after a person
approves it (``vectimus-codexec-006``); files that came with the repository are not held up.
Writes whose path Vectimus could not resolve are remembered by time: from then on, any file
changed since counts as the agent's.

One small JSON file per session under ``<vectimus home>/sessions/`` (mode 0600 in a 0700
directory), updated under an exclusive lock and replaced atomically, so the in-process hook and
the resident evaluator read and write the same record. Bounded: past ``MAX_FILES`` entries the
ledger stops listing files and treats every file as the agent's. A ledger that cannot be read is
treated the same way; one that cannot be written denies the call (``LedgerError``).
Standard library only: used on the hot path.
"""

from __future__ import annotations

import json
import os
import time

from vectimus import atomic, world
from vectimus.errors import VectimusError
from vectimus.layout import vectimus_home
from vectimus.sha256 import sha256

FORMAT = 1
MAX_FILES = 2000
LOCK_SECONDS = 2.0
KEEP_SECONDS = 7 * 24 * 3600   # session files older than this are removed when a session starts
VERDICTS = ("allow", "observe", "ask")


class LedgerError(VectimusError):
    """The session ledger could not be written; the call is denied with this one-line reason."""


def session_key(agent: str, session: str, project: str) -> str:
    """The file name stem of one session's ledger."""
    return sha256(f"{agent}\0{session}\0{project}".encode("utf-8", "surrogateescape")).hexdigest()[:32]


def directory(env) -> str:
    """Where session ledgers live: ``<vectimus home>/sessions``."""
    return os.path.join(vectimus_home(env), "sessions")


def digest(text: str) -> str:
    """The SHA-256 of ``text`` as the file holds it (UTF-8)."""
    return sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


class Ledger:
    """One session's record, as read from its file (empty when there is none yet)."""

    __slots__ = ("files", "unseen_since", "full")

    def __init__(self, data: dict | None = None) -> None:
        data = data or {}
        self.files: dict[str, list] = data.get("files", {})
        self.unseen_since: float | None = data.get("unseen_since")
        self.full: bool = bool(data.get("full"))

    def wrote(self, path: str) -> bool:
        """True when the agent wrote or may have changed ``path`` in this session."""
        if self.full or path in self.files:
            return True
        if self.unseen_since is None:
            return False
        try:
            return os.stat(path).st_ctime >= self.unseen_since
        except OSError:
            return False

    def as_dict(self) -> dict:
        return {"format": FORMAT, "files": self.files, "unseen_since": self.unseen_since, "full": self.full}


def load(env, agent: str, session: str, project: str) -> Ledger:
    """The session's ledger; an unreadable or corrupt one counts every file as the agent's."""
    return _load_file(os.path.join(directory(env), session_key(agent, session, project) + ".json"))


def _load_file(path: str) -> Ledger:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        return Ledger()
    except (OSError, ValueError):
        return Ledger({"full": True})
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("files"), dict):
        return Ledger({"full": True})
    return Ledger(data)


class Seen:
    """A session's ledger as an analysis sees it: read once, and each answer it gives noted as a
    look (``vectimus.world``), so an analysis kept for a call is used again only while the ledger
    answers the same (a file the agent writes later changes only the answers that depend on it)."""

    __slots__ = ("file", "_ledger")

    def __init__(self, file: str) -> None:
        self.file = file
        self._ledger = _read(file)

    @property
    def files(self) -> tuple[str, ...]:
        """The files the agent wrote, oldest first."""
        return world.noted(_files, (self.file,), tuple(self._ledger.files))

    @property
    def full(self) -> bool:
        """Whether every file counts as the agent's (the ledger is full or unreadable)."""
        return world.noted(_full, (self.file,), self._ledger.full)

    @property
    def unseen_since(self) -> float | None:
        """Since when any file changed counts as the agent's (None: no write went unseen)."""
        return world.noted(_unseen_since, (self.file,), self._ledger.unseen_since)

    def entry(self, path: str) -> list | None:
        """The ledger's entry for ``path`` ([digest, verdict]), or None."""
        found = world.noted(_entry, (self.file, path), _entry_of(self._ledger, path))
        return list(found) if found is not None else None

    def wrote(self, path: str) -> bool:
        """``Ledger.wrote``."""
        return world.noted(_wrote, (self.file, path), self._ledger.wrote(path))


def seen(env, agent: str, session: str, project: str) -> Seen:
    """The session's ledger as an analysis sees it (``Seen``)."""
    return Seen(os.path.join(directory(env), session_key(agent, session, project) + ".json"))


_last: tuple[str, tuple, Ledger] | None = None  # the ledger file read last: its path, status and contents


def _read(file: str) -> Ledger:
    """The ledger in ``file``, read again only when the file changed (``load``'s rules)."""
    global _last
    try:
        info = os.stat(file)
        status: tuple = (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
    except OSError as exc:
        status = (exc.errno,)
    if _last is not None and _last[0] == file and _last[1] == status:
        return _last[2]
    found = _load_file(file)
    _last = (file, status, found)
    return found


def _files(file: str) -> tuple[str, ...]:
    return tuple(_read(file).files)


def _full(file: str) -> bool:
    return _read(file).full


def _unseen_since(file: str) -> float | None:
    return _read(file).unseen_since


def _entry(file: str, path: str) -> tuple | None:
    return _entry_of(_read(file), path)


def _entry_of(ledger: Ledger, path: str) -> tuple | None:
    found = ledger.files.get(path)
    return tuple(found) if isinstance(found, list) else found


def _wrote(file: str, path: str) -> bool:
    return _read(file).wrote(path)


def remember(env, agent: str, session: str, project: str, written: dict[str, str | None],
             unseen: bool, verdict: str) -> None:
    """Add the files one call writes (path -> the text written, None when unknown) to its session."""
    if not written and not unseen:
        return
    import fcntl

    folder = directory(env)
    key = session_key(agent, session, project)
    path = os.path.join(folder, key + ".json")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        lock = os.open(os.path.join(folder, key + ".lock"), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise LedgerError(f"cannot open the session ledger ({exc.strerror})") from None
    try:
        _acquire(lock, fcntl)
        new = not os.path.exists(path)
        ledger = load(env, agent, session, project)
        now = time.time()
        for name, text in written.items():
            if ledger.full:
                break
            if len(ledger.files) >= MAX_FILES and name not in ledger.files:
                ledger.full, ledger.files = True, {}
                break
            ledger.files[name] = [None if text is None else digest(text), verdict, round(now, 3)]
        if unseen and ledger.unseen_since is None:
            ledger.unseen_since = now - 1.0  # file systems keep coarse timestamps
        _write(path, ledger.as_dict())
        if new:
            _prune(folder, keep=key)
    except OSError as exc:
        raise LedgerError(f"cannot write the session ledger ({exc.strerror or exc})") from None
    finally:
        os.close(lock)


def _acquire(fd: int, fcntl) -> None:
    deadline = time.monotonic() + LOCK_SECONDS
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise LedgerError("the session ledger is locked by another process") from None
            time.sleep(0.01)


def _write(path: str, data: dict) -> None:
    atomic.write(path, json.dumps(data, separators=(",", ":")), 0o600)


def _prune(folder: str, keep: str) -> None:
    """Remove other sessions' ledgers not touched for ``KEEP_SECONDS``."""
    cutoff = time.time() - KEEP_SECONDS
    try:
        names = os.listdir(folder)[:10_000]
    except OSError:
        return
    for name in names:
        if name.startswith(keep):
            continue
        try:
            full = os.path.join(folder, name)
            if os.stat(full).st_mtime < cutoff:
                os.unlink(full)
        except OSError:
            continue
