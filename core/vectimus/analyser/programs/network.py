"""Programs that talk to the network: curl, wget, nc, socat, ssh, scp, httpie and downloaders.

Standard library only: used on the hot path.
"""

from __future__ import annotations

from vectimus.analyser import argv
from vectimus.analyser.context import Analysis, Cmd, Scope, Word
from vectimus.analyser.facts.net import is_url, looks_remote, remote
from vectimus.analyser.programs import network_config

CURL_VALUE = argv.opts(
    "-d --data --data-raw --data-binary --data-urlencode --data-ascii --json -F --form --form-string "
    "-T --upload-file -X --request -H --header -o --output -u --user -A --user-agent -e --referer "
    "-b --cookie -c --cookie-jar -K --config -x --proxy --url -w --write-out -m --max-time "
    "--connect-timeout --retry -r --range -C --continue-at --cacert --cert -E --key --resolve "
    "--interface -z --time-cond --limit-rate -D --dump-header --output-dir --variable -U "
    "--proxy-user --connect-to --retry-delay --retry-max-time -Y -y --speed-limit --speed-time "
    "--max-filesize -Q --quote --mail-from --mail-rcpt --trace --trace-ascii --stderr --oauth2-bearer")
CURL_DATA = ("d", "data", "data-raw", "data-binary", "data-urlencode", "data-ascii", "json",
             "F", "form", "form-string", "T", "upload-file")


def curl(an: Analysis, cmd: Cmd, program: str) -> None:
    """curl: each URL, what it uploads, what it writes (with the options of its config files)."""
    words = [Word("--" + w.text[9:], w.dynamic, secret=w.secret) if w.text.startswith("--expand-") else w
             for w in network_config.curl_words(an, cmd)]  # --expand-data {{v}}: --data with a variable
    p = argv.parse(words, CURL_VALUE)
    sends = bool(any(p.all(n) for n in CURL_DATA))
    secret = cmd.stdin.secret and sends
    for word in p.all("variable", "H", "header"):  # --variable name@file, -H @file: a file's text
        source = word.text.partition("@")[2] if "@" in word.text and "=" not in word.text.partition("@")[0] else ""
        if source and an.file("file_read", Word(source, word.dynamic), cmd, program=program).is_secret:
            secret = sends = True
    for name, value in p.values:
        if name not in CURL_DATA:
            continue
        text = value.text
        secret |= value.secret
        source = text.partition("=@")[2] or text.partition("=<")[2] if name in ("F", "form") else (
            text if name in ("T", "upload-file") else text[1:] if text.startswith("@") else
            text.partition("@")[2] if name == "data-urlencode" and "=" not in text.partition("@")[0] else "")
        source = source.split(";", 1)[0]
        if source == "-":
            secret |= cmd.stdin.secret
            sends = True
        elif source:
            if an.file("file_read", Word(source, value.dynamic), cmd, program=program).is_secret:
                secret = True
    method = (p.value("X", "request") or Word("")).text.upper()
    if method in ("POST", "PUT", "PATCH") and (cmd.stdin.kind or sends):
        sends = True
    for word in p.all("o", "output", "D", "dump-header", "c", "cookie-jar"):
        if word.text != "-":
            an.file("file_write", word, cmd, program=program)
    if p.has("O", "remote-name", "remote-name-all"):
        for url in p.operands:
            name = url.text.split("?", 1)[0].rstrip("/").rpartition("/")[2]
            if name:
                an.file("file_write", Word(name, url.dynamic), cmd, program=program)
    for word in p.all("K", "config"):
        an.file("file_read", word, cmd, program=program)
    body = " ".join(w.text for name, w in p.values if name in CURL_DATA)
    sent, auth = _request_content(p)
    from vectimus.analyser.programs import databases  # the database handlers, loaded when a request is seen

    for url in [*p.operands, *p.all("url")]:
        remote(an, cmd, program, url, sends_data=sends, sends_secret=secret, scheme="http", sent=sent, auth=auth)
        databases.http_store(an, cmd, program, method or ("POST" if sends else "GET"), url.text, body)


