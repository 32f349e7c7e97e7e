"""The resident evaluator: answers hook clients on a private unix socket with warm Evaluations.

One daemon per user and installation. It serves one connection at a time: each request runs
``vectimus.hook.respond.respond`` — the very function the in-process hook runs — in the client's working
directory and environment (both are switched to the client's for the request), with Evaluations
from an ``EvaluationCache``. So an answer is what the hook process would have printed itself.

Guards: the socket is 0600 in a 0700 directory of ours; the peer's uid (SO_PEERCRED) must be
ours; a request is bounded in size (``MAX_REQUEST_BYTES``) and time (``REQUEST_TIMEOUT``), and is
not started when its client's deadline is (nearly) past: that client evaluates in-process, and a
second evaluation here would record a second receipt for the same call. The
protocol only evaluates: ``daemon stop`` is a SIGTERM to the pid in the pidfile. The daemon exits
after ``idle_timeout`` seconds without a request, when its socket is removed or replaced, and when
its own code changes on disk (an upgrade); clients then evaluate in-process and start a new one.
"""

from __future__ import annotations

import argparse
import fcntl
import gc
import os
import signal
import socket
import sys
import time

from vectimus import atomic
from vectimus.daemon import protocol, runtime
from vectimus.daemon.cache import EvaluationCache
from vectimus.hook.record import Origin
from vectimus.hook.respond import respond
from vectimus.layout import project_candidates
from vectimus.receipts.files import signature

TICK = 1.0  # seconds between housekeeping checks while idle
SINK_STOP_TIMEOUT = 3.0  # seconds the receipt sinks get to finish background work at exit


class Declined(BaseException):
    """The project's config turns the resident evaluator off: the client evaluates itself.

    A BaseException so that the shared fail-closed handlers (which turn every Exception into a
    deny) let it through before anything is decided.
    """


def log(message: str) -> None:
    """One line to the daemon's log (its stderr)."""
    sys.stderr.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} vectimus daemon[{os.getpid()}]: {message}\n")
    sys.stderr.flush()


class CodeWatch:
    """Notices when a loaded Vectimus module's file changes on disk (an upgrade or an edit)."""

    def __init__(self):
        self.seen: dict[str, tuple | None] = {}
        self.checked = 0.0

    def _files(self) -> list[str]:
        return [str(m.__file__) for name, m in list(sys.modules.items())
                if name.startswith("vectimus") and getattr(m, "__file__", None)]

    def changed(self, every: float = 1.0) -> bool:
        """True once a watched file differs from when it was first seen (checked at most every ``every`` s)."""
        now = time.monotonic()
        if now - self.checked < every:
            return False
        self.checked = now
        for path in self._files():
            current = signature(path)
            if self.seen.setdefault(path, current) != current:
                return True
        return False


