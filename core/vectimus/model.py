"""The values that flow through an evaluation: ToolCall -> [Action] -> Decision.

Standard library only: this module is imported on the hook's hot path. The value types are named
tuples (``vectimus.records.Record``): immutable like frozen dataclasses, but creating the classes
costs a fraction of a millisecond instead of several (a hook process pays for class creation every
call).
"""

from types import MappingProxyType
from typing import Any, Literal, get_args

from vectimus.records import Record

# What a ToolCall is, across agents (adapters map their tool names onto these):
# shell        a shell command line (command, shell)
# file_write   create / overwrite / edit a file (paths)
# file_read    read a file, list or search a directory (paths)
# file_delete  delete a file (paths)
# web_fetch    fetch a URL (url)
# web_search   run a web search (query)
# mcp          call a tool of an MCP server (mcp_server, mcp_tool, arguments)
# spawn        start a subagent (prompt)
# internal     agent bookkeeping with no outside effect (todo list, plan mode, questions)
# unknown      a tool Vectimus has no mapping for
CallKind = Literal["shell", "file_write", "file_read", "file_delete", "web_fetch", "web_search", "mcp", "spawn",
                   "internal", "unknown"]
CALL_KINDS: tuple[CallKind, ...] = get_args(CallKind)

# The Cedar actions (Vectimus::Action::"<kind>") an analysed call is made of.
ActionKind = Literal["exec", "file_read", "file_write", "file_delete", "network", "package", "mcp", "spawn",
                     "query", "unknown"]
ACTION_KINDS: tuple[ActionKind, ...] = get_args(ActionKind)

# Cedar resource entity type for each action kind.
RESOURCE_TYPES = {
    "exec": "Program",
    "file_read": "Path",
    "file_write": "Path",
    "file_delete": "Path",
    "network": "Host",
    "package": "Package",
    "mcp": "McpTool",
    "spawn": "Subagent",
    "query": "Database",
    "unknown": "Tool",
}

# What the hook answers, weakest to strongest: the strictest of a call's verdicts wins.
DecisionKind = Literal["allow", "observe", "ask", "deny"]
DECISIONS: tuple[DecisionKind, ...] = get_args(DecisionKind)


class ToolCall(Record):
    """One tool call an agent is about to make, in agent-neutral form."""

    agent: str
    tool: str
    kind: CallKind
    cwd: str
    project_dir: str
    event: str = "PreToolUse"
    command: str | None = None
    shell: str = "bash"
    paths: tuple[str, ...] = ()
    url: str | None = None
    query: str | None = None
    prompt: str | None = None
    mcp_server: str | None = None
    mcp_tool: str | None = None
    arguments: Any = None
    content: str | None = None
    session_id: str = ""
    tool_use_id: str = ""
    permission_mode: str = ""
    raw: Any = MappingProxyType({})  # the event as the agent sent it (read-only when absent)


class PathFacts(Record):
    """What a policy may know about one path, computed in Python so Cedar stays simple."""

    path: str = ""
    name: str = ""
    ext: str = ""
    is_root: bool = False
    is_home: bool = False
    in_home: bool = False
    in_project: bool = False
    is_project_root: bool = False
    is_git_dir: bool = False
    in_git_dir: bool = False
    is_tmp: bool = False
    is_cache: bool = False  # a package manager's or XDG's cache in the home directory (home_places)
    is_system: bool = False
    is_secret: bool = False
    is_governance: bool = False
    is_ci_config: bool = False
    is_agent_instructions: bool = False
    is_persistence: bool = False
    is_vectimus: bool = False  # Vectimus itself: its installation, home, runtime files, the project's .vectimus/
    is_glob: bool = False
    is_dir: bool = False
    exists: bool = False


class NetFacts(Record):
    """What a policy may know about one network destination."""

    url: str = ""
    scheme: str = ""
    host: str = ""
    port: int = 0
    is_ip: bool = False
    is_loopback: bool = False
    is_private: bool = False
    is_link_local: bool = False
    is_metadata: bool = False
    sends_data: bool = False
    sends_secret: bool = False
    listens: bool = False  # opens a listening socket (nc -l, socat *-LISTEN, python -m http.server)
    channel: str = ""      # how data leaves, when it is a known exfiltration channel (facts.channels)


