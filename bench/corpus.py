#!/usr/bin/env python3
"""Score the bundled packs on the shared dcg corpus and the project's corpus/*.jsonl: block rate,
false-block rate, latency.

Runs the shared harness (../shared/bench/bench_corpus.py) from the project root with this
checkout's .venv/bin first on PATH, installing Vectimus in each scratch project with
``vectimus init --ci`` and calling the hook command init wrote into Claude Code's settings.
Extra arguments are passed to the harness (e.g. ``--show-misses 50`` or ``--json out.json``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    """The shared directory holding the harness and corpora (``$VECTIMUS_SHARED`` or ``../shared``)."""
    for candidate in (os.environ.get("VECTIMUS_SHARED"), ROOT.parent / "shared", Path("/work/shared")):
        if candidate and (Path(candidate) / "bench" / "bench_corpus.py").exists():
            return Path(candidate)
    sys.exit("bench/corpus.py: cannot find shared/bench/bench_corpus.py (set VECTIMUS_SHARED)")


def main(argv: list[str]) -> int:
    shared = shared_dir()
    corpus = shared / "corpus" / "dcg"
    # The shared harness reads the hook from .claude/settings.json; init writes the local file.
    cmd = [sys.executable, str(shared / "bench" / "bench_corpus.py"), "--hook-from-claude-settings",
           "--setup", "vectimus init --ci && cp .claude/settings.local.json .claude/settings.json",
           "--corpus", str(corpus / "dcg-corpus.jsonl"),
           "--corpus", str(corpus / "dcg-malformed-stdin.jsonl")]
    for own in sorted((ROOT / "corpus").glob("*.jsonl")):  # the project's own corpora (corpus/README.md)
        cmd += ["--corpus", str(own)]
    if "--show-misses" not in argv:
        cmd += ["--show-misses", "20"]
    env = dict(os.environ)
    env["PATH"] = f"{ROOT / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run([*cmd, *argv], cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
