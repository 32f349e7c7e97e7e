"""Many hook processes at once on one project: throughput, latency, errors, one receipt per call.

Sets up a project as ``hook_latency.py`` does, starts the resident evaluator, then for each
concurrency C keeps C installed hook commands running at once (through /bin/sh, as the agent
starts them) until CALLS calls have been answered, each an event of the mix with its own
tool-use id. Prints, per C: calls/s, p50/p99 latency in ms, errors (a non-zero exit, or an
answer other than the one the same event got alone), receipts written against calls made, how
many the evaluator answered; and at the end whether ``vectimus verify`` accepts the log.

    .venv/bin/python bench/hook_load.py [--concurrency 16 64] [--calls 640]
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
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from events import events, fresh  # noqa: E402
from hook_latency import VECTIMUS, percentile, setup, timed  # noqa: E402

from vectimus.receipts.envelope import payload_of  # noqa: E402


def receipts(project: Path) -> list[dict]:
    """Every receipt payload in the project's log."""
    lines = [line for segment in sorted((project / ".vectimus" / "receipts").glob("segment-*.jsonl"))
             for line in segment.read_bytes().splitlines() if line.strip()]
    return [json.loads(payload_of(line)) for line in lines]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[16, 64], help="hooks at once (default 16 64)")
    parser.add_argument("--calls", type=int, default=640, help="calls per concurrency (default 640)")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="vload-"))
    rows, ok = [], True
    try:
        project, env, command = setup(base)
        hook = ["/bin/sh", "-c", command]
        mix = events(project, project.parent)
        subprocess.run([VECTIMUS, "daemon", "start"], cwd=project, env=env, check=True, capture_output=True)
        alone = {}
        for n, (label, data) in enumerate(mix):  # each event's answer, asked alone
            out = timed(hook, data=fresh(data, -n - 1), env=env, cwd=project)[1]
            alone[label] = (out.returncode, out.stdout)
        for row, c in enumerate(args.concurrency):
            before = len(receipts(project))

            def one(i: int, first=row * args.calls) -> tuple[float, bool]:
                label, data = mix[i % len(mix)]
                took, out = timed(hook, data=fresh(data, first + i), env=env, cwd=project)
                return took, (out.returncode, out.stdout) != alone[label]

            started = time.perf_counter()
            with ThreadPoolExecutor(c) as pool:
                results = list(pool.map(one, range(args.calls)))
            wall = time.perf_counter() - started
            made = receipts(project)[before:]
            by = Counter(r.get("evaluator") for r in made)
            times = [t for t, _ in results]
            errors = sum(bad for _, bad in results)
            per_call = Counter(r["tool_use"] for r in made)
            ok &= errors == 0 and len(made) == args.calls and max(per_call.values()) == 1
            rows.append((c, args.calls / wall, statistics.median(times), percentile(times, 99), errors, len(made),
                         by["daemon"]))
        verified = json.loads(subprocess.run([VECTIMUS, "verify", "--json"], cwd=project, env=env,
                                             capture_output=True, text=True).stdout)
        subprocess.run([VECTIMUS, "daemon", "stop"], cwd=project, env=env, capture_output=True)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print(f"hook load, {args.calls} calls per row over {len(mix)} events; {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.1f}")
    print(f"{'at once':>7s} {'calls/s':>8s} {'p50 ms':>8s} {'p99 ms':>8s} {'errors':>6s} {'receipts':>8s} "
          f"{'by daemon':>9s}")
    for c, rate, p50, p99, errors, made, daemon in rows:
        print(f"{c:7d} {rate:8.1f} {p50:8.1f} {p99:8.1f} {errors:6d} {made:8d} {daemon:9d}")
    print(f"vectimus verify: {'ok' if verified['ok'] else 'FAILED'} ({verified['receipts']} receipts)")
    return 0 if ok and verified["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