class Server:
    """The daemon's state and loop."""

    def __init__(self, files: runtime.Files, idle_timeout: float):
        self.files = files
        self.idle_timeout = idle_timeout
        self.cache = EvaluationCache()
        self.code = CodeWatch()
        self.identity = protocol.identity()
        self.sock: socket.socket | None = None
        self.inode: int | None = None
        self.busy = False
        self.stopping = False
        self.last = time.monotonic()
        self.served = 0
        self._env: dict[str, str] | None = None

    # ------------------------------------------------------------------ lifecycle
    def acquire(self) -> int | None:
        """Take the installation's lock (None: another daemon holds it)."""
        fd = os.open(self.files.lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        return fd

    def write_pid(self) -> None:
        """Write the pidfile (right after taking the lock, so ``stop`` finds a starting daemon)."""
        atomic.write(self.files.pid, f"{os.getpid()}\n", 0o600)

    def bind(self) -> None:
        """Listen on the socket (0600)."""
        try:
            os.unlink(self.files.socket)  # we hold the lock: whatever is there is stale
        except FileNotFoundError:
            pass
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)
        try:
            sock.bind(self.files.socket)
        finally:
            os.umask(old)
        os.chmod(self.files.socket, 0o600)
        sock.listen(64)
        self.sock = sock
        self.inode = os.stat(self.files.socket).st_ino

    def cleanup(self) -> None:
        """Remove the socket and pidfile if they are still ours."""
        try:
            if os.stat(self.files.socket).st_ino == self.inode:
                os.unlink(self.files.socket)
        except OSError:
            pass
        try:
            with open(self.files.pid) as fh:
                if fh.read().strip() == str(os.getpid()):
                    os.unlink(self.files.pid)
        except OSError:
            pass
        if self.sock is not None:
            self.sock.close()

    def terminate(self, signum, frame) -> None:
        self.stopping = True
        if not self.busy:
            raise SystemExit(0)

    def _still_ours(self) -> bool:
        try:
            return os.stat(self.files.socket).st_ino == self.inode
        except OSError:
            return False

    def serve(self) -> None:
        """Accept and answer requests until idle, stopped or stale."""
        self.code.changed(every=0)  # record the files loaded so far
        sock = self.sock
        if sock is None:
            raise RuntimeError("serve() before bind()")
        while not self.stopping:
            idle = time.monotonic() - self.last
            if idle >= self.idle_timeout:
                log(f"idle for {idle:.0f}s: exiting")
                return
            sock.settimeout(min(TICK, self.idle_timeout - idle))
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                if not self._still_ours():
                    log("socket removed or replaced: exiting")
                    return
                if self.code.changed():
                    log("Vectimus code changed on disk: exiting")
                    return
                continue
            self.busy = True
            try:
                self.answer(conn)
            finally:
                conn.close()
                self.busy = False
                self.last = time.monotonic()

    # ------------------------------------------------------------------ requests
    def answer(self, conn: socket.socket) -> None:
        """Read one request from ``conn`` and reply (or close without a word for a stranger)."""
        try:
            _, uid, _ = protocol.peer_credentials(conn)
            if uid != os.getuid():
                log(f"refused a connection from uid {uid}")
                return
            conn.settimeout(protocol.REQUEST_TIMEOUT)
            frames = protocol.read_message(conn, protocol.MAX_REQUEST_BYTES)
            if len(frames) != protocol.REQUEST_FRAMES or frames[0] != protocol.MAGIC:
                return
            deadline = float(frames[2])
            if time.time() > deadline - protocol.LATE_MARGIN:
                log("a request came too late: its client is deciding in-process")
                return  # evaluating now would record a second receipt for the same call
            reply = self.evaluate(frames[1], deadline, *frames[3:])
            conn.settimeout(protocol.REPLY_TIMEOUT)
            conn.sendall(reply)
            self.served += 1
        except protocol.Closed:
            pass  # a connect test (``vectimus daemon status``)
        except (OSError, ValueError) as exc:  # ProtocolError is a ValueError, as is a bad deadline
            log(f"dropped a request: {exc}")

    def evaluate(self, identity: bytes, deadline: float, agent: bytes, cwd: bytes, environ: bytes,
                 event: bytes, nonce: bytes) -> bytes:
        """The reply to one well-formed request: an answer only with the receipt that proves it."""
        if identity != self.identity or self.code.changed():
            self.stopping = True
            return protocol.reply(protocol.STALE)
        try:
            env = protocol.decode_env(environ)
            self.enter(os.fsdecode(cwd), env)
            nonce_text = nonce.decode("ascii")
            if len(nonce_text) != 32 or not set(nonce_text) <= set("0123456789abcdef"):
                raise protocol.ProtocolError("malformed nonce")
        except (OSError, UnicodeDecodeError, protocol.ProtocolError) as exc:
            return protocol.reply(protocol.ERROR, stderr=str(exc))
        origin = Origin(evaluator="daemon", nonce=nonce_text, deadline=deadline - protocol.LATE_MARGIN / 2)
        try:
            out = respond(agent.decode("utf-8", "surrogateescape"), event, env, self.evaluation_for, origin)
        except Declined:
            return protocol.reply(protocol.DECLINED)
        if out.receipt is None:  # nothing recorded (a session end, an unparsable event, a repeated call)
            return protocol.reply(protocol.DECLINED)
        where = (out.receipt.project, out.receipt.segment, out.receipt.offset, out.receipt.length)
        return protocol.reply(protocol.OK, out.exit_code, out.stdout, out.stderr, where)

    def enter(self, cwd: str, env: dict[str, str]) -> None:
        """Take on the client's working directory and environment for one request."""
        os.chdir(cwd)
        if env != self._env:
            os.environ.clear()
            os.environ.update(env)
            self._env = env

    def evaluation_for(self, project: str, env: dict[str, str]):
        """The cached Evaluation for ``project``, unless its config turns the daemon off.

        The daemon also declines what it could not prove to its client: a call in a project the
        client would not look for its receipt in (``layout.project_candidates``), and any call
        when receipts are switched off.
        """
        if project not in project_candidates(env, os.getcwd()):
            raise Declined
        evaluation = self.cache.get(project, env)
        if not evaluation.config.daemon_enabled or not evaluation.config.receipts_enabled:
            raise Declined
        return evaluation


