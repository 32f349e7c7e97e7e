"""The hook client: the process an agent starts for every tool call (``vectimus hook --agent NAME``).

Standard library only until it must evaluate in-process. It forwards the raw event, the agent
name, its working directory and its whole environment to the resident evaluator and prints the
answer. The whole environment is forwarded, not a selection, so that the daemon evaluates exactly
as this process would (HOME, VECTIMUS_*, CI/GITHUB_*, TMPDIR, the agents' project-dir variables,
and whatever an adapter or the analyser reads in future); it stays on a private same-user socket.

The evaluator's answer is printed only when its receipt is where it must be (``vectimus.hook.confirm``:
anything of the user's uid can listen on the socket, so the answer must prove itself). When the
evaluator is absent, declines the request (stale installation, daemon or receipts disabled for the
project, a call it cannot record), fails, is slow (``protocol.REPLY_TIMEOUT``) or cannot prove its
answer, this process evaluates in-process and, when config allows, starts the daemon in the
background for the next call. Never fail-open: whatever goes wrong ends in a deny.
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


def ask_evaluator(agent: str, event: bytes, nonce: str) -> tuple[tuple[int, bytes, bytes] | None, str]:
    """The daemon's answer ``(exit code, stdout, stderr)`` once its receipt is confirmed, else None.

    Also returns why an answer was rejected ('' when there was none, or nothing to hold against
    it): its receipt is not in the log as it must be (``vectimus.hook.confirm``).
    """
    from vectimus.daemon import protocol, runtime

    if runtime.disabled_by_env(os.environ) or not runtime.supported():
        return None, ""
    import _socket
    import time

    sock = None
    try:
        path = runtime.files(os.environ).socket
        deadline = time.time() + protocol.REPLY_TIMEOUT
        message = protocol.request(agent, os.getcwd(), os.environb, event, deadline, nonce)
        sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        sock.settimeout(protocol.REPLY_TIMEOUT)
        sock.connect(path)
        if protocol.peer_credentials(sock)[1] != os.getuid():
            return None, ""  # another user's socket: never asked
        sock.sendall(message)
        from vectimus.hook import confirm  # imported while the evaluator decides, not after

        frames = protocol.read_message(sock, protocol.MAX_REPLY_BYTES)
    except Exception:  # absent, refused, slow, malformed: evaluate in-process
        return None, ""
    finally:
        if sock is not None:
            sock.close()
    if len(frames) != protocol.REPLY_FRAMES or frames[0] != protocol.OK:
        return None, ""  # declined, stale, an error: nothing was claimed
    code = frames[1]
    if not (code.isdigit() and len(code) <= 3 and int(code) <= 255):  # bytes: ASCII digits only
        return None, "the resident evaluator's answer was rejected: malformed"
    answer = int(code), frames[2], frames[3]
    why = confirm.problem(frames[4:], nonce, event, *answer)
    return (None, f"the resident evaluator's answer was rejected: {why}") if why else (answer, "")


def evaluate_in_process(agent: str | None, event: bytes, nonce: str = "", note: str = "") -> tuple[int, bytes, bytes]:
    """Evaluate here (loads the engine), then start the daemon for the next call if allowed.

    ``nonce`` is this call's (the daemon may have recorded it under the same one); ``note`` goes
    into the receipt (why the daemon's answer was not taken).
    """
    if sys.flags.no_site:  # started by hook_script.py: site-packages for the engine and plugins
        import site

        site.main()
    from vectimus.daemon import runtime
    from vectimus.hook.evaluate import Evaluation
    from vectimus.hook.record import Origin
    from vectimus.hook.respond import respond

    env = dict(os.environ)
    built: list[Evaluation] = []

    def evaluation_for(project: str, env: dict[str, str]) -> Evaluation:
        built.append(Evaluation(project, env))
        return built[-1]

    out = respond(agent, event, env, evaluation_for, Origin(nonce=nonce, notes=(note,) if note else ()))
    if built and not runtime.disabled_by_env(env):
        from vectimus.daemon.lifecycle import autostart

        autostart(env, built[0].config)
    return out.exit_code, out.stdout.encode("utf-8", "surrogateescape"), out.stderr.encode("utf-8", "surrogateescape")


def main(argv: list[str]) -> int:
    """Run the hook: stdin -> decision -> stdout / stderr / exit code."""
    try:
        agent = parse_args(argv)
        event = sys.stdin.buffer.read(MAX_EVENT_BYTES + 1)
        nonce = os.urandom(16).hex()
        answer, note = ask_evaluator(agent, event, nonce) if agent else (None, "")
        if answer is None:
            answer = evaluate_in_process(agent, event, nonce, note)
        code, stdout, stderr = answer
    except BaseException as exc:  # last resort: exit 2 blocks in every agent that has hooks
        from vectimus.wording import denied

        code, stdout, stderr = 2, b"", denied(f"internal error ({exc!r})").encode()
    if stdout:
        sys.stdout.buffer.write(stdout)
        sys.stdout.buffer.flush()
    if stderr:
        sys.stderr.buffer.write(stderr.rstrip(b"\n") + b"\n")
        sys.stderr.buffer.flush()
    return code


def run(argv: list[str]) -> int:
    """One hook call, as a short-lived process: no cyclic GC, and no interpreter teardown.

    The process lives for one decision, so collecting cycles is wasted work, and so is tearing
    down the modules evaluation imported (about a tenth of an in-process call). Every file the
    hook writes is closed before ``vectimus.hook.client.main`` returns and its answer is flushed, so
    leaving through ``os._exit`` loses nothing.
    """
    import gc

    gc.disable()
    code = main(argv)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
