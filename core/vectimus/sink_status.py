"""What every receipt sink says about itself (``ReceiptSink.status``): for status, doctor and the job summary."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path


def sink_statuses(project: Path, env: Mapping, config: Mapping, *, probe: bool = False) -> dict[str, dict]:
    """``{sink name: its status}`` for every sink that reports one; a sink that fails to is not ok."""
    from vectimus.locations import user_home
    from vectimus.plugins import receipt_sinks
    from vectimus.sinks import SinkContext

    ctx = SinkContext(Path(project), user_home(dict(env)), config, env)
    found: dict[str, dict] = {}
    for sink in receipt_sinks():
        try:
            state = sink.status(ctx, probe=probe)
        except Exception as exc:
            state = {"ok": False, "summary": f"cannot report its state: {exc.__class__.__name__}: {exc}"}
        if state is not None:
            found[sink.name] = state
    return found
