"""Database clients: the statements they send, as ``query`` actions a policy can read.

SQL comes from the client's options (``psql -c``, ``mysql -e``), its operands (``sqlite3 db 'SQL'``),
a file (``psql -f x.sql``, ``psql < x.sql``), or stdin when its text is known (a heredoc, a
here-string, ``echo … |``); it is parsed by ``facts.sql``. Client meta-commands that reach the shell
or other files (``psql``'s ``\\!``, ``\\o |cmd``, ``\\i file``; sqlite's ``.shell``, ``.read``) are
followed. MongoDB shells hand their JavaScript to the JavaScript analyser and their collection
methods become statements here; Redis commands, Elasticsearch's HTTP API (through ``curl``) and
Rails' database tasks with the environment check disabled are statements too.
Standard library only: used on the hot path (``facts.sql`` imports sqlglot when SQL is present).
"""

from __future__ import annotations

import re

from vectimus.analyser import argv
from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.model import Action, DbFacts
from vectimus import world

MAX_SQL_FILE = 256 * 1024


class Client:
    """How one database client takes SQL."""

    __slots__ = ("engine", "dialect", "sql", "files", "takes", "positional")

    def __init__(self, engine: str, dialect: str | None, sql: str, files: str = "", takes: str = "",
                 positional: int = -1) -> None:
        self.engine = engine
        self.dialect = dialect
        self.sql = tuple(s.lstrip("-") for s in sql.split())          # options whose value is SQL
        self.files = tuple(s.lstrip("-") for s in files.split())      # options naming a SQL file
        self.takes = argv.opts(" ".join((sql, files, takes)))
        self.positional = positional   # operands from this index on are SQL (sqlite3 db 'SQL'); -1: none


_PG = "-d --dbname -h --host -p --port -U --username -v --set --variable -o --output -L --log-file " \
      "-P --pset -F --field-separator -R --record-separator -T --table-attr"
_MY = "-u --user -h --host -P --port -D --database -S --socket --default-character-set " \
      "--defaults-file --defaults-extra-file --login-path --ssl-mode --protocol"
CLIENTS = {
    "psql": Client("postgres", "postgres", "-c --command", "-f --file", _PG),
    "pgcli": Client("postgres", "postgres", "-c --command", "", _PG),
    "cockroach": Client("postgres", "postgres", "-e --execute", "-f --file", "--url --host --user -d --database"),
    "usql": Client("postgres", "postgres", "-c --command", "-f --file", "-o --out"),
    "mysql": Client("mysql", "mysql", "-e --execute", "", _MY),
    "mariadb": Client("mysql", "mysql", "-e --execute", "", _MY),
    "mycli": Client("mysql", "mysql", "-e --execute", "", _MY),
    "sqlite3": Client("sqlite", "sqlite", "-cmd", "", "-separator -nullvalue -newline", positional=1),
    "sqlite": Client("sqlite", "sqlite", "-cmd", "", "-separator -nullvalue -newline", positional=1),
    "litecli": Client("sqlite", "sqlite", "-e --execute", ""),
    "duckdb": Client("duckdb", "duckdb", "-c -s", "-f", "-separator -nullvalue", positional=1),
    "clickhouse-client": Client("clickhouse", "clickhouse", "-q --query", "--queries-file",
                                "-h --host --port -u --user -d --database --password -f --format"),
    "cqlsh": Client("cassandra", None, "-e --execute", "-f --file", "-u --username -p --password -k --keyspace"),
    "sqlcmd": Client("sqlserver", "tsql", "-Q -q", "-i", "-S -U -P -d -o -s -w"),
    "snowsql": Client("snowflake", "snowflake", "-q --query", "-f --filename", "-a --accountname -u --username "
                      "-d --dbname -s --schemaname -w --warehouse -r --rolename -c --connection"),
}
REDIS = {"redis-cli", "valkey-cli", "keydb-cli"}
MONGO = {"mongosh", "mongo"}
RAILS = {"rails", "rake"}


def client(an: Analysis, cmd: Cmd, program: str) -> None:
    """A SQL client: every statement it would send."""
    spec = CLIENTS[program]
    words = list(cmd.words[1:])
    if program == "cockroach":
        if not words or words[0].text != "sql":
            return
        words = words[1:]
    if program == "clickhouse-client" and words and words[0].text == "client":
        words = words[1:]
    p = argv.parse(words, spec.takes, long_single_dash=program in ("sqlite3", "sqlite", "duckdb"))
    texts = [w for name, w in p.values if name in spec.sql]
    if spec.positional >= 0:
        texts += p.operands[spec.positional:]
        if spec.positional and p.operands and p.operands[0].text not in ("", ":memory:"):
            an.file("file_read", p.operands[0], cmd, program=program)  # the database file itself
    for word in [w for name, w in p.values if name in spec.files]:
        body = read_file(an, cmd, word, program)
        if body is not None:
            texts.append(Word(body))
    if not texts and not p.has(*spec.files):
        texts.extend(stdin_text(an, cmd, program))
    for word in texts:
        sql(an, cmd, program, spec, word)


