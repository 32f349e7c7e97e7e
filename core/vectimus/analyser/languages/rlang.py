"""R (``Rscript -e``, ``R -e``), read by ``rsyntax`` into calls with their named arguments and
assignments. Calls that act: ``system``/``system2``/``shell``/``pipe``,
``unlink``/``file.remove``, ``readLines``/``readRenviron``/``source``, ``writeLines``/``cat(file=)``,
``download.file``, ``httr``/``curl`` requests, ``socketConnection``, ``Sys.getenv()`` taken whole,
and ``eval(parse(text = …))``.
Standard library only: used on the hot path.
"""

from __future__ import annotations


from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.analyser.facts import net
from vectimus.analyser.facts.secrets import secret_name
from vectimus.analyser.languages import record
from vectimus.analyser.languages.code import Code, analyse_with, dynamic
from vectimus.analyser.languages.rsyntax import Node, RParser
from vectimus.model import ActionKind

_CONSTANTS = {"TRUE", "FALSE", "T", "F", "NULL", "NA", "Inf"}

# function -> (effect, its parameters in order: positional arguments are matched to these)
SIGNATURES: dict[str, tuple[str, tuple[str, ...]]] = {
    "system": ("shell", ("command",)), "shell": ("shell", ("cmd",)), "pipe": ("shell", ("description",)),
    "system2": ("system2", ("command", "args")),
    "processx::run": ("argv_pair", ("command", "args")), "sys::exec_wait": ("argv_pair", ("cmd", "args")),
    "unlink": ("unlink", ("x", "recursive")), "file.remove": ("delete", ("...",)),
    "fs::file_delete": ("delete", ("path",)), "fs::dir_delete": ("delete_r", ("path",)),
    "readLines": ("read", ("con",)), "readRenviron": ("read", ("path",)), "source": ("source", ("file",)),
    "sys.source": ("source", ("file",)),
    "read.csv": ("read", ("file",)), "read.table": ("read", ("file",)), "readRDS": ("read", ("file",)),
    "scan": ("read", ("file",)), "file": ("read", ("description",)), "readr::read_file": ("read", ("file",)),
    "write": ("write_to", ("x", "file")),
    "cat": ("cat", ()), "saveRDS": ("write_to", ("object", "file")), "file.create": ("write", ("...",)),
    "dir.create": ("write", ("path",)), "write.csv": ("write_to", ("x", "file")),
    "file.rename": ("move", ("from", "to")), "file.copy": ("copy", ("from", "to")),
    "file.symlink": ("link", ("from", "to")), "file.link": ("hardlink", ("from", "to")),
    "fs::file_move": ("move", ("path", "new_path")), "fs::file_copy": ("copy", ("path", "new_path")),
    "download.file": ("download", ("url", "destfile")), "url": ("url", ("description",)),
    "httr::GET": ("url", ("url",)), "httr::HEAD": ("url", ("url",)), "GET": ("url", ("url",)),
    "httr::POST": ("url_send", ("url",)), "httr::PUT": ("url_send", ("url",)), "POST": ("url_send", ("url",)),
    "curl::curl_fetch_memory": ("url", ("url",)), "curl::curl": ("url", ("url",)),
    "curl::curl_download": ("download", ("url", "destfile")), "RCurl::getURL": ("url", ("url",)),
    "RCurl::postForm": ("url_send", ("uri",)), "httr2::request": ("url", ("base_url",)),
    "socketConnection": ("socket", ("host", "port")), "make.socket": ("socket", ("host", "port")),
    "eval": ("eval", ("expr",)), "evalq": ("eval", ("expr",)),
    "Sys.getenv": ("env_dump", ("x",)),
    "print": ("show", ("x",)), "message": ("show", ()), "writeLines": ("write_to", ("text", "con")),
}
SHOWN_THROUGH = ("paste", "paste0", "sprintf", "c", "format", "trimws", "toupper", "tolower", "as.character")
SOURCE_KINDS: dict[str, ActionKind] = {"move": "file_delete", "copy": "file_read", "hardlink": "file_write"}
# apply-family functions: name -> (position of the function, position of the items)
MAPPERS = {"sapply": (1, 0), "lapply": (1, 0), "vapply": (1, 0), "Map": (0, 1), "mapply": (0, 1),
           "Filter": (0, 1), "Reduce": (0, 1), "purrr::map": (1, 0), "purrr::walk": (1, 0)}
