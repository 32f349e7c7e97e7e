"""Install and run the real agent CLIs (npm packages) against a local mock model, offline.

The environment each CLI gets is built from scratch (no inherited API keys, proxies or config):
a temporary HOME, the mock's address as the API base URL, and every telemetry, error-reporting
and update check switched off.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

CLAUDE_PACKAGE = "@anthropic-ai/claude-code"
CLAUDE_VERSION = "2.1.197"
CODEX_PACKAGE = "@openai/codex"
CODEX_VERSION = "0.169.0"

RUN_TIMEOUT = 120  # seconds; one run normally takes 1-3 s


def cache_root() -> Path:
    """Where pinned CLI installs are kept between runs (``VECTIMUS_AGENTS_CACHE`` overrides)."""
    override = os.environ.get("VECTIMUS_AGENTS_CACHE")
    return Path(override) if override else Path.home() / ".cache" / "vectimus-test-agents"


def install_cli(package: str, version: str, binary: str) -> Path:
    """Install ``package@version`` with npm into the cache (once) and return its binary.

    A cached install that does not report ``version`` (interrupted, tampered) is installed anew.
    """
    prefix = cache_root() / f"{package.replace('/', '__').lstrip('@')}-{version}"
    exe = prefix / "node_modules" / ".bin" / binary
    if reports_version(exe, version):
        return exe
    npm = shutil.which("npm")
    if npm is None:
        raise FileNotFoundError("npm")
    shutil.rmtree(prefix, ignore_errors=True)
    prefix.mkdir(parents=True)
    proc = subprocess.run(
        [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--no-save",
         "--loglevel=error", f"{package}@{version}"],
        capture_output=True, text=True, timeout=600)
    if proc.returncode != 0 or not reports_version(exe, version):
        raise RuntimeError(f"npm install {package}@{version} failed:\n{proc.stderr[-3000:]}")
    return exe


def reports_version(exe: Path, version: str) -> bool:
    """Whether ``exe --version`` runs and names ``version``."""
    if not exe.exists():
        return False
    try:
        out = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=60,
                             stdin=subprocess.DEVNULL, env=base_env(Path("/nonexistent-home")))
    except (OSError, subprocess.SubprocessError):
        return False
    return out.returncode == 0 and version in out.stdout


def base_env(home: Path, extra_path: list[Path] = ()) -> dict[str, str]:
    """A minimal environment: temp HOME, PATH with ``extra_path`` first, no inherited secrets."""
    path = os.pathsep.join([*(str(p) for p in extra_path), os.environ.get("PATH", "/usr/bin:/bin")])
    env = {"HOME": str(home), "PATH": path, "LANG": "C.UTF-8", "TERM": "dumb", "NO_COLOR": "1",
           "TMPDIR": os.environ.get("TMPDIR", "/tmp")}
    if os.geteuid() == 0:
        env["IS_SANDBOX"] = "1"  # Claude Code refuses its bypass flags as root otherwise
    return env


@dataclass
class Run:
    """One finished CLI run."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    def describe(self) -> str:
        return (f"$ {' '.join(self.args)}\nexit {self.returncode}\n--- stdout\n{self.stdout[-4000:]}"
                f"\n--- stderr\n{self.stderr[-4000:]}")


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> Run:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=RUN_TIMEOUT, stdin=subprocess.DEVNULL)
    return Run(args, proc.returncode, proc.stdout, proc.stderr)


def run_claude(exe: Path, project: Path, home: Path, base_url: str, prompt: str = "go", *,
               permission_mode: str | None = None, allowed_tools: list[str] = (),
               extra_path: list[Path] = (), wrapper: list[str] = ()) -> Run:
    """``claude -p PROMPT`` in ``project`` against the mock at ``base_url``.

    ``allowed_tools`` is the ``--allowedTools`` list a CI workflow gives Claude Code so that it
    runs those tools without a prompt; ``wrapper`` prefixes the command (e.g. strace).
    """
    env = base_env(home, extra_path) | {
        "ANTHROPIC_BASE_URL": base_url,
        "ANTHROPIC_API_KEY": "sk-test",
        "DISABLE_TELEMETRY": "1",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        "DISABLE_AUTOUPDATER": "1",
        "DISABLE_ERROR_REPORTING": "1",
        "DISABLE_BUG_COMMAND": "1",
    }
    args = [*wrapper, str(exe), "-p", prompt, "--output-format", "json"]
    if permission_mode:
        args += ["--permission-mode", permission_mode]
    if allowed_tools:
        args += ["--allowedTools", ",".join(allowed_tools)]
    return _run(args, project, env)


def write_codex_home(codex_home: Path, base_url: str, project: Path, extra_config: str = "") -> None:
    """A CODEX_HOME whose config points Codex at the mock, trusts ``project``, plus ``extra_config``."""
    codex_home.mkdir(parents=True, exist_ok=True)
    (codex_home / "config.toml").write_text(
        'model = "gpt-5.5"\n'
        'model_provider = "mock"\n'
        'approval_policy = "never"\n'
        'sandbox_mode = "danger-full-access"\n'
        "check_for_update_on_startup = false\n"
        "\n[model_providers.mock]\n"
        'name = "mock"\n'
        f"base_url = {json.dumps(base_url + '/v1')}\n"
        'wire_api = "responses"\n'
        'env_key = "VECTIMUS_TEST_MOCK_KEY"\n'
        "request_max_retries = 0\n"
        "stream_max_retries = 0\n"
        "\n[features]\nhooks = true\nplugins = false\n"
        "\n[analytics]\nenabled = false\n"
        f"\n[projects.{json.dumps(str(project))}]\ntrust_level = \"trusted\"\n"
        + extra_config,
        encoding="utf-8")


def run_codex(exe: Path, project: Path, home: Path, base_url: str, prompt: str = "go", *,
              extra_config: str = "", extra_path: list[Path] = (), wrapper: list[str] = ()) -> Run:
    """``codex exec PROMPT`` in ``project`` against the mock at ``base_url`` (``wrapper`` prefixes it)."""
    codex_home = home / ".codex"
    write_codex_home(codex_home, base_url, project, extra_config)
    env = base_env(home, extra_path) | {
        "CODEX_HOME": str(codex_home),
        "VECTIMUS_TEST_MOCK_KEY": "sk-test",
        "OTEL_SDK_DISABLED": "true",
    }
    args = [*wrapper, str(exe), "exec", "--json", "--skip-git-repo-check", "--dangerously-bypass-hook-trust",
            prompt]
    return _run(args, project, env)
