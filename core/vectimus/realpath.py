"""Resolving a path's symbolic links in one system call where the kernel can do it.

``os.path.realpath`` walks a path a component at a time, an ``lstat`` each; the analyser resolves
a dozen paths for every call. For a path that exists, Linux resolves it whole when it is opened
``O_PATH`` (no access to its content, so a FIFO or a device is never opened for I/O), and
``/proc/self/fd`` names what it found. Anything else (a missing path, a loop, no ``/proc``, another
system) goes to ``os.path.realpath``, whose answer for an existing path this one equals.
Standard library only: used on the hook's path.
"""

import os

_FLAGS = getattr(os, "O_PATH", 0) and os.O_PATH | os.O_CLOEXEC


def realpath(path: str) -> str:
    """``os.path.realpath(path)``."""
    if _FLAGS:
        try:
            fd = os.open(path, _FLAGS)
        except (OSError, ValueError):
            return os.path.realpath(path)
        try:
            found = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            found = ""
        finally:
            os.close(fd)
        if found.startswith("/") and not found.endswith(" (deleted)"):
            return found
    return os.path.realpath(path)
