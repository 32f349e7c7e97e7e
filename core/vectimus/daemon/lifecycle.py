"""Starting, stopping and inspecting the resident evaluator (hook autostart and ``vectimus daemon``).

The daemon is started detached (its own session, stdin from /dev/null, output to its log) with
``posix_spawn``, so that the hook that starts it returns at once and the agent never waits on it.
It is stopped with SIGTERM to the pid in its pidfile, after checking that the pid really runs this
installation's daemon. Nothing here talks to the socket except ``status``'s connect test.
"""

from __future__ import annotations

import fcntl
import os
import signal
import time

from vectimus.daemon import runtime
from vectimus.records import Record

SPAWN_BACKOFF = 10.0  # seconds between two automatic start attempts


class Status(Record):
    """What ``vectimus daemon status`` reports."""

    running: bool
    pid: int | None
    socket: str
    directory: str
    log: str
    accepting: bool = False
    started: float | None = None


def lock_held(files: runtime.Files) -> bool:
    """Whether a daemon of this installation holds its lock (is running or starting)."""
    try:
        fd = os.open(files.lock, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing releases a lock we took
    return False


def running_pid(files: runtime.Files, wait: float = 1.0) -> int | None:
    """The pid of this installation's running daemon, checked against its command line.

    A daemon that holds the lock but has not written its pidfile yet is waited for up to ``wait``.
    """
    deadline = time.monotonic() + wait
    while lock_held(files):
        try:
            with open(files.pid) as fh:
                pid = int(fh.read().strip())
            if runtime.is_daemon_process(pid):
                return pid
        except (OSError, ValueError):
            pass
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.02)
    return None


def spawn(env: dict[str, str], files: runtime.Files, idle_timeout: float) -> int:
    """Start the daemon detached; return its pid."""
    argv = [*runtime.daemon_argv(), "--idle-timeout", str(idle_timeout)]
    actions = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
               (os.POSIX_SPAWN_OPEN, 1, files.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600),
               (os.POSIX_SPAWN_DUP2, 1, 2)]
    return os.posix_spawn(argv[0], argv, env, file_actions=actions, setsid=True)


def autostart(env: dict[str, str], config) -> None:
    """After an in-process evaluation: start the daemon in the background if config allows; never raises."""
    try:
        if runtime.disabled_by_env(env) or not runtime.supported() or not config.daemon_enabled:
            return
        files = runtime.files(env, create=True)
        if lock_held(files):
            return
        try:
            if time.time() - os.stat(files.spawned).st_mtime < SPAWN_BACKOFF:
                return  # started moments ago (or failing to start): do not pile up attempts
        except FileNotFoundError:
            pass
        with open(files.spawned, "w"):
            pass
        spawn(env, files, config.daemon_idle_timeout)
    except Exception:
        pass  # a daemon that cannot start only costs speed


def accepting(files: runtime.Files) -> bool:
    """Whether something accepts connections on the daemon's socket."""
    import socket

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        try:
            sock.connect(files.socket)
        except OSError:
            return False
    return True


def status(env: dict[str, str]) -> Status:
    """The daemon's state for this user and installation (raises RuntimeDirError)."""
    files = runtime.files(env, create=True)
    pid = running_pid(files)
    started = None
    if pid is not None:
        try:
            started = os.stat(files.pid).st_mtime
        except OSError:
            pass
    return Status(running=pid is not None, pid=pid, socket=files.socket, directory=files.directory,
                  log=files.log, accepting=pid is not None and accepting(files), started=started)


def start(env: dict[str, str], idle_timeout: float, wait: float = 10.0) -> Status:
    """Start the daemon unless it runs, and wait until it accepts connections."""
    files = runtime.files(env, create=True)
    if running_pid(files) is None:
        spawn(env, files, idle_timeout)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        current = status(env)
        if current.accepting:
            return current
        time.sleep(0.05)
    return status(env)


def stop(env: dict[str, str], wait: float = 10.0) -> int | None:
    """Stop the running daemon (SIGTERM, then SIGKILL after ``wait``); return its pid, or None."""
    files = runtime.files(env, create=True)
    pid = running_pid(files)
    if pid is None:
        return None
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if not lock_held(files):
            _reap(pid)
            return pid
        time.sleep(0.02)
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + wait
    while lock_held(files) and time.monotonic() < deadline:
        time.sleep(0.02)
    _reap(pid)
    return pid


def _reap(pid: int) -> None:
    """Collect the exit status if the daemon was our own child (tests, ``daemon start`` in-process)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
