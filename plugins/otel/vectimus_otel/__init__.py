"""vectimus-otel: every Vectimus decision as an OpenTelemetry log record, exported over OTLP/HTTP.

Installed and ``OTEL_EXPORTER_OTLP_ENDPOINT`` set is enough. The hook only appends to a local
spool (``spool.py``); the resident evaluator exports in a background thread (``background.py``),
a session end or ``vectimus otel flush`` in the foreground (``export.py``, the only module that
imports the OpenTelemetry SDK). Settings: ``settings.py``; what a record holds: ``attributes.py``.
"""


def register_receipt_sinks(register):
    from vectimus_otel.sink import OtelSink

    register(OtelSink())


def register_commands(cli):
    from vectimus_otel.cli import register

    register(cli)
