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
    Cli("gemini", "@google/gemini-cli", ("0.61.0",), ".bin/gemini"),
    Cli("copilot", "@github/copilot", ("1.0.102",), ".bin/copilot"),
    # @factory/cli 0.225.1 is a wrapper whose platform package of that version does not exist.
    Cli("droid", "@factory/cli-linux-x64", ("0.225.2",), "@factory/cli-linux-x64/bin/droid"),
    Cli("opencode", "opencode-ai", ("1.18.33",), ".bin/opencode"),
)}
# OpenCode installs this into every config directory holding plugins unless it is already there.
OPENCODE_PLUGIN_PACKAGE = "@opencode-ai/plugin"


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

    prefix = npm_install(cli.package, version, ready)
    if cli.agent == "opencode":
        opencode_plugin_deps(version)
    return prefix / "node_modules" / cli.binary


def opencode_plugin_deps(version: str) -> Path:
    """``@opencode-ai/plugin`` installed the way OpenCode installs it next to a plugin."""
    return npm_install(OPENCODE_PLUGIN_PACKAGE, version,
                       lambda prefix: (prefix / "node_modules" / OPENCODE_PLUGIN_PACKAGE / "package.json").exists())


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


def run_gemini(launch: Launch) -> Run:
    """``gemini -p`` in YOLO mode (the file and shell tools are only offered then), project trusted."""
    settings: dict = {"security": {"auth": {"selectedType": "gemini-api-key"}},
                      "privacy": {"usageStatisticsEnabled": False},
                      "general": {"enableAutoUpdate": False, "enableAutoUpdateNotification": False},
                      "telemetry": {"enabled": False}}
    if launch.mcp_server:
        name, argv = launch.mcp_server
        settings["mcpServers"] = {name: {"command": argv[0], "args": argv[1:], "trust": True}}
    write_json(launch.home / ".gemini" / "settings.json", settings)
    env = launch.env(GEMINI_API_KEY="test-key", GOOGLE_GEMINI_BASE_URL=launch.base_url,
                     GEMINI_CLI_TRUST_WORKSPACE="true")
    return launch.run(["-p", launch.prompt, "--output-format", "json", "--approval-mode", "yolo"], env)


def run_copilot(launch: Launch) -> Run:
    """``copilot -p`` with a bring-your-own-model provider (no GitHub sign-in), folder trusted."""
    if launch.mcp_server:
        name, argv = launch.mcp_server
        write_json(launch.home / ".copilot" / "mcp-config.json",
                   {"mcpServers": {name: {"type": "local", "command": argv[0], "args": argv[1:], "tools": ["*"]}}})
    env = launch.env(COPILOT_OFFLINE="true", COPILOT_PROVIDER_BASE_URL=launch.base_url + "/v1",
                     COPILOT_PROVIDER_API_KEY="sk-test", COPILOT_MODEL="gpt-4.1", COPILOT_AUTO_UPDATE="false",
                     # the CLI unpacks itself under the cache on first start: share that between runs
                     XDG_CACHE_HOME=str(cache_root() / "copilot-xdg-cache"))
    return launch.run(["-p", launch.prompt, "--allow-all-tools", "--trust-folder"], env)


def run_droid(launch: Launch) -> Run:
    """``droid exec --auto high`` with a custom chat-completions model (no Factory sign-in)."""
    write_json(launch.home / ".factory" / "settings.json", {"customModels": [{
        "model": "mock-model", "displayName": "Mock", "baseUrl": launch.base_url + "/v1", "apiKey": "sk-test",
        "provider": "generic-chat-completion-api", "maxOutputTokens": 4096}]})
    if launch.mcp_server:
        name, argv = launch.mcp_server
        write_json(launch.home / ".factory" / "mcp.json",
                   {"mcpServers": {name: {"type": "stdio", "command": argv[0], "args": argv[1:]}}})
    env = launch.env(FACTORY_AIRGAP_ENABLED="true", FACTORY_DROID_AUTO_UPDATE_ENABLED="false")
    return launch.run(["exec", "-m", "custom:mock-model", "--auto", "high", "-o", "json", launch.prompt], env)


def run_opencode(launch: Launch) -> Run:
    """``opencode run`` with an OpenAI-compatible provider, every permission granted.

    OpenCode installs ``@opencode-ai/plugin`` from npm into every config directory that holds
    plugins unless it is there already: the cached install is linked in, so nothing is fetched.
    """
    xdg = launch.home / ".xdg"
    config: dict = {
        "$schema": "https://opencode.ai/config.json",
        "provider": {"mock": {"npm": "@ai-sdk/openai-compatible", "name": "Mock",
                              "options": {"baseURL": launch.base_url + "/v1", "apiKey": "sk-test"},
                              "models": {"mock-model": {"name": "Mock", "tool_call": True,
                                                        "limit": {"context": 128000, "output": 4096}}}}},
        "model": "mock/mock-model", "small_model": "mock/mock-model", "autoupdate": False, "share": "disabled",
        "permission": {"bash": "allow", "edit": "allow", "webfetch": "allow", "external_directory": "allow"}}
    if launch.mcp_server:
        name, argv = launch.mcp_server
        config["mcp"] = {name: {"type": "local", "command": argv, "enabled": True}}
    write_json(xdg / "config" / "opencode" / "opencode.json", config)
    version = launch.exe.parents[2].name.rsplit("-", 1)[1]  # …/opencode-ai-<version>/node_modules/.bin
    deps = opencode_plugin_deps(version)
    for folder in (launch.project / ".opencode", xdg / "config" / "opencode"):
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(deps / name, folder / name)
        if not (folder / "node_modules").exists():
            (folder / "node_modules").symlink_to(deps / "node_modules")
    (xdg / "tmp").mkdir(parents=True, exist_ok=True)
    env = launch.env(XDG_CONFIG_HOME=str(xdg / "config"), XDG_DATA_HOME=str(xdg / "data"),
                     XDG_CACHE_HOME=str(xdg / "cache"), XDG_STATE_HOME=str(xdg / "state"),
                     TMPDIR=str(xdg / "tmp"), OPENCODE_DISABLE_MODELS_FETCH="true",
                     OPENCODE_DISABLE_AUTOUPDATE="true", OPENCODE_DISABLE_LSP_DOWNLOAD="true",
                     OPENCODE_DISABLE_DEFAULT_PLUGINS="true", OPENCODE_DISABLE_SHARE="true")
    return launch.run(["run", launch.prompt, "--format", "json"], env)


RUNNERS = {"claude": run_claude, "codex": run_codex, "gemini": run_gemini, "copilot": run_copilot,
           "droid": run_droid, "opencode": run_opencode}
