"""SQL text to statements: what each one does (drop, truncate, delete …) and to what.

The SQL is parsed with sqlglot in the dialect of the client or server that runs it. sqlglot is a
large package (a few hundred milliseconds to import on a busy machine), so it is imported here
only, when a call carries SQL; its logger is silenced (the hook prints nothing but its answer).
A statement sqlglot cannot parse is classified by its leading keywords from sqlglot's tokenizer,
and text the tokenizer rejects by a keyword scan, so an unparsable statement is never a blind spot.
"""

from __future__ import annotations

import re

from vectimus.model import DbFacts
from vectimus.records import Record

MAX_STATEMENTS = 200
_MYSQL_EXECUTABLE_COMMENT = re.compile(r"/\*[Mm]?!\d*(.*?)\*/", re.S)  # /*!50000 DROP TABLE x */ runs
_PROGRAM = re.compile(r"\bPROGRAM\s+E?'((?:[^']|'')*)'", re.I)
_SERVER_FILE_FUNCTIONS = {"PG_READ_FILE", "PG_READ_BINARY_FILE", "PG_LS_DIR", "PG_STAT_FILE", "LO_IMPORT",
                          "LO_EXPORT", "PG_EXECUTE_SERVER_PROGRAM", "LOAD_FILE", "XP_CMDSHELL",
                          "SYS_EXEC", "SYS_EVAL", "PG_FILE_WRITE"}
_OUTFILE = re.compile(r"\bINTO\s+(?:OUT|DUMP)FILE\b|\bLOAD\s+DATA\s+(?:LOW_PRIORITY\s+|CONCURRENT\s+)?INFILE\b|"
                      r"\bxp_cmdshell\b", re.I)
_CODE_KEYWORDS = {"DO", "EXECUTE", "EXEC", "CALL"}
_DOLLAR = re.compile(r"\$(\w*)\$(.*?)\$\1\$", re.S)
_QUOTED = re.compile(r"'((?:[^']|'')*)'")
_CONCAT = re.compile(r"'\s*(?:\|\||\+)\s*'")  # 'DR' || 'OP TABLE x' builds one string
MAX_NESTING = 3
# Statements that change data, privileges or the server, or hide another statement: only text with
# one of these words is worth importing sqlglot for (a SELECT or an INSERT is classified by keywords).
_WORTH_PARSING = re.compile(
    r"\b(?:drop|truncate|delete|update|alter|grant|revoke|copy|do|exec|execute|call|prepare|explain|merge|"
    r"load|attach|outfile|dumpfile|infile|program|create|replace|pg_\w+|lo_\w+|xp_\w+|sys_\w+)\b"
    r"|\$\w*\$|/\*[Mm]?!", re.I)
_ROLE_OBJECTS = {"USER", "ROLE", "LOGIN", "GROUP"}


class Statement(Record):
    """One statement: its facts, the program it makes the server run, and whether it was parsed."""

    facts: DbFacts
    program: str = ""       # COPY … TO/FROM PROGRAM 'cmd': the command, to analyse as shell
    parsed: bool = True     # False: classified by keywords only (sqlglot could not parse it)
    text: str = ""


def _sqlglot():
    import logging

    import sqlglot

    logging.getLogger("sqlglot").disabled = True
    return sqlglot


def statements(text: str, dialect: str | None, engine: str, depth: int = 0) -> list[Statement]:
    """The statements of ``text`` in ``dialect`` (a sqlglot dialect name, None for generic SQL)."""
    if not text.strip() or depth > MAX_NESTING:
        return []
    if dialect == "mysql":
        text = _MYSQL_EXECUTABLE_COMMENT.sub(r" \1 ", text)
    if not _WORTH_PARSING.search(text):
        return [s for chunk in text.split(";") if _has_words(chunk)
                for s in _by_keywords(chunk, engine, parsed=True)][:MAX_STATEMENTS]
    sqlglot = _sqlglot()
    try:
        chunks = _split(sqlglot, text, dialect)
    except Exception:  # the tokenizer gave up (an unterminated string …): keywords only
        return _by_keywords(text, engine, depth=depth)
    found: list[Statement] = []
    for chunk in chunks[:MAX_STATEMENTS]:
        try:
            tree = sqlglot.parse_one(chunk, read=dialect)
        except Exception:
            found.extend(_by_keywords(chunk, engine, depth=depth))
            continue
        found.extend(_classify(tree, chunk, engine, sqlglot, depth))
    if len(chunks) > MAX_STATEMENTS:
        found.append(Statement(DbFacts(engine=engine, statement="other"), parsed=False, text="…"))
    return found


