"""Write a file whole or not at all: the one way Vectimus replaces a file it owns.

Standard library only, and nothing a bare interpreter has not loaded: used on the hot path.
"""

import os

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0)


def write(path: "str | os.PathLike", data: "str | bytes", mode: int = 0o666, *, dir_fd: "int | None" = None,
          temporary: "str | None" = None) -> None:
    """Replace ``path`` with ``data`` (text is UTF-8): written to a temporary file beside it, named
    for this process and never opened through a link, then renamed over ``path``, so a reader sees
    the old file or the new one and a crash leaves no half-written file behind. ``mode`` is the new
    file's (the umask applies); ``dir_fd``: ``path`` is a name in that open directory;
    ``temporary``: the temporary file's name, for a writer that holds a lock (no pid in it)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    target = os.fspath(path)
    head, name = os.path.split(target)
    tmp = os.path.join(head, temporary or f".{name}.{os.getpid()}.tmp")
    try:
        os.unlink(tmp, dir_fd=dir_fd)  # left by a killed process that had this pid
    except FileNotFoundError:
        pass
    fd = os.open(tmp, _FLAGS, mode, dir_fd=dir_fd)
    try:
        try:
            view = memoryview(raw)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        os.replace(tmp, target, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        try:
            os.unlink(tmp, dir_fd=dir_fd)
        except OSError:
            pass
        raise

