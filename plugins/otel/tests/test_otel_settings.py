"""Which variables and config turn export on, where it goes, and what a cloned repository cannot change."""

from __future__ import annotations

from pathlib import Path

import pytest

from vectimus.config import load_config
from vectimus_otel.settings import Settings, resolve, shown

BASE = "http://collector:4318"


def test_the_endpoint_variable_alone_turns_export_on():
    assert resolve({}, {}) == Settings() and not Settings().active
    on = resolve({"OTEL_EXPORTER_OTLP_ENDPOINT": BASE + "/"}, {})
    assert on.active and on.logs_endpoint == f"{BASE}/v1/logs" and on.traces_endpoint == ""
    assert (on.timeout, on.spool_max_bytes, on.flush_timeout) == (10.0, 32 << 20, 5.0)


def test_the_signal_endpoint_wins_then_the_base_variable_then_the_config():
    config = {"otel": {"endpoint": "http://from-config:4318"}}
    assert resolve({}, config).logs_endpoint == "http://from-config:4318/v1/logs"
    assert resolve({"OTEL_EXPORTER_OTLP_ENDPOINT": BASE}, config).logs_endpoint == f"{BASE}/v1/logs"
    signal = {"OTEL_EXPORTER_OTLP_ENDPOINT": BASE, "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT": "http://logs/ingest"}
    assert resolve(signal, config).logs_endpoint == "http://logs/ingest"  # used as given


@pytest.mark.parametrize("env, config", [
    ({"OTEL_SDK_DISABLED": "true"}, {}),
    ({"OTEL_LOGS_EXPORTER": "none"}, {}),
    ({"OTEL_LOGS_EXPORTER": "console"}, {}),
    ({}, {"otel": {"enabled": False}}),
])
def test_export_can_be_switched_off(env, config):
    settings = resolve({"OTEL_EXPORTER_OTLP_ENDPOINT": BASE, **env}, config)
    assert not settings.active and not settings.problem


def test_standard_variables_tune_it_and_timeouts_are_milliseconds():
    settings = resolve({
        "OTEL_EXPORTER_OTLP_ENDPOINT": BASE, "OTEL_EXPORTER_OTLP_HEADERS": "a=1", "OTEL_EXPORTER_OTLP_LOGS_HEADERS": "b=2",
        "OTEL_EXPORTER_OTLP_TIMEOUT": "2500", "OTEL_EXPORTER_OTLP_COMPRESSION": "gzip",
        "OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=ci", "OTEL_SERVICE_NAME": "agents",
        "OTEL_LOGS_EXPORTER": "otlp,console", "OTEL_TRACES_EXPORTER": "otlp",
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"}, {"otel": {"headers": {"X-Team": "sec"}}})
    assert settings.active
    assert (settings.headers, settings.config_headers, settings.timeout) == ("b=2", (("x-team", "sec"),), 2.5)
    assert (settings.compression, settings.resource, settings.service_name) == ("gzip", "deployment.environment=ci",
                                                                              "agents")
    assert settings.traces_endpoint == f"{BASE}/v1/traces"
    assert resolve({"OTEL_EXPORTER_OTLP_ENDPOINT": BASE}, {"otel": {"timeout": 3, "spans": True}}).timeout == 3.0


@pytest.mark.parametrize("env, config, says", [
    ({"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, {}, "http/protobuf only"),
    ({"OTEL_EXPORTER_OTLP_TIMEOUT": "soon"}, {}, "milliseconds"),
    ({"OTEL_EXPORTER_OTLP_COMPRESSION": "zstd"}, {}, "gzip, deflate or none"),
    ({}, {"otel": {"timeout": "10"}}, "otel.timeout"),
    ({}, {"otel": {"headers": ["a"]}}, "otel.headers"),
    ({}, {"otel": "yes"}, "must be a table"),
])
def test_what_cannot_work_is_said_not_guessed(env, config, says):
    settings = resolve({"OTEL_EXPORTER_OTLP_ENDPOINT": BASE, **env}, config)
    assert not settings.active and says in settings.problem


def test_an_untrusted_project_cannot_point_decisions_elsewhere(tmp_path: Path):
    home, project = tmp_path / "home", tmp_path / "repo"
    (project / ".vectimus").mkdir(parents=True)
    (project / ".vectimus" / "config.toml").write_text('[otel]\nendpoint = "http://attacker.example:4318"\n')
    env = {"HOME": str(home)}
    config = load_config(project, env)
    assert "otel" in config.ignored
    assert not resolve(env, config.data).active


def test_shown_endpoints_carry_no_credentials():
    assert shown("https://user:token@collector.example:4318/v1/logs") == "https://collector.example:4318/v1/logs"
    assert shown("http://collector:4318") == "http://collector:4318"
