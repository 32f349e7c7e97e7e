"""Receipt sinks: where the body of each decision's receipt goes.

A sink is registered through the ``register_receipt_sinks`` plugin hook. The built-in
``LocalChainSink`` signs each body and chains it onto ``<project>/.vectimus/receipts/``; other
sinks (an organisation's store, a SIEM) subclass ``ReceiptSink``. Standard library only: this
module is imported on the hook's hot path.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple


class SinkContext(NamedTuple):
    """Where a receipt is written: the project, the user's Vectimus home (``~/.vectimus``), the config."""

    project: Path
    home: Path
    config: Mapping


def config_value(config: Mapping, dotted: str, default: Any = None) -> Any:
    """``config["a"]["b"]`` for ``"a.b"`` through ``.get`` (a dict or ``vectimus.config.Config``), else ``default``."""
    value: Any = config
    for part in dotted.split("."):
        getter = getattr(value, "get", None)
        value = getter(part) if callable(getter) else None
        if value is None:
            return default
    return value


class ReceiptSink:
    """Base class for receipt sinks. Subclasses set ``name`` and implement ``emit``."""

    name: str = ""

    def emit(self, body: dict, ctx: SinkContext) -> None:
        """Record one decision's receipt body (from ``vectimus.receipts.body.receipt_body``)."""
        raise NotImplementedError

    def end_session(self, ctx: SinkContext, session: str) -> None:
        """An agent session ended: flush or seal what was written for it (default: nothing)."""


class LocalChainSink(ReceiptSink):
    """The default sink: signed, hash-chained receipts in ``<project>/.vectimus/receipts/``."""

    name = "local"

    def emit(self, body: dict, ctx: SinkContext) -> None:
        if not config_value(ctx.config, "receipts.enabled", True):
            return
        from vectimus.receipts.chain import append_receipt

        append_receipt(ctx.project, body, home=ctx.home, config=ctx.config)

    def end_session(self, ctx: SinkContext, session: str) -> None:
        if not config_value(ctx.config, "receipts.enabled", True):
            return
        from vectimus.receipts.chain import checkpoint

        checkpoint(ctx.project, home=ctx.home, config=ctx.config, reason="session_end", session=session)