def sql(an: Analysis, cmd: Cmd, program: str, spec: Client, word: Word) -> None:
    """Record the statements of SQL text ``word`` sent by ``program`` (meta-commands followed)."""
    from vectimus.analyser.facts.sql import statements

    text = _meta_commands(an, cmd, program, spec, word)
    for stmt in statements(text, spec.dialect, spec.engine):
        record(an, cmd, program, stmt.facts, dynamic=word.dynamic or not stmt.parsed)
        if stmt.program:
            an.shell(Word(stmt.program, word.dynamic), cmd, f"{program} COPY PROGRAM")


def record(an: Analysis, cmd: Cmd, program: str, facts: DbFacts, dynamic: bool = False) -> None:
    """One ``query`` action for a statement."""
    target = facts.targets[0] if facts.targets else ""
    an.add(Action(kind="query", resource=f"{facts.engine}:{target}", program=program, db=facts,
                  via=cmd.via, raw=cmd.raw, dynamic=dynamic))


def stdin_text(an: Analysis, cmd: Cmd, program: str) -> list[Word]:
    """What the command reads on stdin, when known: text fed to it, or a file redirected in."""
    if cmd.stdin.text is not None:
        return [Word(cmd.stdin.text)]
    if cmd.stdin.kind == "file" and cmd.stdin.path and not cmd.stdin.secret:
        body = _read(an.target(Word(cmd.stdin.path), cmd.scope).path)
        return [Word(body)] if body is not None else []
    return []


def read_file(an: Analysis, cmd: Cmd, word: Word, program: str) -> str | None:
    """Record the read of a SQL file and return its text (None when unknown or unreadable)."""
    target = an.file("file_read", word, cmd, program=program)
    if word.dynamic or target.is_secret:
        return None
    return _read(target.path)


def _read(path: str) -> str | None:
    if not path.startswith("/"):
        return None
    try:
        return world.read(path, MAX_SQL_FILE)[:MAX_SQL_FILE].decode("utf-8", "replace")
    except (OSError, ValueError):
        return None


# -- client meta-commands -------------------------------------------------------------------
# (patterns kept as text, compiled through re's cache when a client's text is read)

_PSQL_META = (r"(?m)\\(!|o|out|g|gx|w|write|copy|i|ir|include|include_relative|gexec|setenv)"
              r"(?![A-Za-z])[ \t]*([^\n]*)")
_SQLITE_DOT = (r"(?m)^[ \t]*\.(shell|system|output|once|read|import|open|save|backup|excel)"
               r"\b[ \t]*([^\n]*)")
_MYSQL_SYSTEM = r"(?mi)^[ \t]*(?:system|\\!)[ \t]+([^\n]*)"


def _meta_commands(an: Analysis, cmd: Cmd, program: str, spec: Client, word: Word) -> str:
    """Follow the client's own commands in ``word`` and return the SQL left around them."""
    text = word.text
    if spec.engine == "postgres" and "\\" in text:
        for m in re.finditer(_PSQL_META, text):
            name, rest = m.group(1), m.group(2).strip()
            if name == "!":
                an.shell(Word(rest, word.dynamic), cmd, f"{program} \\!")
            elif name in ("o", "out", "g", "gx", "w", "write") and rest.startswith("|"):
                an.shell(Word(rest[1:], word.dynamic), cmd, f"{program} \\{name} |")
            elif name in ("o", "out", "w", "write", "g", "gx") and rest:
                an.file("file_write", Word(rest.split()[0], word.dynamic), cmd, program=program)
            elif name == "copy":
                _psql_copy(an, cmd, program, rest, word.dynamic)
            elif name in ("i", "ir", "include", "include_relative") and rest:
                body = read_file(an, cmd, Word(rest.split()[0], word.dynamic), program)
                if body is not None:
                    sql(an, cmd, program, spec, Word(body, word.dynamic))
            elif name == "gexec":  # runs every cell of the result as a statement: unknown SQL
                record(an, cmd, program, DbFacts(engine=spec.engine, statement="code"), dynamic=True)
        text = re.sub(_PSQL_META, ";", text)
    elif spec.engine in ("sqlite", "duckdb") and "." in text:
        for m in re.finditer(_SQLITE_DOT, text):
            name, rest = m.group(1), m.group(2).strip()
            if name in ("shell", "system"):
                an.shell(Word(rest, word.dynamic), cmd, f"{program} .{name}")
            elif name in ("read",) and rest:
                if rest.startswith("|"):
                    an.shell(Word(rest[1:], word.dynamic), cmd, f"{program} .read |")
                else:
                    body = read_file(an, cmd, Word(rest.split()[0].strip("'\""), word.dynamic), program)
                    if body is not None:
                        sql(an, cmd, program, spec, Word(body, word.dynamic))
            elif name in ("output", "once", "save", "backup", "excel") and rest:
                target = rest.split()[-1].strip("'\"")
                if target.startswith("|"):
                    an.shell(Word(target[1:], word.dynamic), cmd, f"{program} .{name} |")
                else:
                    an.file("file_write", Word(target, word.dynamic), cmd, program=program)
            elif name in ("import", "open") and rest:
                an.file("file_read", Word(rest.split()[0].strip("'\""), word.dynamic), cmd, program=program)
        text = re.sub(_SQLITE_DOT, ";", text)
    elif spec.engine == "mysql":
        for m in re.finditer(_MYSQL_SYSTEM, text):
            an.shell(Word(m.group(1), word.dynamic), cmd, f"{program} system")
        text = re.sub(_MYSQL_SYSTEM, ";", text)
    return text


