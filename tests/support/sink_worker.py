"""Run as a process: write N receipts through the local chain sink (the parallel-writers test)."""

import sys
from pathlib import Path

from vectimus.receipts.sink import LocalChainSink
from vectimus.sinks import SinkContext

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script: the repository root
from tests.support.receipts import make_body  # noqa: E402

if __name__ == "__main__":
    project, home, worker, count = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    ctx = SinkContext(project, home, {"receipts": {"checkpoint_every": 16}})
    sink = LocalChainSink()
    for i in range(count):
        body = make_body(i, project=project, session=f"worker-{worker}")
        body["tool_use"] = f"{worker}:{i}"
        sink.emit(body, ctx)
    sink.end_session(ctx, f"worker-{worker}")
