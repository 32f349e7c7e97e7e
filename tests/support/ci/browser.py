"""The HTML audit page in headless Chromium: a screenshot's colours and the page's text."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest


CHROMIUM = shutil.which("chromium")
GREEN_BANNER = (0xDA, 0xFB, 0xE1)
RED_BANNER = (0xFF, 0xEB, 0xE9)
DENY_RED = (0xCF, 0x22, 0x2E)


def chromium(page: Path, tmp: Path, *mode: str, height: int = 900) -> subprocess.CompletedProcess:
    """Headless Chromium on PAGE in a 1280-pixel-wide window HEIGHT pixels tall (a screenshot shows that much)."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (CI installs Debian's chromium)")
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                           "--disable-background-networking", "--disable-component-update", "--disable-sync",
                           f"--user-data-dir={tmp / 'chromium-profile'}", f"--window-size=1280,{height}", *mode,
                           page.as_uri()], capture_output=True, text=True, timeout=120)


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())
