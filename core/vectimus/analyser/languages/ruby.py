"""Ruby (tree-sitter-ruby): ``system``/``exec``/``spawn``, backticks and ``%x``, ``IO.popen``,
``Open3``, ``open("|…")``, ``FileUtils``/``File`` deletes, reads and writes, sockets, HTTP clients,
``ENV`` taken whole, ``eval`` and its relatives.
Standard library only (and the grammar): used on the hot path.
"""

from __future__ import annotations

from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.analyser.languages import loads, record
from vectimus.analyser.languages.code import Code, analyse_with, dynamic, unescape

_SHELL_OUT = {"system", "exec", "spawn", "sh", "FileUtils.sh", "Process.spawn", "Process.exec", "Kernel.system", "Kernel.exec",
              "Kernel.spawn", "IO.popen", "PTY.spawn", "Open3.popen3", "Open3.popen2", "Open3.popen2e",
              "Open3.capture2", "Open3.capture2e", "Open3.capture3", "Open3.pipeline", "Open3.pipeline_r",
              "Open3.pipeline_w", "Open3.pipeline_rw", "Open3.pipeline_start"}
_ENV_WHOLE = {"to_h", "to_hash", "to_a", "each", "each_pair", "inspect", "to_s", "map", "select",
              "filter", "reject", "each_with_object", "sort", "dup", "clone", "filter_map", "values"}

EFFECTS = {
    **dict.fromkeys(("puts", "print", "p", "pp", "warn", "printf", "display", "STDOUT.puts", "STDOUT.print",
                     "STDOUT.write", "STDOUT.printf", "STDERR.puts", "STDERR.print", "STDERR.write", "$stdout.puts",
                     "$stdout.print", "$stdout.write", "$stderr.puts", "$stderr.print", "$stderr.write"), "show"),
    **dict.fromkeys(_SHELL_OUT, "system"),
    **dict.fromkeys(("FileUtils.rm_rf", "FileUtils.rm_r", "FileUtils.remove_dir", "FileUtils.remove_entry",
                     "FileUtils.remove_entry_secure", "FileUtils.rmtree", "FileUtils.rm_rf!"), "delete_r"),
    **dict.fromkeys(("FileUtils.rm", "FileUtils.rm_f", "FileUtils.remove", "FileUtils.remove_file",
                     "FileUtils.rmdir", "File.delete", "File.unlink", "Dir.delete", "Dir.unlink", "Dir.rmdir"),
                    "delete"),
    **dict.fromkeys(("File.write", "IO.write", "File.binwrite", "IO.binwrite"), "write_text"),
    **dict.fromkeys(("FileUtils.touch",
                     "FileUtils.mkdir_p", "FileUtils.mkdir", "Dir.mkdir", "File.chmod", "FileUtils.chmod",
                     "FileUtils.chmod_R"), "write"),
    **dict.fromkeys(("File.symlink", "FileUtils.ln_s", "FileUtils.ln_sf", "FileUtils.symlink", "FileUtils.ln_sr"),
                    "link"),
    **dict.fromkeys(("File.link", "FileUtils.ln", "FileUtils.link"), "hardlink"),
    **dict.fromkeys(("File.read", "IO.read", "File.readlines", "IO.readlines", "File.binread", "IO.binread",
                     "File.foreach", "IO.foreach", "YAML.load_file", "JSON.load_file", "File.new",
                     "CSV.read"), "read"),
    **dict.fromkeys(("File.open", "open", "Kernel.open", "URI.open", "IO.open"), "open"),
    **dict.fromkeys(("FileUtils.cp", "FileUtils.cp_r", "FileUtils.copy", "FileUtils.copy_file",
                     "FileUtils.install"), "copy"),
    **dict.fromkeys(("FileUtils.mv", "FileUtils.move", "File.rename"), "move"),
    **dict.fromkeys(("eval", "instance_eval", "class_eval", "module_eval", "instance_exec",
                     "Kernel.eval", "binding.eval", "TOPLEVEL_BINDING.eval",
                     "RubyVM::InstructionSequence.compile"), "eval"),
    **dict.fromkeys(("Net::HTTP.get", "Net::HTTP.get_response", "Net::HTTP.get_print", "HTTParty.get",
                     "HTTParty.head", "HTTParty.delete", "RestClient.get", "RestClient.head", "RestClient.delete",
                     "Faraday.get", "Faraday.head", "Faraday.delete", "HTTP.get", "Excon.get",
                     "Typhoeus.get", "OpenURI.open_uri", "Net::FTP.new", "Net::SMTP.start"), "url"),
    **dict.fromkeys(("Net::HTTP.post", "Net::HTTP.post_form", "Net::HTTP.put", "HTTParty.post", "HTTParty.put",
                     "HTTParty.patch", "RestClient.post", "RestClient.put", "RestClient.patch", "Faraday.post",
                     "Faraday.put", "Faraday.patch", "HTTP.post", "HTTP.put", "Excon.post", "Typhoeus.post"),
                    "url_send"),
    **dict.fromkeys(("Net::HTTP.new", "Net::HTTP.start"), "http_object"),
    **dict.fromkeys(("TCPSocket.new", "TCPSocket.open", "Socket.tcp", "UDPSocket.new", "Addrinfo.tcp",
                     "OpenSSL::SSL::SSLSocket.new"), "socket"),
    **dict.fromkeys(("URI", "URI.parse", "Pathname.new", "Pathname", "String", "File.absolute_path",
                     "File.realpath"), "same"),
    "File.join": "join",
    **dict.fromkeys(("Marshal.load", "Marshal.restore", "YAML.unsafe_load", "YAML.unsafe_load_file",
                     "Psych.unsafe_load", "Psych.unsafe_load_file"), "deserialize"),
    **dict.fromkeys(("load", "require", "require_relative", "Kernel.load", "Kernel.require"), "load"),
    **{f"ENV.{m}": "env_dump" for m in _ENV_WHOLE},
}
_STRINGS = ("string", "subshell", "simple_symbol", "delimited_symbol", "bare_string", "bare_symbol")
SENDS = ("send", "public_send", "__send__")
METHOD_OBJECTS = ("method", "public_method", "singleton_method", "instance_method")  # File.method(:read)
CALLS = ("call", "()", "[]", "yield", "===")  # what runs a method object
METHOD_CHAINS = ("to_proc", "bind", "bind_call", "curry", "unbind")  # a method object made of another
CONST_GET = ("Object.const_get", "Kernel.const_get", "Module.const_get", "Object.const_source_location")
# modules whose methods `include`/`extend` make callable by their bare name
MIXINS = ("FileUtils", "FileUtils::Verbose", "::FileUtils")


