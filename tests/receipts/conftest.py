"""Fixtures for receipt tests: a Vectimus home, a project, and a real log of ten receipts."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import Log


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "vectimus-home"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "project"
    path.mkdir()
    return path


@pytest.fixture
def log(project: Path, home: Path) -> Log:
    """Ten receipts, checkpoints at 4 and 8, and the session-end checkpoint at 10."""
    return Log(project, home).write(10).end()