def warm_up() -> None:
    """Import what every evaluation needs before listening, so the first answer is quick."""
    import cedarpy  # noqa: F401

    import vectimus.analyser  # noqa: F401
    import vectimus.engine  # noqa: F401
    from vectimus.analyser.facts import sql
    from vectimus.plugins import agents, pack_sources

    sql.statements("DROP TABLE warm", "postgres", "postgres")  # sqlglot: a few hundred ms, once

    agents()
    pack_sources()


def start_sinks() -> list:
    """Let every receipt sink start its background work (``ReceiptSink.start_background``)."""
    from vectimus.plugins import receipt_sinks

    sinks = receipt_sinks()
    for sink in sinks:
        try:
            sink.start_background()
        except Exception as exc:
            log(f"receipt sink {sink.name!r} could not start its background work: {exc!r}")
    return sinks


def stop_sinks(sinks: list) -> None:
    """Give every receipt sink ``SINK_STOP_TIMEOUT`` seconds to finish its background work."""
    for sink in sinks:
        try:
            sink.stop_background(SINK_STOP_TIMEOUT)
        except Exception as exc:
            log(f"receipt sink {sink.name!r} could not stop its background work: {exc!r}")


def main(argv: list[str] | None = None) -> int:
    """``python -I -m vectimus.daemon [--idle-timeout S]``: run the daemon in the foreground."""
    parser = argparse.ArgumentParser(prog="vectimus.daemon")
    parser.add_argument("--idle-timeout", type=float, default=900.0)
    args = parser.parse_args(argv)
    if not runtime.supported():
        log("the resident evaluator needs Linux (SO_PEERCRED)")
        return 1
    try:
        files = runtime.files(os.environ)  # whoever starts the daemon creates the directory
    except OSError as exc:
        log(f"cannot use the runtime directory: {exc}")
        return 1
    server = Server(files, args.idle_timeout)
    lock = server.acquire()
    if lock is None:
        return 0  # another daemon of this installation is running
    signal.signal(signal.SIGTERM, server.terminate)
    signal.signal(signal.SIGINT, server.terminate)
    sinks: list = []
    try:
        server.write_pid()
        warm_up()
        sinks = start_sinks()
        gc.freeze()  # what warm-up loaded lives as long as the daemon: keep it out of every collection
        server.bind()
        log(f"listening on {files.socket} (idle timeout {args.idle_timeout:g}s)")
        server.serve()
    except SystemExit:
        pass
    finally:
        server.cleanup()
        stop_sinks(sinks)
        os.close(lock)
        log(f"stopped after {server.served} requests")
    return 0
