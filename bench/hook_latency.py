"""Wall-clock latency of the installed hook command, with and without the resident evaluator.

Sets up what a user has: a fresh git repository with a temporary HOME where ``vectimus init --ci``
wrote the Claude Code hook; then runs that exact command through /bin/sh (as the agent does) on a
mix of real events, interleaved with ``python -I -c pass`` (same interpreter) so that the ratios
hold on a busy machine. Prints p50/p90 in ms and the ratios to the calibration. The mix repeats
(as an agent's session does: ``git status``, the tests, the same files); the evaluator keeps what
is a function of its key alone (Cedar's answers, parsed Makefiles), so a second row gives every
call text no earlier call had (``events.novel``).

``--otel`` also turns on the ``vectimus-otel`` sink, exporting to a local endpoint that accepts
OTLP/HTTP (and counts the requests), to show what the sink costs the hook.

    .venv/bin/python bench/hook_latency.py [--runs 100] [--otel]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from events import events, fresh, novel  # noqa: E402

BIN = Path(sys.executable).parent
VECTIMUS = str(BIN / "vectimus")


def timed(argv: list[str], *, data: bytes = b"", env: dict, cwd: Path) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    out = subprocess.run(argv, input=data, env=env, cwd=cwd, capture_output=True)
    return (time.perf_counter() - started) * 1000, out


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def setup(base: Path) -> tuple[Path, dict, str]:
    home = base / "home"
    project = home / "app"
    (project / "src").mkdir(parents=True)
    (project / "src" / "app.py").write_text("print('hello')\n")
    (project / ".env").write_text("API_KEY=not-a-real-secret\n")
    run_dir = base / "run"
    run_dir.mkdir(mode=0o700)
    env = {"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(home), "XDG_RUNTIME_DIR": str(run_dir),
           "LANG": os.environ.get("LANG", "C.UTF-8")}
    subprocess.run(["git", "init", "-q"], cwd=project, env=env, check=True)
    subprocess.run([VECTIMUS, "init", "--ci"], cwd=project, env=env, check=True, capture_output=True)
    settings = json.loads((project / ".claude" / "settings.local.json").read_text())
    command = settings["hooks"]["PreToolUse"][0]["hooks"][0]["command"]
    return project, env, command


def otlp_endpoint() -> tuple[str, list[int]]:
    """A local endpoint that accepts OTLP/HTTP exports (200, an empty response) and counts them."""
    received: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(len(self.rfile.read(int(self.headers.get("Content-Length", 0)))))
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", received


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100, help="runs of each kind (default 100)")
    parser.add_argument("--otel", action="store_true", help="export every decision with vectimus-otel")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="vbench-"))
    exports: list[int] = []
    try:
        project, env, command = setup(base)
        if args.otel:
            env["OTEL_EXPORTER_OTLP_ENDPOINT"], exports = otlp_endpoint()
        mix = events(project, project.parent)
        inproc_env = {**env, "VECTIMUS_DAEMON": "0"}
        hook = ["/bin/sh", "-c", command]
        calib = [sys.executable, "-I", "-c", "pass"]
        subprocess.run([VECTIMUS, "daemon", "start"], cwd=project, env=env, check=True, capture_output=True)
        answers: dict[str, set] = {}
        for n, (label, data) in enumerate(mix):  # warm both paths and check they agree
            for k, e in enumerate((env, inproc_env)):
                _, out = timed(hook, data=fresh(data, -2 * n - k - 1), env=e, cwd=project)
                answers.setdefault(label, set()).add((out.returncode, out.stdout, out.stderr))
        disagree = [label for label, seen in answers.items() if len(seen) != 1]
        times: dict[str, list[float]] = {"calibration": [], "daemon": [], "daemon, new": [], "in-process": []}
        for i in range(args.runs):
            label, data = mix[i % len(mix)]
            times["calibration"].append(timed(calib, env=env, cwd=project)[0])
            times["daemon"].append(timed(hook, data=fresh(data, 2 * i), env=env, cwd=project)[0])
            times["daemon, new"].append(timed(hook, data=novel(data, 10**6 + i), env=env, cwd=project)[0])
            times["calibration"].append(timed(calib, env=env, cwd=project)[0])
            times["in-process"].append(timed(hook, data=fresh(data, 2 * i + 1), env=inproc_env, cwd=project)[0])
        status = json.loads(subprocess.run([VECTIMUS, "daemon", "status", "--json"], cwd=project, env=env,
                                           capture_output=True, check=True).stdout)
        if args.otel:
            time.sleep(3)  # the evaluator's background export of the last decisions
            otel = json.loads(subprocess.run([VECTIMUS, "otel", "status", "--json"], cwd=project, env=env,
                                             capture_output=True).stdout)
        subprocess.run([VECTIMUS, "daemon", "stop"], cwd=project, env=env, capture_output=True)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    cal50 = statistics.median(times["calibration"])
    print(f"hook latency, {args.runs} runs each over {len(mix)} events, interleaved; "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    print(f"hook command: {command}")
    print(f"{'':28s} {'p50 ms':>8s} {'p90 ms':>8s} {'p50 / calibration':>18s}")
    for name, label in (("calibration", "python -I -c pass"), ("daemon", "hook, with the evaluator"),
                        ("daemon, new", "  every call's text new"), ("in-process", "hook, without it")):
        values = times[name]
        p50 = statistics.median(values)
        print(f"{label:28s} {p50:8.1f} {percentile(values, 90):8.1f} {p50 / cal50:17.2f}x")
    print(f"evaluator was running throughout: {status['running'] and status['accepting']}")
    if args.otel:
        print(f"vectimus-otel: {otel['spooled']} decisions spooled, {otel['sent']} sent in {len(exports)} "
              f"export requests, {otel['pending']} pending, {otel['dropped']} dropped")
    print("answers identical with and without the evaluator: "
          + ("yes" if not disagree else f"NO for {', '.join(disagree)}"))
    return 0 if not disagree else 1


if __name__ == "__main__":
    sys.exit(main())
