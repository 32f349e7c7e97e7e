"""Sending spooled decisions with the official OpenTelemetry SDK over OTLP/HTTP (protobuf).

Each decision becomes one SDK log record (and, when spans are on, one span) handed to the SDK's
``OTLPLogExporter`` / ``OTLPSpanExporter``, which encode it and retry transient failures within
their timeout. Only this module imports the SDK (a few hundred milliseconds): the resident
evaluator's background thread, a session end and ``vectimus otel`` use it, never a hook deciding.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from opentelemetry._logs import LogRecord, SeverityNumber
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk._logs import ReadableLogRecord
from opentelemetry.sdk._logs.export import LogRecordExportResult
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, TraceFlags, set_span_in_context
from opentelemetry.util.re import parse_env_headers

from vectimus.records import Record
from vectimus_otel import attributes as attrs
from vectimus_otel.settings import Settings
from vectimus_otel.signed import SignedReceipts
from vectimus_otel.spool import Pass

BATCH = 512      # decisions per export request (the SDK's default batch size)
SETTLE = 5.0     # seconds a decision may wait for its signed receipt to appear in the local log


class _Warnings(logging.Handler):
    """Collects what the SDK's exporters warn about during one export (why it failed), off stderr."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message not in self.messages:
            self.messages.append(message)

    def text(self, default: str) -> str:
        """What was collected since the last call, one line ('' -> ``default``)."""
        text, self.messages = " / ".join(self.messages), []
        return text or default


_errors = _Warnings()
_sdk_logger = logging.getLogger("opentelemetry")
_sdk_logger.addHandler(_errors)
_sdk_logger.propagate = False


def _version() -> str:
    from vectimus import __version__

    return __version__


def resource(settings: Settings) -> Resource:
    """The exporting service: Vectimus on this host, plus OTEL_RESOURCE_ATTRIBUTES / OTEL_SERVICE_NAME."""
    values = {"service.name": "vectimus", "service.version": _version(), "host.name": os.uname().nodename}
    values.update(parse_env_headers(settings.resource, liberal=True) if settings.resource else {})
    if settings.service_name:
        values["service.name"] = settings.service_name
    return Resource(values)


class Outcome(Record):
    """What one export pass did."""

    sent: int = 0
    error: str = ""       # why the last export failed ('' : none failed)
    waiting: bool = False  # decisions are left (waiting for their signed receipt, or out of time)


