"""The daemon's life: start/status/stop, autostart from a hook, reloads, idle exit, fallbacks."""

from __future__ import annotations

import concurrent.futures
import os
import signal
import time
from pathlib import Path

from tests.support.daemon import app_write, read_receipts, took_daemon, verdict, workflow_write


def test_start_status_stop(daemon):
    assert daemon.status()["running"] is False
    status = daemon.start()
    assert status["running"] and status["accepting"] and status["pid"]
    run = Path(status["directory"])
    assert oct(run.stat().st_mode & 0o777) == "0o700"
    assert oct(Path(status["socket"]).stat().st_mode & 0o777) == "0o600"
    again = daemon.start()  # idempotent: the same daemon
    assert again["pid"] == status["pid"]
    out = daemon.stop()
    assert f"pid {status['pid']}" in out.stdout
    daemon.wait_stopped(status["pid"])
    assert not Path(status["socket"]).exists()
    assert daemon.status()["running"] is False
    assert "not running" in daemon.stop().stdout


def test_first_hook_call_starts_the_daemon_and_later_calls_use_it(daemon):
    project = daemon.project
    first, via = took_daemon(project, workflow_write(project))
    assert not via and '"deny"' in first
    status = daemon.wait_running()
    second, via = took_daemon(project, workflow_write(project))
    assert via and second == first
    assert daemon.status()["pid"] == status["pid"]


def test_concurrent_first_calls_start_exactly_one_daemon(daemon):
    project = daemon.project
    command = project.hook_command()
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda _: project.call(command, workflow_write(project)), range(6)))
    assert {verdict(r) for r in results} == {"deny"}
    daemon.wait_running()
    time.sleep(0.5)
    pids = [p for p in os.listdir("/proc") if p.isdigit() and _is_daemon_in(p, daemon.rundir)]
    assert len(pids) == 1, pids


def _is_daemon_in(pid: str, rundir: str) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        environ = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return False
    return b"vectimus.daemon" in cmdline and f"XDG_RUNTIME_DIR={rundir}".encode() in environ.split(b"\0")


def test_disabled_by_config_no_autostart_and_running_daemon_declines(daemon):
    project = daemon.project
    user_config = project.home / ".vectimus" / "config.toml"
    original = user_config.read_text()
    user_config.write_text(original + "\n[daemon]\nenabled = false\n")
    assert verdict(project.call(project.hook_command(), workflow_write(project))) == "deny"
    time.sleep(0.5)
    assert daemon.status()["running"] is False
    assert project.run("vectimus", "daemon", "start", check=False).returncode != 0
    user_config.write_text(original)
    daemon.start()
    user_config.write_text(original + "\n[daemon]\nenabled = false\n")
    stdout, via = took_daemon(project, workflow_write(project))
    assert not via and '"deny"' in stdout  # declined: evaluated in-process, same decision
    daemon.stop()


def test_disabled_by_environment(daemon):
    project = daemon.project
    result = project.call(project.hook_command(), workflow_write(project), env={"VECTIMUS_DAEMON": "off"})
    assert verdict(result) == "deny"
    time.sleep(0.5)
    assert daemon.status()["running"] is False


def test_reloads_when_user_config_or_packs_change(daemon):
    project = daemon.project
    daemon.start()
    assert took_daemon(project, workflow_write(project))[0].count('"deny"') == 1
    user_config = project.home / ".vectimus" / "config.toml"
    user_config.write_text(user_config.read_text() + '\n[rules."vectimus-fileint-001"]\nenabled = false\n')
    stdout, via = took_daemon(project, workflow_write(project))
    assert via and stdout == ""  # the rule is off now: allowed, still through the daemon
    assert took_daemon(project, app_write(project)) == ("", True)
    pack = project.home / ".vectimus" / "packs" / "mine"
    pack.mkdir(parents=True)
    (pack / "mine.cedar").write_text(
        '@id("mine-001")\n@description("No writes to app.py")\n'
        'forbid (principal, action == Vectimus::Action::"file_write", resource) '
        'when { context.target.name == "app.py" };\n')
    stdout, via = took_daemon(project, app_write(project))
    assert via and "mine-001" in stdout
    (pack / "mine.cedar").write_text((pack / "mine.cedar").read_text().replace("app.py", "other.py"))
    assert took_daemon(project, app_write(project)) == ("", True)
    daemon.stop()


def test_reloads_when_the_project_config_changes(daemon):
    project = daemon.project
    daemon.start()
    assert '"deny"' in took_daemon(project, workflow_write(project))[0]
    config = project.root / ".vectimus" / "config.toml"
    config.write_text("mode = [unclosed\n")
    stdout, via = took_daemon(project, workflow_write(project))
    assert via and "config.toml" in stdout and '"deny"' in stdout
    daemon.stop()


def test_exits_after_idle_timeout(daemon):
    project = daemon.project
    user_config = project.home / ".vectimus" / "config.toml"
    user_config.write_text(user_config.read_text() + "\n[daemon]\nidle_timeout = 1\n")
    pid = daemon.start()["pid"]
    daemon.wait_stopped(pid, timeout=10)
    assert "idle for" in daemon.log()


def test_exits_when_its_socket_is_removed(daemon):
    status = daemon.start()
    os.unlink(status["socket"])
    daemon.wait_stopped(status["pid"], timeout=10)
    assert "socket removed" in daemon.log()


def test_crashed_daemon_falls_back_and_is_replaced(daemon):
    project = daemon.project
    pid = daemon.start()["pid"]
    os.kill(pid, signal.SIGKILL)
    daemon.wait_stopped(pid)
    stdout, via = took_daemon(project, workflow_write(project))
    assert not via and '"deny"' in stdout
    assert daemon.wait_running()["pid"] != pid


def test_stopped_daemon_is_too_slow_and_the_hook_decides_itself(daemon):
    project = daemon.project
    pid = daemon.start()["pid"]
    before = len(read_receipts(project.root))
    os.kill(pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        stdout, via = took_daemon(project, workflow_write(project))
        elapsed = time.monotonic() - started
    finally:
        os.kill(pid, signal.SIGCONT)
    assert not via and '"deny"' in stdout
    assert elapsed < 30
    deadline = time.monotonic() + 10
    while "too late" not in daemon.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "too late" in daemon.log()  # the woken daemon left the call to its client
    assert len(read_receipts(project.root)) == before + 1  # one call, one receipt
    daemon.stop()


def test_exits_when_its_code_changes(daemon):
    import vectimus.daemon.protocol as protocol

    pid = daemon.start()["pid"]
    source = Path(protocol.__file__)
    st = source.stat()
    os.utime(source, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    daemon.wait_stopped(pid, timeout=10)
    assert "code changed" in daemon.log()
