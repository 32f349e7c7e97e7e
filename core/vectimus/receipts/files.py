"""Opening a project's ``.vectimus/`` directories and files without following links.

A cloned repository decides what its ``.vectimus/`` holds, so nothing there is trusted to be what
its name says: each directory is opened ``O_NOFOLLOW | O_DIRECTORY`` relative to its parent's
descriptor and must belong to this user, each file ``O_NOFOLLOW`` relative to its directory and
must be a regular file. A symbolic link, a FIFO or another user's file is never written through.
The hook client reads the resident evaluator's receipt through it, so it imports only what a bare
interpreter has already loaded (not even ``__future__``). ``signature`` is how a long-lived process
(the daemon, a cached signing key) tells that a file changed.
"""

import errno
import os
import stat
import time

DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
FILE_FLAGS = os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK  # O_NONBLOCK: a FIFO never blocks the open


def signature(path) -> tuple | None:
    """``(mtime_ns, ctime_ns, size, inode)`` of ``path`` (followed if a link): another value means
    the file changed; None when it cannot be seen."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)


class UnsafePath(OSError):
    """A path that is a link, not the expected kind of file, or not this user's."""


def open_dir(name: str, dir_fd: int | None = None, *, create: bool = False, mode: int = 0o755) -> int:
    """A descriptor of directory ``name`` (relative to ``dir_fd``), created when ``create``.

    Raises ``UnsafePath`` when it is a symbolic link, not a directory or another user's, and
    ``FileNotFoundError`` when it is missing and not to be created.
    """
    try:
        fd = os.open(name, DIR_FLAGS, dir_fd=dir_fd)
    except FileNotFoundError:
        if not create:
            raise
        try:
            os.mkdir(name, mode, dir_fd=dir_fd)
        except FileExistsError:
            pass
        return open_dir(name, dir_fd)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            raise UnsafePath(exc.errno, f"{name} is a symbolic link or not a directory") from None
        raise
    owner = os.fstat(fd).st_uid
    if owner != os.getuid():
        os.close(fd)
        raise UnsafePath(errno.EPERM, f"{name} belongs to uid {owner}, not {os.getuid()}")
    return fd


def open_file(name: str, flags: int, dir_fd: int, mode: int = 0o644) -> int:
    """A descriptor of regular file ``name`` in ``dir_fd``; ``UnsafePath`` for a link or anything else."""
    try:
        fd = os.open(name, flags | FILE_FLAGS, mode, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafePath(exc.errno, f"{name} is a symbolic link") from None
        raise
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid():
        os.close(fd)
        raise UnsafePath(errno.EPERM, f"{name} is not a regular file of this user")
    os.set_blocking(fd, True)
    return fd


def is_regular(name: str, dir_fd: int) -> bool | None:
    """True for a regular file, False for anything else (a link, a directory), None when absent."""
    try:
        return stat.S_ISREG(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except FileNotFoundError:
        return None


def write_all(fd: int, data: bytes) -> None:
    """Append ``data`` to ``fd`` (opened ``O_APPEND``) completely, or leave the file as it was.

    A write cut short (a full disk) is truncated back, so no torn line is left behind.
    """
    start = os.fstat(fd).st_size
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(fd, view):]
    except OSError:
        os.ftruncate(fd, start)
        raise


def replace_file(name: str, data: bytes, dir_fd: int, mode: int = 0o644, *, locked: bool = False) -> None:
    """Write ``name`` in ``dir_fd`` atomically (``vectimus.atomic.write``: a link is replaced, not followed).

    ``locked``: the caller holds the directory's lock, so one fixed temporary name serves (a
    writer killed half-way leaves no stray file behind for long).
    """
    from vectimus import atomic

    atomic.write(name, data, mode, dir_fd=dir_fd, temporary=f".{name}.tmp" if locked else None)


def set_aside(name: str, dir_fd: int) -> str:
    """Rename ``name`` (whatever it is: a link is renamed, not followed) out of the way; return the new name."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    aside = f"{name}.set-aside-{stamp}-{os.urandom(3).hex()}"
    os.rename(name, aside, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    return aside
