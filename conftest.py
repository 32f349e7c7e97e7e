"""Fixtures shared by every test suite: a throwaway project installed the way users install it.

``vectimus init`` runs in a temporary git repository with a temporary HOME; tests then run the
exact command string init wrote into the agent's config, through /bin/sh, fed real JSON.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest.register_assert_rewrite("tests.support")

from tests.support.project import BIN, RUNTIME, Project  # noqa: E402




@pytest.fixture(autouse=True)
def _own_vectimus_home(tmp_path_factory, monkeypatch):
    """Every test gets a Vectimus home of its own: code a test runs in-process (plugin discovery,
    policy caches, config) never reads or writes the real ``~/.vectimus``."""
    monkeypatch.setenv("VECTIMUS_HOME", str(tmp_path_factory.mktemp("vectimus-home")))


@pytest.fixture(autouse=True)
def _no_kept_analyses():
    """Each test analyses its calls anew: an analysis another test kept (``analyser.replay``) is
    not used again here (the tests of that module keep and reuse their own)."""
    from vectimus.analyser import replay

    replay.forget()


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A fresh git repository (with a README and src/app.py) and an empty HOME."""
    home = tmp_path / "home"
    root = home / "work" / "app"
    (root / "src").mkdir(parents=True)
    (root / "README.md").write_text("# app\n")
    (root / "src" / "app.py").write_text("print('hello')\n")
    (root / ".env").write_text("API_KEY=not-a-real-secret\n")
    proj = Project(root, home)
    proj.run("git", "init", "-q")
    proj.run("git", "add", "README.md", "src")
    proj.run("git", "commit", "-qm", "initial")
    return proj


@pytest.fixture
def installed(project: Project) -> Project:
    """A project where ``vectimus init --ci`` has run."""
    project.init()
    return project


@pytest.fixture(scope="session", autouse=True)
def _stop_test_daemons():
    """Stop the daemon the session's hooks started, and remove its runtime directory."""
    yield
    if not RUNTIME:
        return
    from vectimus.daemon import lifecycle

    try:
        lifecycle.stop({"XDG_RUNTIME_DIR": RUNTIME[0]})
    finally:
        shutil.rmtree(RUNTIME[0], ignore_errors=True)


def pytest_report_header(config):
    return f"vectimus: {shutil.which('vectimus', path=str(BIN))}"


@pytest.fixture(scope="module")
def examples_project(tmp_path_factory):
    """One installed project per test module, for running many examples through its hook.

    Installed as a developer would (not ``--ci``), so ``ask`` stays ``ask``.
    """
    base = tmp_path_factory.mktemp("examples")
    home = base / "home"
    root = home / "work" / "app"
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text("print('hello')\n")
    (root / "README.md").write_text("# app\n")
    proj = Project(root, home)
    proj.run("git", "init", "-q")
    proj.init("--agent", "claude")
    proj.approve_example_servers()
    return proj, proj.hook_command()
