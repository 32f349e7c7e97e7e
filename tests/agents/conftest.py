"""Fixtures for the real-agent suite (``make test-agents``, ``pytest -m agents``).

Every test here is marked ``agents``. The pinned CLIs are installed with npm once into a cache
(``~/.cache/vectimus-test-agents/``, or ``$VECTIMUS_AGENTS_CACHE``) and reused; without npm the
suite is skipped with a message saying so. Nothing reaches the internet: the CLIs talk only to
the scripted mock model on 127.0.0.1 and their telemetry and update checks are off.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from filelock import FileLock

import agentcli
from harness import HERE, Agent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.agents)


def _install(package: str, version: str, binary: str) -> Path:
    if shutil.which("npm") is None:
        pytest.skip(f"npm is not installed: cannot install {package}@{version} for the agent suite")
    root = agentcli.cache_root()
    root.mkdir(parents=True, exist_ok=True)
    with FileLock(str(root / ".install.lock"), timeout=900):
        return agentcli.install_cli(package, version, binary)


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


@pytest.fixture(scope="session")
def claude_exe() -> Path:
    """The pinned Claude Code CLI binary."""
    return _install(agentcli.CLAUDE_PACKAGE, agentcli.CLAUDE_VERSION, "claude")


@pytest.fixture(scope="session")
def codex_exe() -> Path:
    """The pinned Codex CLI binary."""
    return _install(agentcli.CODEX_PACKAGE, agentcli.CODEX_VERSION, "codex")


@pytest.fixture
def claude(claude_exe, installed) -> Agent:
    """Claude Code in a project where ``vectimus init --ci`` has run."""
    return Agent("claude", claude_exe, installed.root, installed.home)


@pytest.fixture
def codex(codex_exe, installed) -> Agent:
    """The Codex CLI in a project where ``vectimus init --ci`` has run."""
    return Agent("codex", codex_exe, installed.root, installed.home)
