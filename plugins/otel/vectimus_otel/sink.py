"""The ``otel`` receipt sink: spool each decision locally; export it off the hook's hot path.

``emit`` (every decision, in the hook process or the resident evaluator) only appends a line to the
spool: standard library, no network, no lock. Inside the resident evaluator it also wakes the
background exporter. A session end exports what is spooled: in the resident evaluator by waking
the exporter (a request is never held up by a collector), in-process by exporting right there,
within ``otel.flush_timeout`` seconds. Nothing here raises into the hook: a collector that is down,
slow or refusing never changes or delays a decision; the local signed log stays the source of truth.
"""

from __future__ import annotations

import os
import sys
import time

from vectimus.sinks import ReceiptSink, SinkContext

from vectimus_otel.settings import Settings, resolve, shown


def _exporter():
    """This process's background exporter: only the resident evaluator has one (``start_background``)."""
    background = sys.modules.get("vectimus_otel.background")  # never imported on a hook's own path
    return background.running if background is not None else None


def _daemon_settings() -> Settings:
    """The settings the resident evaluator was started with: its environment and the user's config."""
    import tomllib

    from vectimus.locations import user_config

    try:
        with open(user_config(os.environ), "rb") as fh:
            config = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError):
        config = {}
    return resolve(os.environ, config)


def _ago(moment) -> str:
    seconds = max(0, int(time.time() - float(moment)))
    return f"{seconds}s ago" if seconds < 120 else f"{seconds // 60} min ago"


class OtelSink(ReceiptSink):
    """Every decision as an OpenTelemetry log record, exported over OTLP/HTTP."""

    name = "otel"

    def emit(self, body: dict, ctx: SinkContext) -> None:
        settings = resolve(ctx.env, ctx.config)
        if not settings.active:
            return
        from vectimus_otel.spool import Spool

        try:
            from vectimus_otel.record import spool_record

            exporter = _exporter()
            record = spool_record(body, ctx, resident=exporter is not None)
            Spool(ctx.home).append(record, settings.spool_max_bytes)
            if exporter is not None:
                exporter.note(ctx.home, settings)
        except Exception:  # never into the hook: the decision stands, the local log has it
            Spool(ctx.home).count_dropped()

    def end_session(self, ctx: SinkContext, session: str) -> None:
        settings = resolve(ctx.env, ctx.config)
        if not settings.active:
            return
        exporter = _exporter()
        if exporter is not None:
            exporter.note(ctx.home, settings)
            return
        try:
            from vectimus_otel.export import flush
            from vectimus_otel.spool import Spool

            flush(Spool(ctx.home), settings, settings.flush_timeout)
        except Exception:
            pass  # still spooled: the next exporter sends it; `vectimus otel status` says so

    def start_background(self) -> None:
        from vectimus_otel import background

        settings = _daemon_settings()
        exporter = background.start(warm=settings.active)
        if settings.active:  # decisions spooled in-process before this daemon started
            from vectimus.locations import user_home

            exporter.note(user_home(os.environ), settings)

    def stop_background(self, timeout: float) -> None:
        from vectimus_otel import background

        background.stop(timeout)

    def status(self, ctx: SinkContext, *, probe: bool = False) -> dict:
        from vectimus_otel.spool import Spool

        settings = resolve(ctx.env, ctx.config)
        spool = Spool(ctx.home)
        counts = spool.counts()
        if not settings.logs_endpoint:
            if not counts["pending"]:
                return {"ok": True, "summary": "OpenTelemetry export off: OTEL_EXPORTER_OTLP_ENDPOINT is not set",
                        "enabled": False, **counts}
        problem = settings.problem
        if probe and settings.active:
            problem = self._probe(spool, settings)
            counts = spool.counts()
        where = shown(settings.logs_endpoint) or "no endpoint"
        summary = (f"OTLP {where}: {counts['spooled']} spooled, {counts['sent']} sent, "
                   f"{counts['dropped']} dropped, {counts['pending']} pending")
        if problem:
            summary += f"; {problem}"
        elif counts.get("last_error"):
            summary += f"; last export failed {_ago(counts['last_attempt'])}: {counts['last_error']}"
        elif counts.get("last_success"):
            summary += f"; last sent {_ago(counts['last_success'])}"
        ok = not problem and not counts["dropped"] and not counts.get("last_error")
        return {"ok": ok, "summary": summary, "enabled": settings.active, "endpoint": shown(settings.logs_endpoint),
                "spans": bool(settings.traces_endpoint), "problem": problem, **counts}

    @staticmethod
    def _probe(spool, settings: Settings) -> str:
        """Send what is pending (or an empty request): '' when the collector accepted it."""
        from vectimus_otel.export import Sender, flush

        outcome = flush(spool, settings, settings.flush_timeout)
        if outcome.error or outcome.sent:
            return outcome.error
        sender = Sender(settings, timeout=settings.flush_timeout)
        try:
            return sender.probe()
        finally:
            sender.close()
