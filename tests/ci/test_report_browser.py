"""The HTML audit page as a person sees it: headless Chromium renders it, we read the DOM and the pixels."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.ci.logs import run_session
from tests.support.ci.png import colour_counts
from tests.support.ci.browser import DENY_RED, GREEN_BANNER, RED_BANNER, chromium, text_of

pytestmark = pytest.mark.browser

ALLOW_GREEN = (0x1A, 0x7F, 0x37)


def render(installed, tmp: Path) -> tuple[str, Path]:
    page = tmp / "report.html"
    installed.run("vectimus", "report", "--format", "html", "--output", str(page), check=False)
    dom = chromium(page, tmp, "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    shot = tmp / "report.png"
    done = chromium(page, tmp, f"--screenshot={shot}")
    assert done.returncode == 0 and shot.exists(), done.stderr[-2000:]
    return dom.stdout, shot


def test_verified_log_page(installed, tmp_path):
    run_session(installed)
    dom, shot = render(installed, tmp_path)
    text = text_of(dom)
    assert "✓ Receipts verified" in text and "6 signed receipts, hash chain intact" in text
    assert "Denied and escalated calls (3)" in text
    for policy in ("vectimus-fileint-001", "vectimus-fileint-004", "vectimus-destruct-006"):
        assert policy in text
    assert "Writes to CI/CD workflow files" in text  # a denial's reason
    assert len(re.findall(r'<div class="denial deny"', dom)) == 3
    assert len(re.findall(r"<tr class=", dom)) == 6  # the timeline: one row per decision
    colours = colour_counts(shot.read_bytes())
    assert colours[GREEN_BANNER] > 20000           # the green "verified" banner is on screen
    assert colours[RED_BANNER] == 0
    assert colours[DENY_RED] > 1000 and colours[ALLOW_GREEN] > 1000  # the outcome bars and badges


def test_tampered_log_page_warns(installed, tmp_path):
    run_session(installed)
    segment = next((installed.root / ".vectimus" / "receipts").glob("segment-*.jsonl"))
    segment.write_bytes(segment.read_bytes().replace(b'"sig":"', b'"sig":"AAAA', 1))
    dom, shot = render(installed, tmp_path)
    assert "✗ Verification FAILED — do not trust this log" in text_of(dom)
    colours = colour_counts(shot.read_bytes())
    assert colours[RED_BANNER] > 20000 and colours[GREEN_BANNER] == 0
