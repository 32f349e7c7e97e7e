"""Fixtures for the real-agent suite (``make test-agents``, ``pytest -m agents``).

Every test here is marked ``agents``. The pinned CLIs (``agentcli.CLIS``) are installed with npm
once into a cache (``~/.cache/vectimus-test-agents/``, or ``$VECTIMUS_AGENTS_CACHE``) and reused;
without npm the suite is skipped with a message saying so. Nothing reaches the internet: the
CLIs talk only to the scripted mock model on 127.0.0.1 and their telemetry and update checks are
off (``test_plumbing.py`` watches their connections).

Each agent's name (``claude``, ``codex``…) is a fixture: that CLI (each pinned version) in a
project where ``vectimus init --ci`` has run; ``agent`` is every one of them.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.agents import agentcli
from tests.support.agents.harness import CASES, Agent, cli_exe

HERE = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.agents)


@pytest.fixture
def tmp_path() -> Iterator[Path]:
    """A fresh directory outside the system temp dirs, for the test HOME and project.

    A real user's home is never under /tmp, and Vectimus classifies temp-dir paths differently
    (a recursive delete there is harmless), so the agent scenarios must not live there either.
    """
    runs = agentcli.cache_root() / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix="t-", dir=runs))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _agent_fixture(name: str):
    cli = agentcli.CLIS[name]

    @pytest.fixture(name=name, params=cli.versions)
    def fixture(request, installed) -> Agent:
        return Agent(name, cli_exe(name, request.param), request.param, installed)

    fixture.__doc__ = f"{name} (each pinned version) in a project where ``vectimus init --ci`` has run."
    return fixture


for _name in agentcli.CLIS:
    globals()[_name] = _agent_fixture(_name)


@pytest.fixture(params=CASES, ids=[f"{a}-{v}" for a, v in CASES])
def agent(request, installed) -> Agent:
    """Every agent CLI at every pinned version, in a project where ``vectimus init --ci`` has run."""
    name, version = request.param
    return Agent(name, cli_exe(name, version), version, installed)
