"""Install and run the real agent CLIs (npm packages) against the local mock model, offline.

Each CLI is pinned (``CLIS``: the oldest version the suite keeps proving and the newest seen) and
installed with npm once into a cache. The environment each run gets is built from scratch (no
inherited API keys, proxies or config): a temporary HOME, the mock's address as the model API,
and every telemetry, error-reporting, update and download switched off.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

RUN_TIMEOUT = 240  # seconds; a run normally takes 1-25 s


@dataclass(frozen=True)
class Cli:
    """One agent CLI on npm: its package, the versions the suite runs, its binary's path."""

    agent: str
    package: str
    versions: tuple[str, ...]
    binary: str  # below node_modules/


CLIS = {cli.agent: cli for cli in (
    Cli("claude", "@anthropic-ai/claude-code", ("2.1.197", "2.1.332"), ".bin/claude"),
    Cli("codex", "@openai/codex", ("0.169.0", "0.171.0"), ".bin/codex"),
)}


def cache_root() -> Path:
    """Where pinned installs are kept between runs (``VECTIMUS_AGENTS_CACHE`` overrides)."""
    override = os.environ.get("VECTIMUS_AGENTS_CACHE")
    return Path(override) if override else Path.home() / ".cache" / "vectimus-test-agents"


def npm_prefix(package: str, version: str) -> Path:
    return cache_root() / f"{package.replace('/', '__').lstrip('@')}-{version}"


def npm_install(package: str, version: str, ready) -> Path:
    """``npm install package@version`` into its cache prefix once; ``ready(prefix)`` says it is whole.

    A cached install that is not ready (interrupted, tampered) is installed anew.
    """
    prefix = npm_prefix(package, version)
    if ready(prefix):
        return prefix
    npm = shutil.which("npm")
    if npm is None:
        raise FileNotFoundError("npm")
    shutil.rmtree(prefix, ignore_errors=True)
    prefix.mkdir(parents=True)
    proc = subprocess.run(
        [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--save-exact",
         "--loglevel=error", f"{package}@{version}"],
        capture_output=True, text=True, timeout=900)
    if proc.returncode != 0 or not ready(prefix):
        raise RuntimeError(f"npm install {package}@{version} failed:\n{proc.stderr[-3000:]}")
    return prefix


def install_cli(cli: Cli, version: str) -> Path:
    """The binary of ``cli`` at ``version`` (installed into the cache the first time)."""
    def ready(prefix: Path) -> bool:
        return reports_version(prefix / "node_modules" / cli.binary, version)

    return npm_install(cli.package, version, ready) / "node_modules" / cli.binary


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


@dataclass
class Launch:
    """How to start one CLI session: the project, its HOME, the mock, what else the test wants."""

    exe: Path
    project: Path
    home: Path
    base_url: str
    prompt: str = "go"
    extra_path: tuple[Path, ...] = ()
    wrapper: tuple[str, ...] = ()  # prefixes the command (e.g. strace)
    mcp_server: tuple[str, list[str]] | None = None  # (name, argv) of a stdio MCP server to declare
    options: dict | None = None  # agent-specific (permission_mode, allowed_tools, …)
    extra_env: dict | None = None  # given to the CLI, and so to its hooks

    def run(self, args: list[str], env: dict[str, str]) -> Run:
        argv = [*self.wrapper, str(self.exe), *args]
        proc = subprocess.run(argv, cwd=self.project, env=env, capture_output=True, text=True,
                              timeout=RUN_TIMEOUT, stdin=subprocess.DEVNULL)
        return Run(argv, proc.returncode, proc.stdout, proc.stderr)

    def env(self, **extra: str) -> dict[str, str]:
        return base_env(self.home, list(self.extra_path)) | (self.extra_env or {}) | extra

    def option(self, name: str, default=None):
        return (self.options or {}).get(name, default)


def write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def run_claude(launch: Launch) -> Run:
    """``claude -p`` (options: ``permission_mode``; ``allowed_tools``, what a CI workflow lets it run)."""
    if launch.mcp_server:
        name, argv = launch.mcp_server
        write_json(launch.project / ".mcp.json", {"mcpServers": {name: {"command": argv[0], "args": argv[1:]}}})
        local = launch.project / ".claude" / "settings.local.json"  # where init put the hooks
        settings = json.loads(local.read_text()) if local.exists() else {}
        write_json(local, {**settings, "enableAllProjectMcpServers": True})
    env = launch.env(ANTHROPIC_BASE_URL=launch.base_url, ANTHROPIC_API_KEY="sk-test", DISABLE_TELEMETRY="1",
                     CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1", DISABLE_AUTOUPDATER="1",
                     DISABLE_ERROR_REPORTING="1", DISABLE_BUG_COMMAND="1")
    args = ["-p", launch.prompt, "--output-format", "json"]
    if launch.option("permission_mode"):
        args += ["--permission-mode", launch.option("permission_mode")]
    if launch.option("allowed_tools"):
        args += ["--allowedTools", ",".join(launch.option("allowed_tools"))]
    return launch.run(args, env)


def run_codex(launch: Launch) -> Run:
    """``codex exec`` with a CODEX_HOME pointing Codex at the mock and trusting the project."""
    codex_home = launch.home / ".codex"
    config = (
        'model = "gpt-5.5"\nmodel_provider = "mock"\napproval_policy = "never"\n'
        'sandbox_mode = "danger-full-access"\ncheck_for_update_on_startup = false\n'
        f'\n[model_providers.mock]\nname = "mock"\nbase_url = {json.dumps(launch.base_url + "/v1")}\n'
        'wire_api = "responses"\nenv_key = "VECTIMUS_TEST_MOCK_KEY"\n'
        "request_max_retries = 0\nstream_max_retries = 0\n"
        "\n[features]\nhooks = true\nplugins = false\n\n[analytics]\nenabled = false\n"
        f'\n[projects.{json.dumps(str(launch.project))}]\ntrust_level = "trusted"\n')
    if launch.mcp_server:
        name, argv = launch.mcp_server
        config += f"\n[mcp_servers.{name}]\ncommand = {json.dumps(argv[0])}\nargs = {json.dumps(argv[1:])}\n"
    codex_home.mkdir(parents=True, exist_ok=True)
    (codex_home / "config.toml").write_text(config, encoding="utf-8")
    env = launch.env(CODEX_HOME=str(codex_home), VECTIMUS_TEST_MOCK_KEY="sk-test", OTEL_SDK_DISABLED="true")
    return launch.run(["exec", "--json", "--skip-git-repo-check", "--dangerously-bypass-hook-trust",
                       launch.prompt], env)


RUNNERS = {"claude": run_claude, "codex": run_codex}
