"""Fixtures for the CI tests: the distributions ``make dist`` builds, installed into a fresh venv."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.ci.scenario import ROOT


@pytest.fixture(scope="session")
def dist_dir(tmp_path_factory) -> Path:
    """``make dist`` into a temporary directory: wheels and sdists of vectimus and every adapter."""
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(["make", "-s", "dist", f"DIST={out}"], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


@pytest.fixture(scope="session")
def wheel_bin(dist_dir: Path, tmp_path_factory) -> Path:
    """A fresh venv with the built wheels installed as users install them (not editable); its bin/."""
    venv = tmp_path_factory.mktemp("wheel-venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    wheels = sorted(str(w) for w in dist_dir.glob("*.whl"))
    # As the README installs them: the wheel files themselves (`pip install dist/vectimus-*.whl …`).
    done = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *wheels],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return venv / "bin"