def _psql_copy(an: Analysis, cmd: Cmd, program: str, rest: str, dynamic: bool) -> None:
    """``\\copy t to|from 'file'|program 'cmd'`` runs on the client: a file or a local command."""
    m = re.search(r"(?i)\b(to|from)\s+(?:program\s+)?(?:'((?:[^']|'')*)'|(\S+))", rest)
    if m is None:
        return
    target = (m.group(2) or m.group(3) or "").replace("''", "'")
    if re.search(r"(?i)\bprogram\b", rest):
        an.shell(Word(target, dynamic), cmd, f"{program} \\copy program")
    elif target.lower() not in ("stdin", "stdout", "pstdin", "pstdout"):
        an.file("file_write" if m.group(1).lower() == "to" else "file_read", Word(target, dynamic), cmd,
                program=program)


# -- MongoDB, Redis, Elasticsearch, Rails -----------------------------------------------------

_MONGO_DROP_DB = r"\.\s*dropDatabase\s*\(|\bdropDatabase\s*['\"]?\s*:"
_MONGO_COLLECTION = r"(?:\.\s*(\w+)|\[\s*['\"]([^'\"]+)['\"]\s*\]|\.getCollection\s*\(\s*['\"]([^'\"]+)['\"]\s*\))"
_MONGO_DROP = _MONGO_COLLECTION + r"\s*\.\s*drop\s*\("
_MONGO_WRITE = (_MONGO_COLLECTION + r"\s*\.\s*(deleteMany|remove|updateMany|update|findOneAndDelete|"
                r"deleteOne|replaceOne|bulkWrite)\s*\(\s*(\{\s*\}|[^,)]*)")
_MONGO_DROP_COMMAND = r"\bdrop\s*['\"]?\s*:\s*['\"]([^'\"]+)"


def mongo(an: Analysis, cmd: Cmd, program: str) -> None:
    """mongosh / mongo: ``--eval`` code, a script file or stdin: JavaScript, and its collection calls."""
    p = argv.parse(cmd.words[1:], argv.opts("--eval --file -f --host --port -u --username -p --password "
                                             "--authenticationDatabase --authenticationMechanism --tlsCAFile"))
    codes = list(p.all("eval"))
    for word in [*p.all("file", "f"), *(w for w in p.operands if w.text.endswith(".js"))]:
        body = read_file(an, cmd, word, program)
        if body is not None:
            codes.append(Word(body))
    if not codes:
        codes.extend(stdin_text(an, cmd, program))
    for code in codes:
        an.code("node", code, cmd, f"{program} --eval")
        for facts in mongo_statements(code.text):
            record(an, cmd, program, facts, dynamic=code.dynamic)


def mongo_statements(code: str) -> list[DbFacts]:
    """The destructive MongoDB calls in shell JavaScript: drops, and deletes/updates with a filter or not."""
    found: list[DbFacts] = []
    if re.search(_MONGO_DROP_DB, code):
        found.append(DbFacts(engine="mongo", statement="drop", object="database"))
    for m in re.finditer(_MONGO_DROP, code):
        found.append(DbFacts(engine="mongo", statement="drop", object="collection",
                             targets=(next(g for g in m.groups() if g),)))
    for m in re.finditer(_MONGO_DROP_COMMAND, code):
        found.append(DbFacts(engine="mongo", statement="drop", object="collection", targets=(m.group(1),)))
    for m in re.finditer(_MONGO_WRITE, code):
        name, method, first = next(g for g in m.groups()[:3] if g), m.group(4), m.group(5).strip()
        statement = "update" if method.startswith(("update", "replace")) else "delete"
        if method == "bulkWrite":
            statement = "other"
        found.append(DbFacts(engine="mongo", statement=statement, object="collection", targets=(name,),
                             filtered=bool(first) and not re.fullmatch(r"\{\s*\}", first)))
    return found