AUTH_HEADERS = ("authorization", "proxy-authorization", "x-api-key", "api-key", "apikey", "x-auth-token",
                "private-token", "x-access-token", "x-goog-api-key", "x-vault-token", "cookie")


def _request_content(p) -> tuple[tuple[Word, ...], tuple[Word, ...]]:
    """What a curl/wget request carries besides its URL: (bodies and other headers, auth values)."""
    sent: list[Word] = []
    auth: list[Word] = list(p.all("u", "user", "U", "proxy-user", "b", "cookie", "oauth2-bearer"))
    for name, word in p.values:
        if name in ("H", "header"):
            header = word.text.partition(":")[0].strip().lower()
            (auth if header in AUTH_HEADERS else sent).append(word)
        elif name in CURL_DATA or name in ("post-data", "body-data"):
            sent.append(word)
    return tuple(sent), tuple(auth)


WGET_VALUE = argv.opts(
    "-O --output-document -o --output-file -a --append-output -P --directory-prefix -i --input-file "
    "--post-data --post-file --body-data --body-file --method -U --user-agent --header -t --tries "
    "-T --timeout -e --execute --user --password --http-password --load-cookies --save-cookies -Q --quota "
    "--ca-certificate --certificate --private-key -l --level -A --accept -R --reject -D --domains")


def wget(an: Analysis, cmd: Cmd, program: str) -> None:
    """wget: each URL, what it posts, where it saves (with its startup file's and -e commands' options)."""
    p = argv.parse(network_config.wget_words(an, cmd), WGET_VALUE)
    secret = False
    sends = bool(p.all("post-data", "body-data", "post-file", "body-file"))
    for word in [*p.all("post-data", "body-data")]:
        secret |= word.secret
    for word in p.all("post-file", "body-file"):
        if an.file("file_read", word, cmd, program=program).is_secret:
            secret = True
    for word in p.all("i", "input-file", "load-cookies"):
        an.file("file_read", word, cmd, program=program)
    outputs = [w for w in p.all("O", "output-document", "o", "output-file", "a", "append-output",
                                "save-cookies") if w.text != "-"]
    for word in outputs:
        an.file("file_write", word, cmd, program=program)
    prefix = p.value("P", "directory-prefix")
    sent, auth = _request_content(p)
    auth += tuple(p.all("password", "http-password"))
    for url in p.operands:
        remote(an, cmd, program, url, sends_data=sends, sends_secret=secret, scheme="http", sent=sent,
               auth=auth)
        if not p.value("O", "output-document"):
            name = url.text.split("?", 1)[0].split("://", 1)[-1].rstrip("/").partition("/")[2]
            name = name.rpartition("/")[2] or "index.html"
            path = f"{prefix.text.rstrip('/')}/{name}" if prefix else name
            an.file("file_write", Word(path, url.dynamic or bool(prefix and prefix.dynamic)), cmd,
                    program=program)


NC_VALUE = argv.opts("-p -s -w -e -c -i -q -x -X -I -O -T -V -m --source-port --source --exec "
                     "--sh-exec --lua-exec --wait --proxy --proxy-type")


def netcat(an: Analysis, cmd: Cmd, program: str) -> None:
    """nc / ncat / netcat: the peer, data fed to it, and a program it runs (``-e``)."""
    p = argv.parse(cmd.words[1:], NC_VALUE)
    listen = p.has("l", "listen")
    sends = bool(cmd.stdin.kind) and not listen
    ops = p.operands
    port = next((int(w.text) for w in ops[1:2] if w.text.isdigit()), 0)
    if listen:
        port = port or next((int(w.text) for w in [*ops[:1], *p.all("p")] if w.text.isdigit()), 0)
        host = next((w for w in ops if not w.text.isdigit()), Word("0.0.0.0"))
        remote(an, cmd, program, host, port=port, scheme="tcp", listens=True)
    elif ops:
        remote(an, cmd, program, ops[0], port=port, scheme="udp" if p.has("u") else "tcp",
               sends_data=sends, sends_secret=cmd.stdin.secret)
    for word in p.all("e", "exec"):
        an.dispatch(cmd.with_words([word], via=f"{program} -e"))
    for word in p.all("c", "sh-exec"):
        an.shell(word, cmd, f"{program} -c")


