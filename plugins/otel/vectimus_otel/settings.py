"""Whether and where decisions are exported: the standard OTEL_* variables and the ``[otel]`` table.

Standard library only: the hook resolves settings for every decision. As for the rest of the
configuration, the environment wins over the config file:

- endpoint: ``OTEL_EXPORTER_OTLP_LOGS_ENDPOINT`` (a full URL), else ``OTEL_EXPORTER_OTLP_ENDPOINT``,
  else ``otel.endpoint`` (base URLs: ``/v1/logs`` and ``/v1/traces`` are appended). With none set,
  nothing is exported or spooled.
- off: ``otel.enabled = false``, ``OTEL_SDK_DISABLED=true``, or ``OTEL_LOGS_EXPORTER`` not naming
  ``otlp``; spans only when ``OTEL_TRACES_EXPORTER`` names ``otlp`` or ``otel.spans = true``.
- ``OTEL_EXPORTER_OTLP_[LOGS_|TRACES_]HEADERS`` (and ``otel.headers``), ``…_TIMEOUT`` (milliseconds,
  as the specification says; ``otel.timeout`` in seconds), ``…_COMPRESSION``, ``…_CERTIFICATE``,
  ``…_CLIENT_KEY``, ``…_CLIENT_CERTIFICATE``, ``OTEL_RESOURCE_ATTRIBUTES``, ``OTEL_SERVICE_NAME``.
- Only OTLP over HTTP/protobuf: ``OTEL_EXPORTER_OTLP_[LOGS_]PROTOCOL`` set to anything else
  (``grpc``) leaves export off, and ``vectimus status`` / ``doctor`` say why.

Only the user's own config (or a trusted project's) can hold an ``[otel]`` table: an untrusted
project's is ignored like every other loosening setting, so a cloned repository cannot send its
decisions elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping

from vectimus.config import config_value
from vectimus.records import Record

DEFAULT_TIMEOUT = 10.0          # seconds per export request (the specification's default)
DEFAULT_FLUSH_TIMEOUT = 5.0     # seconds a session end or ``vectimus otel flush`` may spend exporting
DEFAULT_SPOOL_MAX_MB = 32       # past this many MiB waiting in the spool, new decisions are dropped
PROTOCOL = "http/protobuf"
COMPRESSIONS = ("", "none", "gzip", "deflate")


class Settings(Record):
    """Resolved export settings (hashable: the exporter is built once per distinct value)."""

    logs_endpoint: str = ""
    traces_endpoint: str = ""       # '' : no spans
    headers: str = ""               # W3C-baggage-style ``k=v,k2=v2``, from the environment
    traces_headers: str = ""
    config_headers: tuple = ()      # ((name, value), …) from ``otel.headers``
    timeout: float = DEFAULT_TIMEOUT
    compression: str = ""
    certificate: str = ""
    client_key: str = ""
    client_certificate: str = ""
    resource: str = ""              # OTEL_RESOURCE_ATTRIBUTES
    service_name: str = ""
    spool_max_bytes: int = DEFAULT_SPOOL_MAX_MB << 20
    flush_timeout: float = DEFAULT_FLUSH_TIMEOUT
    problem: str = ""               # why export is off although an endpoint is set ('' : fine)

    @property
    def active(self) -> bool:
        """Whether decisions are spooled and exported."""
        return bool(self.logs_endpoint) and not self.problem


def _on(value: str) -> bool:
    return value.strip().lower() == "true"


def _names(value: str) -> set[str]:
    return {v.strip().lower() for v in value.split(",") if v.strip()}


def _signal(env: Mapping, signal: str, name: str) -> str:
    """``OTEL_EXPORTER_OTLP_<SIGNAL>_<NAME>``, else ``OTEL_EXPORTER_OTLP_<NAME>``."""
    return env.get(f"OTEL_EXPORTER_OTLP_{signal}_{name}") or env.get(f"OTEL_EXPORTER_OTLP_{name}") or ""


def _endpoint(env: Mapping, signal: str, base: str) -> str:
    full = env.get(f"OTEL_EXPORTER_OTLP_{signal}_ENDPOINT", "").strip()
    if full:
        return full
    base = env.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip() or base
    return f"{base.rstrip('/')}/v1/{signal.lower()}" if base else ""


def _number(table: Mapping, key: str, default: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError(f"otel.{key} must be a positive number")
    return float(value)


def _timeout(env: Mapping, table: Mapping) -> float:
    raw = _signal(env, "LOGS", "TIMEOUT").strip()
    if not raw:
        return _number(table, "timeout", DEFAULT_TIMEOUT)
    try:
        millis = float(raw)
    except ValueError:
        raise ValueError(f"OTEL_EXPORTER_OTLP_TIMEOUT must be milliseconds, not {raw!r}") from None
    if millis <= 0:
        raise ValueError("OTEL_EXPORTER_OTLP_TIMEOUT must be positive")
    return millis / 1000


def _config_headers(table: Mapping) -> tuple:
    headers = table.get("headers", {})
    if not isinstance(headers, Mapping) or not all(isinstance(v, str) for v in headers.values()):
        raise ValueError("otel.headers must be a table of strings")
    return tuple(sorted((str(k).lower(), v) for k, v in headers.items()))


def resolve(env: Mapping, config: Mapping) -> Settings:
    """The export settings for a hook running with ``env`` under ``config``; never raises."""
    table = config_value(config, "otel", {})
    if not isinstance(table, Mapping):
        return Settings(problem="[otel] in the config must be a table")
    base = table.get("endpoint", "")
    if not isinstance(base, str):
        return Settings(problem="otel.endpoint must be a string")
    logs = _endpoint(env, "LOGS", base)
    if not logs or table.get("enabled", True) is False or _on(env.get("OTEL_SDK_DISABLED", "")):
        return Settings()
    if env.get("OTEL_LOGS_EXPORTER") and "otlp" not in _names(env["OTEL_LOGS_EXPORTER"]):
        return Settings()
    protocol = _signal(env, "LOGS", "PROTOCOL").strip().lower()
    if protocol and protocol != PROTOCOL:
        return Settings(logs, problem=f"OTEL_EXPORTER_OTLP_PROTOCOL is {protocol!r}: vectimus-otel speaks "
                                      f"{PROTOCOL} only; set OTEL_EXPORTER_OTLP_LOGS_ENDPOINT to the "
                                      f"collector's HTTP endpoint (usually port 4318, path /v1/logs)")
    compression = _signal(env, "LOGS", "COMPRESSION").strip().lower()
    if compression not in COMPRESSIONS:
        return Settings(logs, problem=f"OTEL_EXPORTER_OTLP_COMPRESSION must be gzip, deflate or none, "
                                      f"not {compression!r}")
    spans = "otlp" in _names(env.get("OTEL_TRACES_EXPORTER", "")) or table.get("spans") is True
    try:
        return Settings(
            logs_endpoint=logs,
            traces_endpoint=_endpoint(env, "TRACES", base) if spans else "",
            headers=_signal(env, "LOGS", "HEADERS"),
            traces_headers=_signal(env, "TRACES", "HEADERS"),
            config_headers=_config_headers(table),
            timeout=_timeout(env, table),
            compression=compression,
            certificate=_signal(env, "LOGS", "CERTIFICATE"),
            client_key=_signal(env, "LOGS", "CLIENT_KEY"),
            client_certificate=_signal(env, "LOGS", "CLIENT_CERTIFICATE"),
            resource=env.get("OTEL_RESOURCE_ATTRIBUTES", ""),
            service_name=env.get("OTEL_SERVICE_NAME", ""),
            spool_max_bytes=int(_number(table, "spool_max_mb", DEFAULT_SPOOL_MAX_MB) * (1 << 20)),
            flush_timeout=_number(table, "flush_timeout", DEFAULT_FLUSH_TIMEOUT),
        )
    except ValueError as exc:
        return Settings(logs, problem=str(exc))


def shown(endpoint: str) -> str:
    """An endpoint as status output shows it: without any user name or password in the URL."""
    from vectimus.provenance import without_credentials

    return without_credentials(endpoint)
