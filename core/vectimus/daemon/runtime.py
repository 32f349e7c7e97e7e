"""Where the evaluator lives: a private per-user directory holding its socket, pidfile and lock.

Standard library only: the hook client uses it on every call. The directory is
``$XDG_RUNTIME_DIR/vectimus`` when that variable names an absolute path, else
``<vectimus home>/run`` (``~/.vectimus/run``). It must be a real directory (not a symlink) owned
by this user with no group or other permissions; otherwise it is refused and the hook evaluates
in-process. Files are named by the installation (version, package directory, interpreter), so two
installations never share a daemon, while one daemon serves every project and HOME of the user.
"""

import os
import stat
import sys

from vectimus.daemon.protocol import identity
from vectimus.layout import vectimus_home

SOCKET_PATH_MAX = 107  # sun_path holds 108 bytes including the terminating NUL
DAEMON_MODULE = "vectimus.daemon"


class RuntimeDirError(OSError):
    """The runtime directory cannot be used safely (or at all)."""


def supported() -> bool:
    """Whether this platform has what the daemon needs (unix sockets with SO_PEERCRED)."""
    return sys.platform.startswith("linux")


def disabled_by_env(env) -> bool:
    """``VECTIMUS_DAEMON=0|off|false|no`` turns the resident evaluator off for this process."""
    return env.get("VECTIMUS_DAEMON", "").strip().lower() in ("0", "off", "false", "no")


def runtime_dir(env) -> str:
    """The directory the daemon's files live in (not checked; see ``private_dir``)."""
    xdg = env.get("XDG_RUNTIME_DIR", "")
    if xdg and os.path.isabs(xdg):
        return os.path.join(xdg, "vectimus")
    return os.path.join(vectimus_home(env), "run")


def check_private(path: str) -> None:
    """Raise RuntimeDirError unless ``path`` is a directory of ours, closed to everyone else."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        raise RuntimeDirError(f"{path} does not exist") from None
    if not stat.S_ISDIR(st.st_mode):
        raise RuntimeDirError(f"{path} is not a directory")
    if st.st_uid != os.getuid():
        raise RuntimeDirError(f"{path} is owned by uid {st.st_uid}, not {os.getuid()}")
    if st.st_mode & 0o077:
        raise RuntimeDirError(f"{path} is accessible to group or others (mode {stat.S_IMODE(st.st_mode):o})")


def private_dir(env, *, create: bool = False) -> str:
    """The checked runtime directory (created 0700 when ``create``); raises RuntimeDirError."""
    path = runtime_dir(env)
    if create:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            pass
    check_private(path)
    return path


def installation_key() -> str:
    """A short stable name for this installation (64-bit FNV-1a of its identity, in hex)."""
    value = 0xCBF29CE484222325
    for byte in identity():
        value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{value:016x}"


class Files:
    """The daemon's files in a runtime directory."""

    def __init__(self, directory: str, key: str | None = None):
        key = key or installation_key()
        self.directory = directory
        self.socket = os.path.join(directory, f"{key}.sock")
        self.pid = os.path.join(directory, f"{key}.pid")
        self.lock = os.path.join(directory, f"{key}.lock")
        self.log = os.path.join(directory, f"{key}.log")
        self.spawned = os.path.join(directory, f"{key}.spawned")
        if len(os.fsencode(self.socket)) > SOCKET_PATH_MAX:
            raise RuntimeDirError(f"socket path too long for a unix socket: {self.socket}")


def files(env, *, create: bool = False) -> Files:
    """The daemon's files for this user and installation; raises RuntimeDirError."""
    return Files(private_dir(env, create=create))


def daemon_argv() -> list[str]:
    """How the daemon is started: the interpreter in isolated mode (no PYTHON* variables, no cwd)."""
    return [sys.executable, "-I", "-m", DAEMON_MODULE]


def is_daemon_process(pid: int) -> bool:
    """Whether ``pid`` runs this installation's daemon (its command line starts with ``daemon_argv``)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            argv = fh.read().split(b"\0")
    except OSError:
        return False
    want = [os.fsencode(a) for a in daemon_argv()]
    return argv[:len(want)] == want
