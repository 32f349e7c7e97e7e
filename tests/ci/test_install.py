"""Install coherence: one version for core and every adapter, adapters pinned to core's own line.

The name ``vectimus`` on PyPI also carries an unrelated project (0.x releases up to 0.22.2): this
project's releases sort after it (1.x) and every adapter requires 1.x, so no install can pair an
adapter with that project.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

import vectimus

from tests.support.ci.scenario import ROOT

UNRELATED_RELEASE = "0.22.2"  # the newest release of the unrelated `vectimus` on PyPI
DISTRIBUTIONS = {"vectimus", "vectimus_claude", "vectimus_codex", "vectimus_copilot", "vectimus_cursor",
                 "vectimus_gemini", "vectimus_droid", "vectimus_opencode",
                 "vectimus_otel"}


def _metadata(wheel: Path):
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        return Parser().parsestr(zf.read(name).decode())


def test_every_distribution_carries_the_one_version(dist_dir):
    wheels = sorted(dist_dir.glob("*.whl"))
    assert {w.name.split("-")[0] for w in wheels} >= DISTRIBUTIONS
    for wheel in wheels:
        assert _metadata(wheel)["Version"] == vectimus.__version__, wheel.name
    for sdist in dist_dir.glob("*.tar.gz"):
        assert sdist.name.endswith(f"-{vectimus.__version__}.tar.gz"), sdist.name
    assert Version(vectimus.__version__) > Version(UNRELATED_RELEASE)


def test_adapters_and_plugins_require_cores_own_release_line(dist_dir):
    adapters = [w for w in dist_dir.glob("vectimus_*.whl")]
    assert len(adapters) >= 5
    for wheel in adapters:
        pins = [Requirement(r) for r in _metadata(wheel).get_all("Requires-Dist") or []]
        core = [r for r in pins if r.name == "vectimus"]
        assert len(core) == 1, wheel.name
        assert vectimus.__version__ in core[0].specifier, wheel.name
        assert UNRELATED_RELEASE not in core[0].specifier, wheel.name
        assert not core[0].specifier.contains("2.0.0"), wheel.name  # the plugin contract's next major


def test_the_readme_checkout_install_resolves_the_local_core(tmp_path):
    """``pip install . ./adapters/claude`` (the README's command) takes core from the checkout."""
    report = tmp_path / "report.json"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
                           "--report", str(report), str(ROOT), str(ROOT / "adapters" / "claude")],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    chosen = {i["metadata"]["name"]: i for i in json.loads(report.read_text())["install"]}
    assert chosen["vectimus"]["metadata"]["version"] == vectimus.__version__
    assert chosen["vectimus"]["download_info"]["url"] == ROOT.resolve().as_uri()
    assert chosen["vectimus-claude"]["metadata"]["version"] == vectimus.__version__
