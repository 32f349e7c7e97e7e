"""Fixtures for vectimus-otel: a real OTLP/HTTP endpoint, and installed projects that export to it."""

from __future__ import annotations

import shutil
import tempfile

import pytest

from tests.support.otel import Otel
from tests.support.otlp import Receiver


@pytest.fixture
def receiver():
    endpoint = Receiver()
    yield endpoint
    endpoint.close()


@pytest.fixture
def otel(installed, receiver) -> Otel:
    """An installed project exporting to the test's endpoint, evaluating in-process."""
    installed.env["VECTIMUS_DAEMON"] = "0"
    return Otel(installed, receiver)


@pytest.fixture
def rundir():
    """A private runtime directory for one test's daemon, stopped afterwards."""
    path = tempfile.mkdtemp(prefix="vo-")
    yield path
    from vectimus.daemon import lifecycle

    try:
        lifecycle.stop({"XDG_RUNTIME_DIR": path})
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def otel_daemon(installed, receiver, rundir) -> Otel:
    """An installed project exporting to the test's endpoint through its own resident evaluator."""
    installed.env["XDG_RUNTIME_DIR"] = rundir
    installed.env.pop("VECTIMUS_DAEMON", None)
    return Otel(installed, receiver)
