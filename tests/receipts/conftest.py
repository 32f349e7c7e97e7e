"""Fixtures for receipt tests: a Vectimus home, a project, and a real log of ten receipts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.receipts import Log


@pytest.fixture
def vhome(tmp_path: Path) -> Path:
    """A Vectimus home (what ``~/.vectimus`` is for a user)."""
    return tmp_path / "vectimus-home"


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    """An empty project directory."""
    path = tmp_path / "project"
    path.mkdir()
    return path


@pytest.fixture
def log(proj: Path, vhome: Path) -> Log:
    """Ten receipts, checkpoints at 4 and 8, and the session-end checkpoint at 10."""
    return Log(proj, vhome).write(10).end()