TRIMS = {"strip": str.strip, "chomp": lambda t: t[:-1] if t.endswith("\n") else t, "lstrip": str.lstrip,
         "rstrip": str.rstrip, "to_s": lambda t: t}


class Ruby(Code):
    lang = "ruby"
    grammar = "ruby"
    mixed_in = False
    EFFECTS = EFFECTS
    ASSIGNMENTS = ("assignment", "operator_assignment")
    CONCAT = {"binary": ("+",)}
    HOME_CALLS = frozenset(("Dir.home", "File.expand_path", "Etc.getpwuid.dir"))
    DECODERS = frozenset(("Base64.decode64", "Base64.strict_decode64", "Base64.urlsafe_decode64"))
    ENV_CALLS = frozenset(("ENV.fetch", "ENV.[]"))
    GLOBS = frozenset(("Dir.glob", "Dir.[]"))
    INERT_CALLS = frozenset(("Shellwords.escape", "Shellwords.shellescape", "Shellwords.join", "Shellwords.shelljoin",
                             "Integer", "Float"))
    READ_CALLS = frozenset(("File.read", "IO.read", "File.binread", "IO.binread"))
    INERT_METHODS = frozenset(("to_i", "to_f", "to_r", "shellescape", "shelljoin", "length", "size", "count"))

    def inert_method(self, node) -> bool:
        method = node.child_by_field_name("method") if node.type == "call" else None
        return method is not None and node.child_by_field_name("receiver") is not None \
            and self.node_text(method) in self.INERT_METHODS

    def name(self, node) -> str | None:
        """``Foo::Bar`` / ``File`` / ``x`` as written; None for expressions."""
        if node.type in ("constant", "identifier"):
            return self.node_text(node)
        if node.type == "scope_resolution":
            scope, name = node.child_by_field_name("scope"), node.child_by_field_name("name")
            head = self.name(scope) if scope is not None else ""
            return f"{head}::{self.node_text(name)}" if head is not None and name is not None else None
        return None

    def call(self, node):
        if node.type == "element_reference":  # m[x] calls the method object m
            obj = node.child_by_field_name("object")
            if obj is not None and obj.type == "identifier" and self.node_text(obj) in self.aliases:
                return self.aliases[self.node_text(obj)], [c for c in node.named_children[1:] if c.type != "comment"]
            return None
        if node.type != "call":
            return None
        method = node.child_by_field_name("method")
        receiver = node.child_by_field_name("receiver")
        if method is None and receiver is not None and self.node_text(receiver) in self.aliases:  # m.(x)
            arguments = node.child_by_field_name("arguments")
            return self.aliases[self.node_text(receiver)], [
                c for c in (arguments.named_children if arguments is not None else ()) if c.type != "comment"]
        if method is None:
            return None
        name = self.node_text(method)
        if receiver is not None:
            head = self.receiver(receiver)
            if head is not None and name in CALLS and head in self.aliases:  # m = File.method(:read); m.call
                name = self.aliases[head]
            elif head is not None and name in CALLS and "#" in head:  # File.method(:read).call(…)
                name = head.replace("#", ".").lstrip(".")
            elif head is None or (receiver.type == "identifier" and head not in ("binding",)):
                return None  # a method of an object whose class is not known here
            else:
                name = f"{head}.{name}"
        elif self.mixed_in and f"FileUtils.{name}" in EFFECTS:  # include FileUtils; rm_rf(…)
            name = f"FileUtils.{name}"
        arguments = node.child_by_field_name("arguments")
        args = [c for c in arguments.named_children if c.type != "comment"] if arguments is not None else []
        if name.rpartition(".")[2] in SENDS and args:  # Kernel.send(:system, …) calls system
            head = name.rpartition(".")[0]
            chosen = self.value(args[0])
            target = None if chosen.dynamic else chosen.text.lstrip(":")
            if target is None:  # a method chosen at run time: code nobody can read here
                return ("eval", args[:1]) if head in ("", "Kernel", "Object") else None
            return (f"{head}.{target}" if head else target), args[1:]
        return name, args

    def system(self, args: list, via: str) -> None:
        """``IO.popen([env,] cmd, mode)``: the mode is not an argument of the command."""
        if via == "ruby IO.popen":
            args = [a for a in args if not self.is_option(a)][:1]
        super().system(args, via)

    def receiver(self, node) -> str | None:
        """The receiver of a call as a name: a constant (``File``, ``Net::HTTP``), a variable, the
        module ``Object.const_get(:Kernel)`` names, or ``File#read`` for ``File.method(:read)``."""
        if node.type == "call":
            method, inner = node.child_by_field_name("method"), node.child_by_field_name("receiver")
            if method is not None and inner is not None and self.node_text(method) in METHOD_CHAINS:
                found_inner = self.receiver(inner)  # File.method(:read).to_proc, .bind(obj): the same method
                return found_inner if found_inner is not None and "#" in found_inner else None
            found = self.call(node)
            if found is None:
                return None
            called, args = found
            target = self.value(args[0]) if args else None
            if target is None or target.dynamic:
                return None
            if called in CONST_GET:
                return target.text.lstrip(":")
            head, _, method_name = called.rpartition(".")
            if method_name in METHOD_OBJECTS:
                return f"{head}#{target.text.lstrip(':')}"
            return None
        if node.type == "identifier" and self.node_text(node) in self.aliases:
            return self.node_text(node)
        return self.name(node)

    def reference(self, node):
        """``File.method(:read)``, ``method(:system)``: a method object, called later with ``.call``."""
        head = self.receiver(node) if node.type == "call" else None
        return head.replace("#", ".").lstrip(".") if head is not None and "#" in head else None

    def root(self):
        """The tree, and whether the code ``include``s or ``extend``s FileUtils (whose methods then
        need no receiver)."""
        root = super().root()
        self.mixed_in = False
        for node in self.nodes(root):
            if node.type == "call" and node.child_by_field_name("receiver") is None:
                method, arguments = node.child_by_field_name("method"), node.child_by_field_name("arguments")
                if method is not None and arguments is not None and self.node_text(method) in ("include", "extend") \
                        and any(self.name(a) in MIXINS for a in arguments.named_children):
                    self.mixed_in = True
                    break
        return root

    def load(self, name: str, spec: Word) -> None:
        """``load`` names the file; ``require`` adds ``.rb`` and searches ``-I`` directories unless
        the name starts with ``./``; ``require_relative`` starts from the script's directory."""
        an, cmd, via = self.an, self.cmd, f"ruby {name}"
        if spec.dynamic:
            loads.follow(an, cmd, "ruby", spec, via)
            return
        method = name.rpartition(".")[2]
        if method == "load":
            loads.follow(an, cmd, "ruby", spec, via, dirs=(an.target(Word("."), cmd.scope).path,
                                                          *loads.include_dirs(an, cmd, "-I")))
        elif method == "require_relative":
            loads.follow(an, cmd, "ruby", spec, via, suffixes=(".rb", ""))
        elif spec.text.startswith(("./", "../", "/")):
            loads.follow(an, cmd, "ruby", spec, via, suffixes=(".rb", ""),
                         dirs=(an.target(Word("."), cmd.scope).path,))
        else:
            dirs = loads.include_dirs(an, cmd, "-I")
            if dirs:
                loads.follow(an, cmd, "ruby", spec, via, suffixes=(".rb",), dirs=dirs)

    def assignment(self, node):
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or left.type not in ("identifier", "constant", "instance_variable", "global_variable"):
            return None
        return self.node_text(left), (right if node.type == "assignment" else None)

    def variable(self, node):
        if node.type in ("identifier", "constant", "instance_variable", "global_variable") \
                and node.parent is not None and node.parent.type != "call":
            return self.node_text(node)
        return None

    def value(self, node, depth: int = 0) -> Word:
        """As ``Code.value``; ``ARGV[0]`` is the command line's word; ``x.strip`` / ``x.chomp`` /
        ``x.to_s`` of a known string is that string, trimmed."""
        if node is not None and node.type == "element_reference" and len(node.named_children) == 2 \
                and self.node_text(node.named_children[0]) == "ARGV" and node.named_children[1].type == "integer":
            return self.argument(int(self.node_text(node.named_children[1])))
        if node is not None and node.type == "call" and depth < 32:
            method, receiver = node.child_by_field_name("method"), node.child_by_field_name("receiver")
            trim = TRIMS.get(self.node_text(method)) if method is not None and receiver is not None else None
            if trim is not None and node.child_by_field_name("arguments") is None:
                word = self.value(receiver, depth + 1)
                return word if word.dynamic else Word(trim(word.text), secret=word.secret)
        return super().value(node, depth)

    def env_lookup(self, node):
        if node.type == "element_reference":
            obj = node.child_by_field_name("object")
            keys = [c for c in node.named_children if c != obj]
            if obj is not None and self.node_text(obj) == "ENV" and len(keys) == 1:
                key = self.value(keys[0])
                return key.text if not key.dynamic else "?"
        return super().env_lookup(node)

    def literal(self, node):
        kind = node.type
        if kind in ("integer", "float"):
            return Word(self.node_text(node))
        if kind not in _STRINGS:
            return None
        raw = self.node_text(node)
        if kind in ("simple_symbol",):
            return Word(raw.lstrip(":"))
        single = raw.startswith("'") or raw.startswith("%q")
        parts: list[Word] = []
        for child in node.named_children:
            if child.type == "string_content":
                text = self.node_text(child)
                parts.append(Word(text.replace("\\'", "'").replace("\\\\", "\\") if single else unescape(text)))
            elif child.type == "escape_sequence":
                parts.append(Word(unescape(self.node_text(child))))
            elif child.type == "interpolation":
                inner = [c for c in child.named_children if c.type != "comment"]
                parts.append(self.value(inner[0]) if len(inner) == 1 else dynamic())
            else:
                parts.append(dynamic())
        return record.join(parts) if parts else Word("")

    def special(self, node) -> bool:
        if node.type == "block_argument" and node.named_children:  # list.each(&method(:system))
            ref = self.reference(node.named_children[0])
            outer = node.parent.parent if node.parent is not None else None
            items = outer.child_by_field_name("receiver") if outer is not None and outer.type == "call" else None
            if ref is not None:  # each item of a literal list, else items nobody knows here
                for item in (items.named_children if items is not None and items.type == "array" else [node]):
                    self.apply(ref, [item], node)
            return False
        if node.type == "subshell":  # `cmd`, %x(cmd)
            record.shell(self.an, self.cmd, self.literal(node) or dynamic(), "ruby backticks")
            return True
        return False


def analyse(an: Analysis, cmd: Cmd, lang: str, code: Word) -> None:
    """Record what the Ruby ``code`` does."""
    analyse_with(Ruby, an, cmd, code)

