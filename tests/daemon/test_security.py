"""The daemon's guards: a private directory, same-uid peers only, bounded requests, no control
messages (what the client trusts of an answer is in ``test_impostor.py``)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time

import pytest

from vectimus.daemon import protocol, runtime
from tests.support.daemon import took_daemon, workflow_write

NOBODY = 65534


def connect(path: str) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(10)
    sock.connect(path)
    return sock


def closed_without_reply(sock: socket.socket) -> bool:
    """True when the daemon hangs up on us without a byte of answer."""
    try:
        return sock.recv(100) == b""
    except ConnectionResetError:
        return True


@pytest.mark.parametrize("mode", [0o750, 0o705, 0o777])
def test_runtime_dir_open_to_others_is_refused(daemon, mode):
    project = daemon.project
    daemon.dir.mkdir(mode=0o700)
    os.chmod(daemon.dir, mode)
    result = project.run("vectimus", "daemon", "start", check=False)
    assert result.returncode != 0 and "group or others" in " ".join(result.stderr.split())
    stdout, via = took_daemon(project, workflow_write(project))
    assert not via and '"deny"' in stdout  # still decided, in-process
    assert not list(daemon.dir.iterdir())  # and no daemon started there


def test_runtime_dir_owned_by_someone_else_is_refused(daemon):
    if os.getuid() != 0:
        pytest.skip("needs root to hand the directory to another user")
    daemon.dir.mkdir(mode=0o700)
    os.chown(daemon.dir, NOBODY, NOBODY)
    with pytest.raises(runtime.RuntimeDirError, match="owned by uid"):
        runtime.private_dir({"XDG_RUNTIME_DIR": daemon.rundir})
    result = daemon.project.run("vectimus", "daemon", "start", check=False)
    assert result.returncode != 0 and "owned by uid" in " ".join(result.stderr.split())


def test_symlinked_runtime_dir_is_refused(daemon, tmp_path):
    target = tmp_path / "elsewhere"
    target.mkdir(mode=0o700)
    daemon.dir.symlink_to(target)
    with pytest.raises(runtime.RuntimeDirError, match="not a directory"):
        runtime.private_dir({"XDG_RUNTIME_DIR": daemon.rundir})


def test_peer_with_another_uid_gets_no_answer(daemon):
    other_python = "/usr/bin/python3"  # one another user may run (the test's may sit under /root)
    if os.getuid() != 0 or not os.path.exists(other_python):
        pytest.skip("needs root and /usr/bin/python3 to connect as another user")
    status = daemon.start()
    os.chmod(daemon.rundir, 0o711)  # open the way only for this test: the uid check must still hold
    os.chmod(daemon.dir, 0o711)
    os.chmod(status["socket"], 0o666)
    message = protocol.request("claude", str(daemon.project.root), os.environb,
                               json.dumps(workflow_write(daemon.project)).encode(), time.time() + 10, "ab" * 16)
    client = ("import socket, sys\n"
              "s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1])\n"
              "try:\n    s.sendall(sys.stdin.buffer.read()); print(len(s.recv(100)))\n"
              "except (BrokenPipeError, ConnectionResetError):\n    print(0)\n")
    out = subprocess.run([other_python, "-I", "-c", client, status["socket"]], input=message,
                         capture_output=True, user=NOBODY, timeout=30)
    assert out.stdout.strip() == b"0", out.stderr  # closed without a reply
    assert f"refused a connection from uid {NOBODY}" in daemon.log()
    os.chmod(daemon.dir, 0o700)
    stdout, via = took_daemon(daemon.project, workflow_write(daemon.project))
    assert via and '"deny"' in stdout


def test_oversized_request_is_dropped_and_the_daemon_carries_on(daemon):
    status = daemon.start()
    with connect(status["socket"]) as sock:
        sock.sendall((protocol.MAX_REQUEST_BYTES + 1).to_bytes(4, "big") + b"x" * 1024)
        assert closed_without_reply(sock)
    assert "exceeds" in daemon.log()
    stdout, via = took_daemon(daemon.project, workflow_write(daemon.project))
    assert via and '"deny"' in stdout


def test_slow_request_times_out_and_others_are_served_after(daemon):
    status = daemon.start()
    with connect(status["socket"]) as sock:
        sock.sendall((1000).to_bytes(4, "big") + b"partial")
        started = time.monotonic()
        assert closed_without_reply(sock)  # the daemon gives up on us
        assert time.monotonic() - started < protocol.REQUEST_TIMEOUT + 5
    stdout, via = took_daemon(daemon.project, workflow_write(daemon.project))
    assert via and '"deny"' in stdout


@pytest.mark.parametrize("frames", [[b"stop"], [b"vectimus-control/1", b"stop"],
                                    [protocol.MAGIC, b"reload"], [protocol.MAGIC, *[b"x"] * 9]])
def test_no_message_stops_or_reconfigures_the_daemon(daemon, frames):
    status = daemon.start()
    with connect(status["socket"]) as sock:
        sock.sendall(protocol.pack(frames))
        assert closed_without_reply(sock)
    time.sleep(0.3)
    assert daemon.status()["pid"] == status["pid"]
    stdout, via = took_daemon(daemon.project, workflow_write(daemon.project))
    assert via and '"deny"' in stdout


def test_socket_path_too_long_falls_back_in_process(daemon, tmp_path):
    long_dir = tmp_path / ("x" * 90)
    long_dir.mkdir(mode=0o700)
    project = daemon.project
    stdout, via = took_daemon(project, workflow_write(project), {"XDG_RUNTIME_DIR": str(long_dir)})
    assert not via and '"deny"' in stdout
    assert not (long_dir / "vectimus").exists() or not list((long_dir / "vectimus").glob("*.sock"))