def _split(sqlglot, text: str, dialect: str | None) -> list[str]:
    """``text`` cut into statements at the semicolons the tokenizer sees (not those in strings)."""
    from sqlglot.tokens import TokenType

    tokens = sqlglot.tokenize(text, read=dialect)
    chunks, start = [], 0
    for token in tokens:
        if token.token_type == TokenType.SEMICOLON:
            chunks.append(text[start:token.start])
            start = token.end + 1
    chunks.append(text[start:])
    return [c for c in chunks if c.strip() and _has_words(c)]


def _has_words(chunk: str) -> bool:
    stripped = re.sub(r"--[^\n]*|/\*.*?\*/", " ", chunk, flags=re.S)
    return bool(stripped.strip())


def _names(nodes) -> tuple[str, ...]:
    return tuple(n.sql() for n in nodes if n is not None)


def _filtered(where, exp) -> bool:
    """True when a WHERE limits the rows: every OR branch names a column, and not only itself."""
    if where is None:
        return False
    condition = where.this if isinstance(where, exp.Where) else where
    branches = list(condition.flatten()) if isinstance(condition, exp.Or) else [condition]
    for branch in branches:
        columns = list(branch.find_all(exp.Column))
        if not columns:
            return False  # WHERE 1=1, WHERE true, … OR 'a'='a'
        if isinstance(branch, (exp.EQ, exp.GTE, exp.LTE, exp.Is)) and isinstance(branch.this, exp.Column) \
                and branch.this == branch.expression:
            return False  # WHERE id = id
    return True


def _classify(tree, text: str, engine: str, sqlglot, depth: int) -> list[Statement]:
    """Facts for one parsed statement (and the writes nested in it: WITH d AS (DELETE …))."""
    exp = sqlglot.exp
    out: list[Statement] = []
    server_side = bool(_OUTFILE.search(text)) or any(
        (getattr(f, "name", "") or "").upper() in _SERVER_FILE_FUNCTIONS
        for f in tree.find_all(exp.Anonymous, exp.Func))

    def add(statement: str, obj: str = "", targets=(), filtered: bool = False, program: str = "",
            side: bool = False) -> None:
        out.append(Statement(DbFacts(engine=engine, statement=statement, object=obj, targets=tuple(targets),
                                     filtered=filtered, server_side=side or server_side),
                             program=program, text=text.strip()))

    for node in tree.walk():
        if isinstance(node, exp.Drop) and not isinstance(node.parent, exp.Alter):
            add("drop", str(node.args.get("kind") or "").lower(), _names(node.args.get("tables") or [node.this]))
        elif isinstance(node, exp.TruncateTable):
            add("truncate", "table", _names(node.expressions))
        elif isinstance(node, (exp.Delete, exp.Update)):
            kind = "delete" if isinstance(node, exp.Delete) else "update"
            add(kind, "table", _names([node.this]), _filtered(node.args.get("where"), exp))
        elif isinstance(node, exp.Alter):
            drops = [a for a in node.args.get("actions") or [] if isinstance(a, exp.Drop)]
            table = node.this.sql() if node.this is not None else ""
            for action in drops:
                obj = str(action.args.get("kind") or "column").lower()
                add("drop", obj, [f"{table}.{n}" for n in _names(action.args.get("tables") or [])] or [table])
            if not drops:
                add("alter", str(node.args.get("kind") or "table").lower(), [table])
        elif isinstance(node, exp.Grant):
            add("grant", "privilege", _names([node.args.get("securable")]))
        elif isinstance(node, exp.Revoke):
            add("revoke", "privilege", _names([node.args.get("securable")]))
        elif isinstance(node, exp.Copy):
            program = _PROGRAM.search(text)
            files = node.args.get("files") or []
            to_file = any(isinstance(f, exp.Literal) and f.is_string for f in files)
            add("copy", "program" if program else "table", _names([node.this]),
                program=program.group(1).replace("''", "'") if program else "",
                side=bool(program) or to_file)
        elif isinstance(node, exp.Command):
            out.extend(_command(node, engine, depth))
        elif isinstance(node, exp.Merge):
            add("merge", "table", _names([node.this]), filtered=True)
    if out:
        return out
    if isinstance(tree, exp.Select):
        add("select")
    elif isinstance(tree, exp.Insert):
        add("insert", "table", _names([tree.this]))
    elif isinstance(tree, exp.Create):
        add("create", str(tree.args.get("kind") or "").lower(), _names([tree.this]))
    elif isinstance(tree, exp.Attach):
        add("attach", "database", _names([tree.this]))
    else:
        add("other")
    return out