def socat(an: Analysis, cmd: Cmd, program: str) -> None:
    """socat: each address (TCP/UDP/SSL peers, EXEC/SYSTEM programs, files)."""
    addrs = [w for w in cmd.words[1:] if not w.text.startswith("-") or w.text == "-"]
    sends = bool(cmd.stdin.kind) or len(addrs) == 2
    for word in addrs:
        kind, _, rest = word.text.partition(":")
        kind = kind.upper()
        rest = rest.split(",", 1)[0]
        if kind in ("TCP", "TCP4", "TCP6", "UDP", "UDP4", "UDP6", "OPENSSL", "SSL", "TCP-CONNECT",
                    "UDP-SENDTO", "SCTP", "SCTP-CONNECT"):
            remote(an, cmd, program, Word(rest, word.dynamic), scheme=kind.split("-")[0].lower().rstrip("46"),
                   sends_data=sends, sends_secret=cmd.stdin.secret)
        elif kind.endswith("-LISTEN") or kind.endswith("-L"):
            port = int(rest) if rest.isdigit() else 0
            remote(an, cmd, program, Word("0.0.0.0"), port=port, scheme=kind.split("-")[0].lower(),
                   listens=True)
        elif kind in ("EXEC", "SYSTEM"):
            an.shell(Word(word.text.partition(":")[2].split(",", 1)[0], word.dynamic), cmd,
                     f"{program} {kind.lower()}")
        elif kind in ("OPEN", "CREATE", "FILE", "GOPEN") or (kind.startswith("/") and not rest):
            path = Word(rest if rest else word.text.split(",", 1)[0], word.dynamic)
            an.file("file_write" if kind == "CREATE" else "file_read", path, cmd, program=program)


SSH_VALUE = argv.opts("-b -c -D -E -e -F -I -i -J -L -l -m -O -o -p -Q -R -S -W -w -B")


def ssh(an: Analysis, cmd: Cmd, program: str) -> None:
    """ssh / sftp / telnet / ftp: the host (and port) they connect to."""
    p = argv.parse(cmd.words[1:], SSH_VALUE, stop_at_operand=program == "ssh")
    if not p.operands:
        return
    port_word = p.value("p", "P")
    port = int(port_word.text) if port_word and port_word.text.isdigit() else 0
    if program in ("telnet", "ftp") and len(p.operands) > 1 and p.operands[1].text.isdigit():
        port = int(p.operands[1].text)
    scheme = {"ssh": "ssh", "sftp": "sftp", "telnet": "telnet", "ftp": "ftp"}.get(program, "ssh")
    target = p.operands[0]
    text = target.text
    if not is_url(text):
        text = text.rpartition("@")[2]
        if program == "sftp":
            text = text.split(":", 1)[0]
    piped = cmd.stdin.kind in ("pipe", "file")  # tar … | ssh host 'cat > x': an upload
    remote(an, cmd, program, Word(text, target.dynamic), scheme=scheme, port=port,
           sends_data=bool(cmd.stdin.kind) or (program == "ssh" and len(p.operands) > 1),
           sends_secret=cmd.stdin.secret or any(w.secret for w in p.operands[1:]),
           channel="pipe" if piped and program == "ssh" else "")
    for jump in p.all("J"):
        remote(an, cmd, program, Word(jump.text.rpartition("@")[2], jump.dynamic), scheme="ssh")
    for option in p.all("o"):
        key, _, value = option.text.replace("=", " ", 1).partition(" ")
        if key.lower() in ("proxycommand", "localcommand") and value.strip().lower() != "none":
            an.shell(Word(value.strip(), option.dynamic), cmd, f"ssh {key}")  # runs here, locally
    if program == "ssh":
        _ssh_remote_command(an, cmd, Word(text, target.dynamic), p.operands[1:])


