#!/usr/bin/env python3
"""Score the bundled packs on the shared dcg corpus and the project's corpus/*.jsonl: block rate,
false-block rate, latency.

Runs the shared harness (../shared/bench/bench_corpus.py) from the project root with this
checkout's .venv/bin first on PATH, installing Vectimus in each scratch project with
``vectimus init --ci`` and calling the hook command init wrote into Claude Code's settings, on the
dcg corpus and every project corpus made of single events. Extra arguments are passed to that
harness (e.g. ``--show-misses 50`` or ``--json out.json``).

Project corpora whose cases need files in the repository first, or are multi-step sequences whose
allowed steps are really performed (corpus/README.md), run case by case in copies of one scratch
project where ``vectimus init --ci`` ran, through the same installed hook, with
``tests/support/sequences.py``. ``--only dcg`` / ``--only project`` runs one side.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    """The shared directory holding the harness and corpora (``$VECTIMUS_SHARED`` or ``../shared``)."""
    for candidate in (os.environ.get("VECTIMUS_SHARED"), ROOT.parent / "shared", Path("/work/shared")):
        if candidate and (Path(candidate) / "bench" / "bench_corpus.py").exists():
            return Path(candidate)
    sys.exit("bench/corpus.py: cannot find shared/bench/bench_corpus.py (set VECTIMUS_SHARED)")


def staged(path: Path) -> bool:
    """Whether a corpus needs this runner: cases with repository ``files`` or ``steps``."""
    return any("files" in case or "steps" in case
               for case in (json.loads(line) for line in path.read_text().splitlines()
                            if line.strip() and not line.startswith("#")))


def dcg(argv: list[str], own: list[Path]) -> int:
    """The dcg corpus and the project's corpora of single events, through the shared harness."""
    shared = shared_dir()
    corpus = shared / "corpus" / "dcg"
    # The shared harness reads the hook from .claude/settings.json; init writes the local file.
    cmd = [sys.executable, str(shared / "bench" / "bench_corpus.py"), "--hook-from-claude-settings",
           "--setup", "vectimus init --ci && cp .claude/settings.local.json .claude/settings.json",
           "--corpus", str(corpus / "dcg-corpus.jsonl"),
           "--corpus", str(corpus / "dcg-malformed-stdin.jsonl")]
    for path in own:
        cmd += ["--corpus", str(path)]
    if "--show-misses" not in argv:
        cmd += ["--show-misses", "20"]
    env = dict(os.environ)
    env["PATH"] = f"{ROOT / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run([*cmd, *argv], cwd=ROOT, env=env).returncode


# -- the project's corpus -------------------------------------------------------------------------

def _fixtures():
    """The test suite's ``Project`` (a scratch repository with its own HOME) and the sequence steps."""
    sys.executable = os.path.abspath(sys.executable)  # the fixtures find `vectimus` beside it
    sys.path.insert(0, str(ROOT))
    from tests.support import project, sequences

    return project, sequences


def _template(fixtures, base: Path):
    """A scratch repository (README, src/app.py, package.json, an ignored .env) where init --ci ran."""
    home = base / "home"
    root = home / "work" / "app"
    (root / "src").mkdir(parents=True)
    (root / "README.md").write_text("# app\n")
    (root / "src" / "app.py").write_text("print('hello')\n")
    (root / "package.json").write_text('{"name": "app", "version": "0.1.0", "scripts": {"test": "node -e 1"}}\n')
    (root / ".gitignore").write_text(".env\nnode_modules/\n")
    (root / ".env").write_text("API_KEY=canary-corpus-0000\n")
    (home / ".aws").mkdir()
    (home / ".aws" / "credentials").write_text("[default]\naws_secret_access_key = canary\n")
    project = fixtures.Project(root, home)
    project.run("git", "init", "-q")
    project.run("git", "add", "-A")
    project.run("git", "commit", "-qm", "initial")
    project.init()
    return project


def _clone(fixtures, template, target: Path):
    shutil.copytree(template.home.parent, target, symlinks=True)
    home = target / "home"
    return fixtures.Project(home / "work" / "app", home)


def _substitute(value, project):
    if isinstance(value, str):
        return (value.replace("$$PROJECT", "\0P").replace("$$HOME", "\0H")
                .replace("$PROJECT", str(project.root)).replace("$HOME", str(project.home))
                .replace("\0P", "$PROJECT").replace("\0H", "$HOME"))
    if isinstance(value, list):
        return [_substitute(v, project) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, project) for k, v in value.items()}
    return value