_REDIS_VALUE = argv.opts("-h -p -a -n -u -s --user --pass --tls --cacert -r -i --eval")


def redis(an: Analysis, cmd: Cmd, program: str) -> None:
    """redis-cli / valkey-cli: the command on the command line, or each line fed on stdin."""
    p = argv.parse(cmd.words[1:], _REDIS_VALUE, stop_at_operand=True)
    lines = [[w.text for w in p.operands]] if p.operands else []
    if not lines:
        lines = [line.split() for word in stdin_text(an, cmd, program) for line in word.text.splitlines()]
    for words in lines:
        facts = redis_statement(words)
        if facts is not None:
            record(an, cmd, program, facts)


def redis_statement(words: list[str]) -> DbFacts | None:
    """Facts for one Redis command, or None for an ordinary one."""
    if not words:
        return None
    head = words[0].upper()
    rest = [w.lower() for w in words[1:]]
    if head in ("FLUSHALL", "FLUSHDB"):
        return DbFacts(engine="redis", statement="flush", object="database" if head == "FLUSHDB" else "server")
    if head == "CONFIG" and rest[:1] == ["set"] and len(rest) > 1:
        side = rest[1] in ("dir", "dbfilename", "logfile", "appendfilename", "unixsocket")
        return DbFacts(engine="redis", statement="config", object=rest[1], server_side=side)
    if head in ("SLAVEOF", "REPLICAOF", "MIGRATE") or (head == "MODULE" and rest[:1] == ["load"]):
        return DbFacts(engine="redis", statement="config", object=head.lower(), server_side=True)
    if head in ("DEL", "UNLINK"):
        return DbFacts(engine="redis", statement="delete", object="key", targets=tuple(words[1:2]),
                       filtered=True)
    return None


ES_PORTS = (9200, 9243)


def http_store(an: Analysis, cmd: Cmd, program: str, method: str, url: str, body: str) -> None:
    """An HTTP request to Elasticsearch/OpenSearch that deletes indices or every document."""
    from vectimus.analyser.facts.net import net_facts

    facts = net_facts(url)
    path = url.split("://", 1)[-1].partition("/")[2].split("?", 1)[0]
    if facts.port not in ES_PORTS and not any(k in facts.host for k in ("elastic", "opensearch", "es.")) \
            and not path.startswith(("_all", "*")):
        return
    index = path.split("/", 1)[0]
    if method == "DELETE" and index and not path.strip("/").count("/"):
        record(an, cmd, program, DbFacts(engine="elasticsearch", statement="drop", object="index",
                                         targets=(index,)))
    elif "_delete_by_query" in path:
        unfiltered = not body.strip() or "match_all" in body
        record(an, cmd, program, DbFacts(engine="elasticsearch", statement="delete", object="index",
                                         targets=(index,), filtered=not unfiltered))


_RAILS_DROPS = {"db:drop", "db:drop:all", "db:reset", "db:purge", "db:purge:all", "db:schema:load",
                "db:setup", "db:truncate_all"}
_ENV_CHECK = "DISABLE_DATABASE_ENVIRONMENT_CHECK"


def rails(an: Analysis, cmd: Cmd, program: str) -> None:
    """rails / rake db:drop … with the production safeguard switched off is a drop of the database;
    rake runs its Rakefile's code besides (``rake.rake``)."""
    if program == "rake":
        from vectimus.analyser.programs.rake import rake

        rake(an, cmd)
    tasks = [w.text for w in cmd.words[1:] if w.text in _RAILS_DROPS]
    if not tasks:
        return
    disabled = f"{_ENV_CHECK}=" in cmd.raw and not re.search(rf"{_ENV_CHECK}=(?:0|''|\"\"|false)\b", cmd.raw)
    known = cmd.scope.vars.get(_ENV_CHECK)
    if disabled or (known is not None and known.text not in ("", "0", "false")):
        record(an, cmd, program, DbFacts(engine="rails", statement="drop", object="database",
                                         targets=tuple(tasks)))


HANDLERS = {**dict.fromkeys(CLIENTS, client), **dict.fromkeys(REDIS, redis),
            **dict.fromkeys(MONGO, mongo), **dict.fromkeys(RAILS, rails)}
