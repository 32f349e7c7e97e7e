"""The built-in receipt sink: signed, hash-chained receipts in ``<project>/.vectimus/receipts/``."""

from __future__ import annotations

from vectimus.config import config_value
from vectimus.sinks import ReceiptSink, SinkContext


class LocalChainSink(ReceiptSink):
    """The default sink: every body is signed and chained onto the project's own log."""

    name = "local"

    def emit(self, body: dict, ctx: SinkContext):
        """Chain ``body`` onto the log; return where its receipt is (``vectimus.receipts.chain.Appended``).

        When the log already holds a receipt for the same call, that one is returned (its
        ``duplicate`` set) and nothing is appended. None when receipts are switched off.
        """
        if not config_value(ctx.config, "receipts.enabled", True):
            return None
        from vectimus.receipts.chain import append_receipt

        return append_receipt(ctx.project, body, home=ctx.home, config=ctx.config, deadline=ctx.deadline)

    def end_session(self, ctx: SinkContext, session: str) -> None:
        """Seal the log with a checkpoint that records where it was sealed (``vectimus.provenance.origin``)."""
        if not config_value(ctx.config, "receipts.enabled", True):
            return
        from vectimus.provenance import origin
        from vectimus.receipts.chain import checkpoint

        checkpoint(ctx.project, home=ctx.home, config=ctx.config, reason="session_end", session=session,
                   deadline=ctx.deadline, origin=origin(ctx.env, ctx.project, ctx.config))