def run_case(case: dict, fixtures, steps, template, work: Path) -> dict:
    """One case in a fresh copy of the template: repository files committed, then the event or steps."""
    project = _clone(fixtures, template, work / case["id"])
    started = time.perf_counter()
    session = steps.Session(project, session=f"corpus-{case['id']}")
    try:
        files = case.get("files") or {}
        for rel, text in files.items():
            path = project.home / rel[2:] if rel.startswith("~/") else project.root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", errors="surrogateescape")
            if path.name in ("tool", "configure") or "bin/" in rel or rel.startswith(".githooks/"):
                os.chmod(path, 0o755)
        if files:
            project.run("git", "add", "-A")
            project.run("git", "commit", "-qm", "repository files", "--allow-empty")
        if "steps" in case:
            session.run(case["steps"])
            blocked = session.blocked()
            reason = next((r for _, d, r in session.log if d in steps.BLOCKED), "")
        else:
            event = _substitute(case["event"], project)
            tool_input = event["tool_input"]
            decision, reason = session.decide(event["tool_name"], **tool_input)
            blocked = decision in steps.BLOCKED
    finally:
        session.close()
        shutil.rmtree(work / case["id"], ignore_errors=True)
    expect_block = case["expect"] == "deny"
    return {"id": case["id"], "category": case["category"], "expect": case["expect"], "blocked": blocked,
            "ok": blocked == expect_block, "reason": reason[:200], "ms": (time.perf_counter() - started) * 1000}


def _guarded(case: dict, *args) -> dict:
    """``run_case``, with a failure of the harness itself reported as a miss with its reason."""
    try:
        return run_case(case, *args)
    except Exception as exc:  # noqa: BLE001 - one case's harness failure must not end the run
        return {"id": case["id"], "category": case["category"], "expect": case["expect"], "blocked": False,
                "ok": False, "reason": f"harness error: {str(exc).splitlines()[0][:150]}", "ms": 0.0}


def project(paths: list[Path], jobs: int, show: int) -> int:
    fixtures, steps = _fixtures()
    cases = [json.loads(line) for path in paths for line in path.read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    work = Path(tempfile.mkdtemp(prefix="vcorpus-"))
    try:
        template = _template(fixtures, work / "template")
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(lambda c: _guarded(c, fixtures, steps, template, work), cases))
    finally:
        from vectimus.daemon import lifecycle

        lifecycle.stop({"XDG_RUNTIME_DIR": fixtures.runtime_dir()}, wait=2)
        shutil.rmtree(work, ignore_errors=True)
    by_category = defaultdict(list)
    for result in results:
        by_category[result["category"]].append(result)
    print(f"{'category':34} {'block':>9} {'rate':>6} {'fblock':>9} {'rate':>6}")
    for category, rows in [*sorted(by_category.items()), ("OVERALL", results)]:
        deny = [r for r in rows if r["expect"] == "deny"]
        allow = [r for r in rows if r["expect"] == "allow"]
        hit = sum(r["blocked"] for r in deny)
        false = sum(r["blocked"] for r in allow)
        print(f"{category:34} {f'{hit}/{len(deny)}':>9} {hit / len(deny) if deny else 0:6.3f} "
              f"{f'{false}/{len(allow)}':>9} {false / len(allow) if allow else 0:6.3f}")
    misses = [r for r in results if not r["ok"]]
    for r in misses[:show]:
        print(f"  {r['id']:34} expected {r['expect']}, {'blocked' if r['blocked'] else 'allowed'} {r['reason']}")
    deny = [r for r in results if r["expect"] == "deny"]
    allow = [r for r in results if r["expect"] == "allow"]
    print(f"project corpus: block_rate={sum(r['blocked'] for r in deny) / len(deny):.3f} "
          f"({sum(r['blocked'] for r in deny)}/{len(deny)}) false_block_rate="
          f"{sum(r['blocked'] for r in allow) / len(allow):.3f} ({sum(r['blocked'] for r in allow)}/{len(allow)}) "
          f"cases={len(results)} median_case_ms={statistics.median(r['ms'] for r in results):.0f}")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("dcg", "project"))
    parser.add_argument("--jobs", type=int, default=2, help="project corpus: cases at once")
    parser.add_argument("--corpus", action="append", type=Path,
                        help="project corpus files with files or steps (default corpus/*.jsonl)")
    args, rest = parser.parse_known_args(argv)
    corpora = args.corpus or sorted((ROOT / "corpus").glob("*.jsonl"))
    status = 0
    if args.only != "project":
        status = dcg(rest, [p for p in corpora if not staged(p)] if not args.corpus else [])
    if args.only != "dcg":
        status = project([p for p in corpora if staged(p)], args.jobs, 40) or status
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