class PackageFacts(Record):
    """What a policy may know about a package-manager operation."""

    manager: str = ""
    op: str = ""
    names: tuple[str, ...] = ()
    source: str = ""  # registry | url | vcs | path | index
    index: str = ""  # type: ignore[assignment]  # the schema's name; shadows tuple.index


class McpFacts(Record):
    """What a policy may know about an MCP tool call."""

    server: str = ""
    tool: str = ""
    allowed: bool = False
    declared: bool = False


class DbFacts(Record):
    """What a policy may know about one statement sent to a database (``query`` actions)."""

    engine: str = ""        # postgres | mysql | sqlite | clickhouse | cassandra | mongo | redis | …
    statement: str = ""     # drop | truncate | delete | update | grant | revoke | role | copy | flush
                            # | config | code | select | insert | create | alter | other
    object: str = ""        # what a drop/alter acts on: table | database | schema | column | …
    targets: tuple[str, ...] = ()
    filtered: bool = False  # delete/update limited by a condition that names a column (not 1=1)
    server_side: bool = False  # runs a program or reads/writes files on the database's host


class CodeFacts(Record):
    """Where the code an action comes from, when it is not the call's own text."""

    file: str = ""          # the file whose code performs the action (a script run, a file written)
    by_agent: bool = False  # the agent wrote or changed that file in this session (or is writing it)
    unread: str = ""        # why Vectimus could not analyse the file's code ("" when it did)


class Action(Record):
    """One concrete thing a tool call would do; one Cedar request each."""

    kind: ActionKind
    resource: str
    program: str = ""
    program_path: str = ""
    subcommand: str = ""
    args: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    target: PathFacts = PathFacts()
    net: NetFacts = NetFacts()
    pkg: PackageFacts = PackageFacts()
    mcp: McpFacts = McpFacts()
    db: DbFacts = DbFacts()
    secrets: tuple[str, ...] = ()  # kinds of credential the action sends or shows (never values)
    risk: str = ""  # exec: what the invocation risks beyond its program (programs.clouds.exec_risk)
    via: tuple[str, ...] = ()
    raw: str = ""
    input: str = ""  # exec: what the command reads on stdin, when the analyser knows the text
    dynamic: bool = False
    env: tuple[str, ...] = ()  # exec: environment knobs the command sets (facts.env)
    code: CodeFacts = CodeFacts()
    deferred: bool = False  # what code being written would do when it runs later (keep these two last)

    def coded(self, code: CodeFacts, deferred: bool) -> "Action":
        """This action with ``code`` and ``deferred`` (as ``_replace`` gives it, in half the time: a
        file's every action gets them; built as ``_make`` builds it, without its length check)."""
        return tuple.__new__(Action, self[:-2] + (code, deferred))

    def describe(self) -> str:
        """A short human-readable summary, e.g. ``exec rm -r -f /``."""
        if self.kind == "exec":
            return " ".join([self.program, *(f"-{f}" if len(f) == 1 else f"--{f}" for f in self.flags), *self.args]).strip()
        return f"{self.kind} {self.resource}"


# Action's fields between ``target`` and ``secrets`` (net, pkg, mcp, db), and its last two (code,
# deferred), at their defaults: the hot paths build an action as ``coded`` does, every field given in
# order (``tuple.__new__(Action, (kind, …, target, *NO_FACTS, secrets, …, env, *NOT_CODED))``); a call
# binding 21 parameters, by keyword above all, costs several times that, and every command records one.
NO_FACTS = (NetFacts(), PackageFacts(), McpFacts(), DbFacts())
NOT_CODED = (CodeFacts(), False)


class Verdict(Record):
    """The outcome of evaluating one action."""

    action: Action
    decision: DecisionKind
    policies: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()


class Decision(Record):
    """The combined outcome for a whole tool call: strictest verdict wins."""

    decision: DecisionKind
    reason: str = ""
    policies: tuple[str, ...] = ()
    verdicts: tuple[Verdict, ...] = ()
    errors: tuple[str, ...] = ()

    @property
    def blocks(self) -> bool:
        """True when the tool call must not run as asked (deny or ask)."""
        return self.decision in ("deny", "ask")
