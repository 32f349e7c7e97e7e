#!/usr/bin/env python3
"""Receipt throughput: receipts written per second, verified per second, and the hook-process cost.

    .venv/bin/python bench/receipts.py [--receipts 2000] [--processes 20]

Figures printed:
- written/s in one process through the default sink (body, lock, sign, append, periodic checkpoints),
  as a resident evaluator would (the signing key loaded once);
- the same with 4 processes writing one log at once (lock contention);
- verified/s by ``vectimus.receipts.verify`` and by the independent ``examples/verify_receipts.py``;
- a fresh process that imports the receipt stack and writes one receipt (loading the key), against
  an interpreter that imports only ``vectimus.model``: the latency receipts add to a hook process
  without the daemon. On a loaded machine these medians are noisy; run with more --processes.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

WRITER = """
import sys, time
from pathlib import Path
from vectimus.model import Action, Decision, ToolCall, Verdict
from vectimus.receipts.body import receipt_body
from vectimus.receipts.sink import LocalChainSink
from vectimus.sinks import SinkContext
project, home, n = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
ctx = SinkContext(project, home, {"receipts": {"checkpoint_every": 64}})
sink = LocalChainSink()
for i in range(n):
    call = ToolCall(agent="claude", tool="Bash", kind="shell", cwd=str(project), project_dir=str(project),
                    command=f"git status && rm -rf build/{i} > /tmp/log-{i}", session_id="bench", tool_use_id=f"t{i}")
    verdicts = (Verdict(Action("exec", "git", program="git"), "allow"),
                Verdict(Action("exec", "rm", program="rm", flags=("r", "f")), "allow"),
                Verdict(Action("file_write", f"/tmp/log-{i}"), "allow"))
    sink.emit(receipt_body(call, Decision("allow", verdicts=verdicts), mode="enforce",
                           principal={"identity_type": "human", "groups": []},
                           policy_digest="sha256:" + "0" * 64, versions={"vectimus": "0.1.0"}), ctx)
"""


def write(project: Path, home: Path, n: int, procs: int = 1) -> float:
    started = time.perf_counter()
    running = [subprocess.Popen([sys.executable, "-c", WRITER, str(project), str(home), str(n)])
               for _ in range(procs)]
    if any(p.wait() for p in running):
        raise SystemExit("a writer failed")
    return time.perf_counter() - started


def in_process_rate(project: Path, home: Path, n: int) -> float:
    """Receipts per second inside one process, imports excluded."""
    namespace: dict = {}
    sys.argv = ["bench", str(project), str(home), "0"]
    exec(WRITER, namespace)  # imports and defines; writes nothing for n = 0
    sys.argv = ["bench", str(project), str(home), str(n)]
    started = time.perf_counter()
    exec(WRITER, namespace)
    return n / (time.perf_counter() - started)


def process_ms(args: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(args, check=True)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--receipts", type=int, default=2000)
    parser.add_argument("--processes", type=int, default=20, help="runs for the per-process figures")
    args = parser.parse_args()
    from vectimus.receipts.verify import verify

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        home = base / "home"
        one = base / "one"
        one.mkdir()
        rate = in_process_rate(one, home, args.receipts)
        print(f"written, 1 process:    {rate:8.0f} receipts/s  ({1e6 / rate:.0f} µs per receipt)")

        four = base / "four"
        four.mkdir()
        per = args.receipts // 4
        elapsed = write(four, home, per, procs=4)
        print(f"written, 4 processes:  {4 * per / elapsed:8.0f} receipts/s  (one log, including start-up)")

        receipts = one / ".vectimus" / "receipts"
        keys = one / ".vectimus" / "keys"
        started = time.perf_counter()
        report = verify(receipts, keys)
        elapsed = time.perf_counter() - started
        assert report.ok and report.receipts == args.receipts, report.as_dict()["first_failure"]
        print(f"verified (vectimus):   {report.receipts / elapsed:8.0f} receipts/s")
        started = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "examples" / "verify_receipts.py"), str(receipts)],
                       check=True, stdout=subprocess.DEVNULL)
        elapsed = time.perf_counter() - started
        print(f"verified (example):    {args.receipts / elapsed:8.0f} receipts/s  (one process, start-up included)")
        four_report = verify(four / ".vectimus" / "receipts", four / ".vectimus" / "keys")
        assert four_report.ok and four_report.receipts == 4 * per

        cold = base / "cold"
        cold.mkdir()
        bare = process_ms([sys.executable, "-c", "import vectimus.model"], args.processes)
        with_receipt = process_ms([sys.executable, "-c", WRITER, str(cold), str(home), "1"], args.processes)
        print(f"hook process (median of {args.processes}): bare {bare:.1f} ms; importing the receipt stack "
              f"(body, chain, keys, cryptography, rfc8785) and writing one receipt +{with_receipt - bare:.1f} ms")

if __name__ == "__main__":
    main()