class Sender:
    """The OTLP/HTTP exporters for one ``Settings``."""

    def __init__(self, settings: Settings, timeout: float | None = None):
        timeout = min(settings.timeout, timeout) if timeout else settings.timeout
        self.endpoint = settings.logs_endpoint
        common: dict[str, Any] = dict(timeout=timeout, compression=Compression(settings.compression or "none"),
                      certificate_file=settings.certificate or None, client_key_file=settings.client_key or None,
                      client_certificate_file=settings.client_certificate or None)
        configured = dict(settings.config_headers)
        self.logs = OTLPLogExporter(endpoint=settings.logs_endpoint,
                                    headers={**configured, **parse_env_headers(settings.headers, liberal=True)},
                                    **common)
        self.spans = None
        if settings.traces_endpoint:
            headers = {**configured, **parse_env_headers(settings.traces_headers, liberal=True)}
            self.spans = OTLPSpanExporter(endpoint=settings.traces_endpoint, headers=headers, **common)
        self.resource = resource(settings)
        self.scope = InstrumentationScope("vectimus", _version())

    def close(self) -> None:
        self.logs.shutdown()
        if self.spans is not None:
            self.spans.shutdown()

    def _log(self, record: dict, found) -> ReadableLogRecord:
        text, number = attrs.severity(record)
        context = None
        if self.spans is not None:
            trace_id, span_id, _ = attrs.trace_ids(record)
            span = NonRecordingSpan(SpanContext(trace_id, span_id, False, TraceFlags(TraceFlags.SAMPLED)))
            context = set_span_in_context(span)
        log = LogRecord(timestamp=attrs.time_ns(record), observed_timestamp=time.time_ns(), context=context,
                        severity_text=text, severity_number=SeverityNumber(number), body=attrs.body(record),
                        attributes=attrs.attributes(record, found), event_name=attrs.EVENT_NAME)
        return ReadableLogRecord(log_record=log, resource=self.resource, instrumentation_scope=self.scope)

    def _span(self, record: dict, found) -> ReadableSpan:
        trace_id, span_id, parent = attrs.trace_ids(record)
        flags = TraceFlags(TraceFlags.SAMPLED)
        at = attrs.time_ns(record)
        tool = ((record.get("receipt") or {}).get("call") or {}).get("tool", "")
        return ReadableSpan(
            name=f"vectimus decision {tool}".strip(), context=SpanContext(trace_id, span_id, False, flags),
            parent=SpanContext(trace_id, parent, True, flags) if parent else None, resource=self.resource,
            attributes=attrs.attributes(record, found), kind=SpanKind.INTERNAL, start_time=at, end_time=at,
            instrumentation_scope=self.scope)

    def send(self, batch: list) -> str:
        """Export ``[(record, signed receipt or None), …]``; '' when the collector accepted the logs."""
        logs = [self._log(record, found) for record, found in batch]
        _errors.text("")
        if self.logs.export(logs) is not LogRecordExportResult.SUCCESS:
            return _errors.text(f"the collector did not accept the export to {self.endpoint}")
        if self.spans is not None:  # spans are a view of the same decisions: best effort, not retried
            self.spans.export([self._span(record, found) for record, found in batch])
        return ""

    def probe(self) -> str:
        """An empty export: '' when the endpoint answers as a collector does."""
        _errors.text("")
        if self.logs.export([]) is LogRecordExportResult.SUCCESS:
            return ""
        return _errors.text("the collector did not answer")


def export_pending(turn: Pass, sender: Sender, receipts: SignedReceipts, *, deadline: float,
                   final: bool) -> Outcome:
    """Export what the spool holds, oldest first, until it is empty, an export fails, or ``deadline``.

    A decision whose signed receipt is not yet in its project's log waits up to ``SETTLE`` s
    (sinks see a decision before or after it is chained), unless ``final``: then it is sent
    without the receipt's sequence number and digest.
    """
    sent = 0
    waiting = False
    while time.monotonic() < deadline and not waiting:
        items = turn.read(BATCH)
        if not items:
            break
        ready = []
        for item in items:
            found = None
            if item.record is not None:
                found = receipts.find(str(item.record.get("project", "")), item.record.get("receipt") or {})
                if found is None and not final and time.time() - float(item.record.get("t", 0)) < SETTLE:
                    waiting = True
                    break
            ready.append((item, found))
        batch = [(item.record, found) for item, found in ready if item.record is not None]
        if batch:
            error = sender.send(batch)
            turn.outcome(error)
            if error:
                return Outcome(sent, error)
        if ready:
            turn.commit([item for item, _ in ready], sent=len(batch))
            sent += len(batch)
    else:
        waiting = waiting or bool(turn.read(1))  # out of time with decisions left: look again soon
    turn.tidy()
    return Outcome(sent, "", waiting)


def flush(spool, settings: Settings, budget: float) -> Outcome:
    """Export the spool now, in this process, spending at most ``budget`` seconds (waiting included)."""
    deadline = time.monotonic() + budget
    with spool.exclusive(budget) as turn:
        if turn is None:
            return Outcome(error="another exporter held the spool for the whole time allowed")
        sender = Sender(settings, timeout=max(deadline - time.monotonic(), 0.5))
        try:
            return export_pending(turn, sender, SignedReceipts(), deadline=deadline, final=True)
        finally:
            sender.close()
