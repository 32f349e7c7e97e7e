"""In-process evaluations per second with every bundled pack, beside raw cedarpy on the same requests.

With the Evaluation warm (as in the resident evaluator), per event:
- "evaluation": decode the raw event, parse it with the Claude Code adapter, analyse it into
  actions, one Cedar request per action (``is_authorized_batch``; requests are checked against the schema in the tests), combine, render;
- "whole hook": the same plus the signed receipt and the evaluation-log entry (``hook.handle``).
"Raw cedarpy" is ``cedarpy.is_authorized`` on a pre-parsed ``PolicySet`` (no schema) over exactly
the Cedar requests and entities Vectimus sent for the same events, recorded in a first pass.

    .venv/bin/python bench/throughput.py [--seconds 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from events import events  # noqa: E402


def rate(fn, seconds: float) -> float:
    """How many times per second ``fn`` runs, over about ``seconds``."""
    fn()
    count, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        fn()
        count += 1
    return count / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per measurement (default 3)")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="vthru-"))
    try:
        home = base / "home"
        project = home / "app"
        (project / "src").mkdir(parents=True)
        subprocess.run(["git", "init", "-q"], cwd=project, check=True)
        env = {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "VECTIMUS_DAEMON": "0"}
        os.environ.update(env)

        import cedarpy

        from vectimus.hook.evaluate import Evaluation
        from vectimus.hook.respond import decode_event, find_adapter, handle
        from vectimus.policies import bundled_packs_dir, packs_in

        names = [p.name for p in packs_in(bundled_packs_dir(), "bundled")]
        (home / ".vectimus").mkdir()
        (home / ".vectimus" / "config.toml").write_text(f"[packs]\nenabled = {names!r}\n")
        evaluation = Evaluation(str(project), env)
        assert {p.name for p in evaluation.policy_set.packs} >= set(names)
        adapter = find_adapter("claude")
        mix = [data for _, data in events(project, home)]

        recorded: list[tuple[list, list]] = []
        batch = cedarpy.is_authorized_batch

        def recording(requests, policies, entities, **kw):
            recorded.append((requests, entities))
            return batch(requests, policies, entities, **kw)

        cedarpy.is_authorized_batch = recording
        for data in mix:
            handle(adapter, data, env, lambda p, e: evaluation)
        cedarpy.is_authorized_batch = batch
        policy_set = evaluation.policy_set.cedar

        def whole():
            for data in mix:
                handle(adapter, data, env, lambda p, e: evaluation)

        def ours():
            for data in mix:
                call = adapter.parse(decode_event(data), env)
                adapter.render(evaluation.decide(call, adapter, env), call)

        def raw():
            for requests, entities in recorded:
                for request in requests:
                    cedarpy.is_authorized(request, policy_set, entities)


        def engine_call():
            for requests, entities in recorded:
                batch(requests, policy_set, entities)

        n_requests = sum(len(r) for r, _ in recorded)
        ours_rate = rate(ours, args.seconds) * len(mix)
        whole_rate = rate(whole, args.seconds) * len(mix)
        raw_rate = rate(raw, args.seconds) * len(mix)
        cedar_rate = rate(engine_call, args.seconds) * len(mix)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print(f"{len(mix)} events -> {n_requests} Cedar requests ({len(recorded)} events reached Cedar); "
          f"{len(evaluation.policy_set.policies)} policies from {len(names)} bundled packs; "
          f"load {os.getloadavg()[0]:.1f}")
    print(f"{'vectimus evaluation (warm)':32s} {ours_rate:10.0f} events/s")
    print(f"{'  + receipt and evaluation log':32s} {whole_rate:10.0f} events/s")
    print(f"{'raw cedarpy is_authorized':32s} {raw_rate:10.0f} events/s "
          f"({raw_rate * n_requests / len(mix):.0f} requests/s)")
    print(f"{'ratio evaluation / raw':32s} {ours_rate / raw_rate:10.2f}x")
    print(f"(the engine's own Cedar call alone, is_authorized_batch: {cedar_rate:.0f} events/s, "
          f"{cedar_rate / raw_rate:.2f}x raw)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