FUNCTION_BY_NAME = ("get", "get0", "match.fun", "getFunction", "mget")  # get("system") is system


class R(Code):
    lang = "r"
    ASSIGNMENTS = ("expression",)
    INERT_CALLS = frozenset(("shQuote", "as.integer", "as.numeric", "nchar", "length"))

    def path(self, word: Word) -> Word:
        """R's file functions expand ``~`` (``path.expand``), unlike most languages'."""
        if word.text.startswith("~") and not word.dynamic:
            return Word(self.an.places.home + word.text[1:])
        return word

    def root(self):
        return RParser(self.an, self.text, SIGNATURES).program()

    def nodes(self, root):
        stack, count = [root], 0
        while stack:
            node = stack.pop()
            count += 1
            if count % 512 == 0:
                self.an.tick(512)
                record.budget(self.an, "R")
            yield node
            stack.extend(reversed(node.named_children))

    def node_text(self, node) -> str:
        return node.text

    def assignment(self, node):
        parts = node.named_children
        if len(parts) >= 3 and parts[0].type == "identifier" and parts[1].text in ("<-", "<<-", "="):
            return parts[0].text, parts[2] if len(parts) == 3 else None
        if len(parts) == 3 and parts[2].type == "identifier" and parts[1].text in ("->", "->>"):
            return parts[2].text, parts[0]
        return None

    def variable(self, node):
        return node.text if node.type == "identifier" else None

    def literal(self, node):
        if node.type in ("string", "number") or (node.type == "identifier" and node.text in _CONSTANTS):
            return Word(node.text)
        if node.type == "group" and len(node.named_children) == 1:
            return self.value(node.named_children[0])
        return None

    def first(self, node):
        """A call's first parameter (by its name, or the first positional argument)."""
        params = SIGNATURES.get(node.name, ("", ()))[1]
        return self.arg(node, *params[:1]) or (node.positional[0] if node.positional else None)

    def arg(self, node, *names: str):
        for name in names:
            if node.args.get(name) is not None:
                return node.args[name]
        return None

    def value(self, node, depth: int = 0) -> Word:
        if node is not None and node.type == "call" and depth < 32:
            name, args, positional = node.name, node.args, node.positional
            if name in ("paste", "paste0", "file.path"):
                sep = "/" if name == "file.path" else "" if name == "paste0" else " "
                if "sep" in args:
                    sep = self.value(args["sep"], depth + 1).text
                items = [c for c in node.named_children if c is not args.get("sep") and c is not args.get("collapse")]
                parts: list[Word] = []
                for i, item in enumerate(items):
                    parts.extend(([Word(sep)] if i else []) + [self.value(item, depth + 1)])
                return record.join(parts)
            if name in ("path.expand", "normalizePath") and positional:
                inner = self.value(positional[0], depth + 1)
                if inner.text.startswith("~") and not inner.dynamic:
                    return Word(self.an.places.home + inner.text[1:])
                return inner
            if name == "Sys.getenv" and positional:
                key = self.value(positional[0], depth + 1)
                return self.environment_variable(key.text) if not key.dynamic else dynamic()
            if name in ("parse", "str2lang", "str2expression"):
                text = self.arg(node, "text") or (positional[0] if name != "parse" and positional else None)
                return self.value(text, depth + 1) if text is not None else dynamic()
            if name in ("list.files", "dir", "Sys.glob"):  # the files in a directory: a pattern
                where = self.arg(node, "path", "paths") or (positional[0] if positional else None)
                if where is None:
                    return Word("*", glob=True)
                inner = self.path(self.value(where, depth + 1))
                return inner._replace(glob=True) if name == "Sys.glob" else \
                    record.join([inner, Word("/*", glob=True)])
            if name == "c" and len(node.named_children) == 1:
                return self.value(node.named_children[0], depth + 1)
        return super().value(node, depth)

    def values(self, node):
        if node is not None and node.type == "call" and node.name == "c":
            return [self.value(c) for c in node.named_children]
        return [self.value(node)]

    def call(self, node):
        if node.type != "call":
            return None
        return node.name, node

    def canonical(self, name: str) -> str:
        return super().canonical(name.removeprefix("base::"))

    def reference(self, node):
        """``f <- system``, ``f <- get("system")``: another name for a function that acts."""
        if node.type == "identifier":
            name = node.text.removeprefix("base::")
        elif node.type == "call" and node.name in FUNCTION_BY_NAME and node.positional:
            name = self.value(node.positional[0]).text
        else:
            return None
        return name if name in SIGNATURES else None

    def bind(self, name: str, positional: list, named: dict) -> Node:
        """A call of ``name`` with these arguments, matched to its parameters as the parser does."""
        node = Node("call", name)
        node.name, node.positional, node.args = name, list(positional), dict(named)
        node.named_children = [*positional, *named.values()]
        params = SIGNATURES.get(name, ("", ()))[1]
        for param, value in zip([p for p in params if p not in node.args], positional):
            node.args[param] = value
        return node

    def indirect(self, name: str, node) -> None:
        """``do.call("system", list(…))``, ``get("system")(…)``, ``match.fun(f)(…)``: the
        function a name chooses, with the arguments given; a name chosen at run time is code."""
        first = node.positional[0] if node.positional else None
        if first is None:
            return
        chosen = self.canonical(first.text) if first.type == "identifier" else self.value(first).text
        if first.type != "identifier" and self.value(first).dynamic:
            record.evaluate(self.an, self.cmd, self.lang, dynamic(), f"R {name}")
            return
        if chosen not in SIGNATURES:
            return
        if name == "do.call":
            given = node.positional[1] if len(node.positional) > 1 else node.args.get("args")
            if given is not None and given.type == "call" and given.name in ("list", "c"):
                self.apply(chosen, self.bind(chosen, given.positional, given.args), node)
            else:
                record.evaluate(self.an, self.cmd, self.lang, dynamic(), f"R do.call {chosen}")
            return
        parent = node.parent
        siblings = parent.named_children if parent is not None else []
        at = next((i for i, c in enumerate(siblings) if c is node), -1)
        group = siblings[at + 1] if 0 <= at < len(siblings) - 1 and siblings[at + 1].type == "group" else None
        if group is not None:  # get("system")("rm …")
            self.apply(chosen, self.bind(chosen, [c for c in group.named_children if c.type != "expression"
                                                  or c.named_children], {}), node)

    def mapped(self, name: str, node) -> None:
        """``sapply("rm -rf ~", system)``, ``Map(system, cmds)``: the function named runs on each
        item of a literal ``c()``/``list()``, else on items nobody knows here."""
        at, items_at = MAPPERS[name]
        fun = node.args.get("FUN") or node.args.get("f") or (node.positional[at] if len(node.positional) > at else None)
        items = node.args.get("X") or node.args.get("x") or (
            node.positional[items_at] if len(node.positional) > items_at else None)
        if fun is None or items is None:
            return
        chosen = self.canonical(fun.text) if fun.type == "identifier" else self.value(fun).text
        if chosen not in SIGNATURES:
            return
        each = items.positional if items.type == "call" and items.name in ("c", "list") else [items]
        for item in each:
            self.apply(chosen, self.bind(chosen, [item], {}), node)

    def apply(self, name: str, args, node) -> None:
        node = args  # R's call node carries its own arguments
        if name in ("do.call", *FUNCTION_BY_NAME):
            self.indirect(name, node)
            return
        if name in MAPPERS:
            self.mapped(name, node)
            return
        if name != node.name:  # called through another name: match its parameters again
            node = self.bind(name, node.positional, {k: v for k, v in node.args.items()
                                                     if v not in node.positional})
        effect = SIGNATURES.get(name, ("", ()))[0]
        if not effect:
            return
        an, cmd, via = self.an, self.cmd, f"R {name}"
        first = self.first(node)
        if effect == "show" or (effect == "cat" and self.arg(node, "file") is None) or (
                name == "writeLines" and self.arg(node, "con") is None):  # to the output the agent reads
            if not cmd.stdout and any(self.shows_credential(c) for c in node.named_children):
                record.shown(an, cmd, via)
        if effect == "shell":
            record.shell(an, cmd, self.value(first), via)
        elif effect == "system2":  # command and args joined, run by the shell
            args = self.arg(node, "args")
            words = [self.value(first)] + (self.values(args) if args is not None else [])
            record.shell(an, cmd, record.join([w for i, x in enumerate(words)
                                                 for w in ([Word(" ")] if i else []) + [x]]), via)
        elif effect == "argv_pair":
            args = self.arg(node, "args")
            record.argv(an, cmd, [self.value(first)] + (self.values(args) if args is not None else []), via)
        elif effect in ("unlink", "delete", "delete_r"):
            recursive = effect == "delete_r" or (
                self.arg(node, "recursive") is not None and self.value(self.arg(node, "recursive")).text in ("TRUE", "T"))
            targets = node.positional if effect == "delete" else [first]
            for target in targets:
                if target is not None and target is not self.arg(node, "recursive", "force"):
                    for word in self.values(target):
                        record.file(an, cmd, "file_delete", self.path(word), ("r",) if recursive else ())
        elif effect in ("move", "copy", "link", "hardlink"):  # file.rename(from, to): `to` is written
            params = SIGNATURES[name][1]
            source, dest = self.arg(node, params[0]), self.arg(node, params[1])
            if source is not None and effect != "link":  # (and through a hard link, `from` too)
                for word in self.values(source):
                    record.file(an, cmd, SOURCE_KINDS[effect], self.path(word))
            if dest is not None:
                for word in self.values(dest):
                    record.file(an, cmd, "file_write", self.path(word))
        elif effect == "source":
            word = self.value(first)
            record.file(an, cmd, "file_read", self.path(word)) if not net.is_url(word.text) else None
            self.load(name, self.path(word))
        elif effect == "read":
            word = self.value(first)
            if word.text.startswith(("http://", "https://", "ftp://")):
                self.later.append(("url", name, node, node))
            else:
                record.file(an, cmd, "file_read", self.path(word))
        elif name == "writeLines" and self.arg(node, "con") is not None:  # its lines, each ending in \n
            lines = self.values(self.arg(node, "text")) if self.arg(node, "text") is not None else [dynamic()]
            record.write_text(an, cmd, self.path(self.value(self.arg(node, "con"))),
                              record.join([w for line in lines for w in (line, Word("\n"))]))
        elif effect in ("write", "write_to", "cat"):
            target = self.arg(node, "file") if effect == "cat" else (
                first if effect == "write" else self.arg(node, *SIGNATURES[name][1][1:2], "file"))
            if target is not None:
                record.file(an, cmd, "file_write", self.path(self.value(target)))
        elif effect == "download":
            self.later.append(("url", name, node, node))
            dest = self.arg(node, "destfile")
            if dest is not None:
                record.file(an, cmd, "file_write", self.path(self.value(dest)))
        elif effect in ("url", "url_send", "socket"):
            self.later.append((effect, name, node, node))
        elif effect == "eval" and first is not None and first.type == "call" and first.name in (
                "parse", "str2lang", "str2expression"):  # eval(parse(text = …)) runs a string
            record.evaluate(an, cmd, "r", self.value(first), via)
        elif effect == "env_dump" and not node.named_children and not (
                node.parent is not None and node.parent.type == "call" and node.parent.name in ("names", "length")):
            record.environment_dump(an, cmd, via)

    def shows_credential(self, node, depth: int = 0) -> bool:
        """Whether ``node``'s value holds a credential-named variable's text: ``Sys.getenv("X")``
        itself, or pasted or formatted into a string."""
        if node is None or node.type != "call" or depth > 8:
            return False
        if node.name == "Sys.getenv":
            key = self.value(node.positional[0]) if node.positional else Word("", dynamic=True)
            return not key.dynamic and secret_name(key.text)
        return node.name in SHOWN_THROUGH and any(self.shows_credential(c, depth + 1) for c in node.named_children)

    def network(self, kind: str, name: str, args, node, secret: bool) -> None:
        node = args
        first = self.first(node)
        if kind == "socket":
            port = self.arg(node, "port")
            port_text = self.value(port).text if port is not None else ""
            server = self.arg(node, "server")
            listens = server is not None and self.value(server).text in ("TRUE", "T")
            record.socket(self.an, self.cmd, self.value(first) if first is not None else dynamic(),
                           int(port_text) if port_text.isdigit() else 0, listens=listens)
            return
        sends = kind == "url_send"
        net.remote(self.an, self.cmd, record.program(self.cmd), self.value(first) if first is not None else dynamic(),
                   sends_data=sends, sends_secret=sends and secret)


def analyse(an: Analysis, cmd: Cmd, lang: str, code: Word) -> None:
    """Record what the R ``code`` does."""
    analyse_with(R, an, cmd, code)