def _ssh_remote_command(an: Analysis, cmd: Cmd, host: Word, words: list[Word]) -> None:
    """The command ssh runs on the other host, judged as if it ran here (in the home directory):
    the agent may not do through ssh what it may not do locally, and a loopback host is local."""
    scope = Scope(cmd.scope.places._replace(cwd=cmd.scope.places.home))
    via = f"ssh {host.text}"
    if words:
        text = " ".join(w.text for w in words)
        an.shell(Word(text, any(w.dynamic for w in words), secret=any(w.secret for w in words)), cmd,
                 via, scope=scope)
    elif cmd.stdin.text is not None:
        an.shell(Word(cmd.stdin.text), cmd, via, scope=scope)


SCP_VALUE = argv.opts("-c -F -i -J -l -o -P -S -D -X")


def copy_remote(an: Analysis, cmd: Cmd, program: str, sources: list[Word], dest: Word | None) -> bool:
    """scp / rsync: network actions for remote operands; True when any operand was remote."""
    local_sources = [s for s in sources if not looks_remote(s.text)]
    uploads = dest is not None and looks_remote(dest.text)
    secret = False
    if uploads:
        for src in local_sources:
            if an.target(src, cmd.scope).is_secret:
                secret = True
    found = False
    for word in [*sources, *([dest] if dest is not None else [])]:
        if looks_remote(word.text):
            found = True
            scheme = "rsync" if word.text.startswith("rsync://") or "::" in word.text else "ssh"
            remote(an, cmd, program, word, scheme=scheme, sends_data=uploads and word is dest,
                   sends_secret=secret and word is dest)
    return found


def scp(an: Analysis, cmd: Cmd, program: str) -> None:
    """scp: remote peers; local sources are read, a local destination written."""
    p = argv.parse(cmd.words[1:], SCP_VALUE)
    if len(p.operands) < 2:
        return
    sources, dest = p.operands[:-1], p.operands[-1]
    copy_remote(an, cmd, program, sources, dest)
    for src in sources:
        if not looks_remote(src.text):
            an.file("file_read", src, cmd, program=program)
    if not looks_remote(dest.text):
        an.file("file_write", dest, cmd, program=program)


def httpie(an: Analysis, cmd: Cmd, program: str) -> None:
    """httpie (``http``/``https``) and xh: ``[METHOD] URL [items]``; items send data."""
    p = argv.parse(cmd.words[1:], argv.opts("-a --auth -o --output --session -A --auth-type"))
    ops = p.operands
    if ops and ops[0].text.isupper() and ops[0].text.isalpha():
        ops = ops[1:]
    if not ops:
        return
    items = ops[1:]
    secret = False
    for item in items:
        if "@" in item.text and (item.text.partition("@")[2]):
            source = item.text.rpartition("@")[2]
            if an.file("file_read", Word(source, item.dynamic), cmd, program=program).is_secret:
                secret = True
        secret |= item.secret
    url = ops[0]
    if not is_url(url.text) and not url.text.startswith(":"):
        url = Word(("https://" if program == "https" else "http://") + url.text, url.dynamic)
    auth = [w for w in items if ":" in w.text and "=" not in w.text.partition(":")[0]
            and w.text.partition(":")[0].strip().lower() in AUTH_HEADERS] + p.all("a", "auth")
    remote(an, cmd, program, url, sends_data=bool(items) or bool(cmd.stdin.kind),
           sends_secret=secret or cmd.stdin.secret, sent=tuple(w for w in items if w not in auth),
           auth=tuple(auth))


def downloader(an: Analysis, cmd: Cmd, program: str) -> None:
    """aria2c, lynx, links, w3m …: every URL operand is a destination."""
    for word in cmd.words[1:]:
        if is_url(word.text):
            remote(an, cmd, program, word)


HANDLERS = {
    "curl": curl, "wget": wget, "wget2": wget, "nc": netcat, "ncat": netcat, "netcat": netcat,
    "socat": socat, "ssh": ssh, "sftp": ssh, "telnet": ssh, "ftp": ssh, "scp": scp,
    "http": httpie, "https": httpie, "xh": httpie, "xhs": httpie,
    "aria2c": downloader, "lynx": downloader, "links": downloader, "w3m": downloader,
}