def _command(node, engine: str, depth: int) -> list[Statement]:
    """A statement sqlglot keeps as a command (GRANT, DROP KEYSPACE, DO, PREPARE …)."""
    keyword = str(node.this or "").upper()
    rest = node.args.get("expression")
    rest = str(rest.this) if getattr(rest, "is_string", False) else rest.sql() if hasattr(rest, "sql") \
        else str(rest or "")
    if keyword == "EXPLAIN":  # EXPLAIN ANALYZE runs the statement
        return statements(re.sub(r"(?is)^\s*(?:\(.*?\)|ANALY[SZ]E|VERBOSE)\s*", "", rest), None, engine,
                          depth + 1)
    if keyword == "PREPARE" and (m := re.search(r"(?is)\bAS\b(.*)$", rest)):
        return statements(m.group(1), None, engine, depth + 1)
    return _by_keywords(f"{keyword} {rest}", engine, parsed=True, depth=depth)


def _by_keywords(text: str, engine: str, parsed: bool = False, depth: int = 0) -> list[Statement]:
    """Facts for a statement from its leading keywords (what could not be parsed, or commands).

    The string literals of code (``DO $$ … EXECUTE '…' $$``, ``EXEC('…')``) are read as SQL too,
    with literals joined by ``||`` or ``+`` taken as one string.
    """
    words = re.findall(r"[A-Za-z_]+", re.sub(r"--[^\n]*|/\*.*?\*/", " ", text, flags=re.S))
    upper = [w.upper() for w in words]
    head = upper[0] if upper else ""
    program = _PROGRAM.search(text)
    side = bool(program) or bool(_OUTFILE.search(text)) or bool(set(upper) & _SERVER_FILE_FUNCTIONS)
    obj, statement, targets, filtered = "", "other", (), False
    following = [w for w in upper[1:] if w not in ("IF", "EXISTS", "NOT", "TEMPORARY", "TEMP", "ONLY")]
    if head == "DROP":
        statement = "drop"
        obj = following[0].lower() if following else ""
        targets = tuple(words[1 + upper[1:].index(following[1]):][:1]) if len(following) > 1 else ()
    elif head == "TRUNCATE":
        statement, obj = "truncate", "table"
    elif head in ("DELETE", "UPDATE"):
        statement, obj, filtered = head.lower(), "table", "WHERE" in upper
    elif head in ("GRANT", "REVOKE"):
        statement, obj = head.lower(), "privilege"
    elif head in ("CREATE", "ALTER") and following and following[0] in _ROLE_OBJECTS:
        statement, obj = "role", following[0].lower()
    elif head == "ALTER" and "DROP" in upper:
        statement, obj = "drop", "column"
    elif head in _CODE_KEYWORDS:
        statement = "code"
    elif head == "COPY":
        statement, obj = "copy", "program" if program else "table"
    elif head in ("SELECT", "WITH", "SHOW", "DESCRIBE", "DESC", "EXPLAIN", "VALUES", "TABLE"):
        statement = "select"
    elif head in ("INSERT", "CREATE", "ALTER", "REPLACE", "UPSERT", "MERGE", "USE", "SET", "VACUUM",
                  "ANALYZE", "COMMIT", "ROLLBACK", "START", "BEGIN", "LOCK", "COMMENT", "REFRESH"):
        statement = head.lower()
    found = [Statement(DbFacts(engine=engine, statement=statement, object=obj, targets=targets,
                               filtered=filtered, server_side=side),
                       program=program.group(1).replace("''", "'") if program else "", parsed=parsed,
                       text=text.strip())]
    if statement == "code":
        joined = _CONCAT.sub("", text)
        bodies = [m.group(2) for m in _DOLLAR.finditer(joined)]
        bodies += [m.group(1).replace("''", "'") for m in _QUOTED.finditer(joined)]
        for body in bodies:
            found.extend(statements(body, None, engine, depth + 1))
    return found
