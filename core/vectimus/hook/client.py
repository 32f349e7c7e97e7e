"""The hook client: the process an agent starts for every tool call (``vectimus hook --agent NAME``).

Standard library only until it must evaluate in-process. It forwards the raw event, the agent
name, its working directory and its whole environment to the resident evaluator and prints the
answer. The whole environment is forwarded, not a selection, so that the daemon evaluates exactly
as this process would (HOME, VECTIMUS_*, CI/GITHUB_*, TMPDIR, the agents' project-dir variables,
and whatever an adapter or the analyser reads in future); it stays on a private same-user socket.

When the evaluator is absent, refuses the request (stale installation, daemon disabled for the
project), fails or is slow (``protocol.REPLY_TIMEOUT``), this process evaluates in-process and,
when config allows, starts the daemon in the background for the next call. Never fail-open:
whatever goes wrong ends in a deny.
"""

import os
import sys

from vectimus.daemon.protocol import MAX_EVENT_BYTES

def parse_args(argv: list[str]) -> str | None:
    """The agent name from ``--agent NAME`` / ``--agent=NAME``."""
    for i, arg in enumerate(argv):
        if arg == "--agent" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--agent="):
            return arg.split("=", 1)[1]
    return None


def ask_evaluator(agent: str, event: bytes) -> tuple[int, bytes, bytes] | None:
    """The daemon's answer ``(exit code, stdout, stderr)``, or None to evaluate in-process."""
    from vectimus.daemon import protocol, runtime

    if runtime.disabled_by_env(os.environ) or not runtime.supported():
        return None
    import _socket
    import time

    sock = None
    try:
        path = runtime.files(os.environ).socket
        deadline = time.time() + protocol.REPLY_TIMEOUT
        message = protocol.request(agent, os.getcwd(), os.environb, event, deadline)
        sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        sock.settimeout(protocol.REPLY_TIMEOUT)
        sock.connect(path)
        pid, uid, _ = protocol.peer_credentials(sock)
        if uid != os.getuid() or not runtime.is_daemon_process(pid):
            return None  # not our daemon listening there: do not trust its answer
        sock.sendall(message)
        frames = protocol.read_message(sock, protocol.MAX_REPLY_BYTES)
        if len(frames) != 4 or frames[0] != protocol.OK:
            return None
        return int(frames[1]), frames[2], frames[3]
    except Exception:  # absent, refused, slow, malformed: evaluate in-process
        return None
    finally:
        if sock is not None:
            sock.close()


def evaluate_in_process(agent: str | None, event: bytes) -> tuple[int, bytes, bytes]:
    """Evaluate here (loads the engine), then start the daemon for the next call if allowed."""
    if sys.flags.no_site:  # started by hook_script.py: site-packages for the engine and plugins
        import site

        site.main()
    from vectimus.daemon import runtime
    from vectimus.hook.evaluate import Evaluation
    from vectimus.hook.respond import respond

    env = dict(os.environ)
    built: list[Evaluation] = []

    def evaluation_for(project: str, env: dict[str, str]) -> Evaluation:
        built.append(Evaluation(project, env))
        return built[-1]

    out = respond(agent, event, env, evaluation_for)
    if built and not runtime.disabled_by_env(env):
        from vectimus.daemon.lifecycle import autostart

        autostart(env, built[0].config)
    return out.exit_code, out.stdout.encode("utf-8", "surrogateescape"), out.stderr.encode("utf-8", "surrogateescape")


def main(argv: list[str]) -> int:
    """Run the hook: stdin -> decision -> stdout / stderr / exit code."""
    try:
        agent = parse_args(argv)
        event = sys.stdin.buffer.read(MAX_EVENT_BYTES + 1)
        answer = ask_evaluator(agent, event) if agent else None
        if answer is None:
            answer = evaluate_in_process(agent, event)
        code, stdout, stderr = answer
    except BaseException as exc:  # last resort: exit 2 blocks in every agent that has hooks
        code, stdout, stderr = 2, b"", f"Vectimus denied this call: internal error ({exc!r})".encode()
    if stdout:
        sys.stdout.buffer.write(stdout)
        sys.stdout.buffer.flush()
    if stderr:
        sys.stderr.buffer.write(stderr.rstrip(b"\n") + b"\n")
        sys.stderr.buffer.flush()
    return code
