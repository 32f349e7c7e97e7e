"""Ways data leaves the machine besides plain HTTP: gists, cloud copies, rclone, DNS lookups, and
what ``gh`` and ``git commit`` carry in their messages.

Each becomes a network action with ``net.channel`` naming the channel, ``sends_data`` when it
uploads and ``sends_secret`` when what it uploads was read from a secret (or carries a
credential), so the exfiltration policies judge them like any upload.
Standard library only: used on the hot path.
"""

from __future__ import annotations

from vectimus.analyser import argv
from vectimus.analyser.context import Analysis, Cmd, Word
from vectimus.analyser.facts.net import remote

GH_VALUE = argv.opts("-R --repo -t --title -b --body -F --body-file -d --desc --description -f --filename "
                     "-m --message -l --label -a --assignee -B --base -H --head -p --public --raw-field "
                     "--field -X --method --jq -q --template --milestone --project --reviewer")
GH_TEXT = ("t", "title", "b", "body", "m", "message", "d", "desc", "description", "f", "raw-field", "F",
           "field")


def gh(an: Analysis, cmd: Cmd, program: str) -> None:
    """gh / glab: files a gist uploads, and the text an issue, PR, comment or API call posts."""
    p = argv.parse(cmd.words[1:], GH_VALUE)
    ops = [w.text for w in p.operands]
    host = "gitlab.com" if program == "glab" else "api.github.com"
    if ops[:2] in (["gist", "create"], ["gist", "edit"], ["snippet", "create"]):
        secret = False
        for word in p.operands[2:]:
            if word.text != "-":
                secret |= an.file("file_read", word, cmd, program=program).is_secret
        source = "-" in ops[2:] or not p.operands[2:]
        remote(an, cmd, program, Word("gist.github.com" if program == "gh" else host), scheme="https",
               sends_data=True, sends_secret=secret or (source and cmd.stdin.secret), channel="gist",
               sent=_texts(p))
        return
    for word in p.all("F", "body-file") if ops[:1] in (["issue"], ["pr"], ["release"]) else []:
        an.file("file_read", word, cmd, program=program)
    texts = _texts(p)
    if texts and ops[:1] in (["issue"], ["pr"], ["release"], ["api"], ["discussion"], ["repo"], ["mr"]):
        remote(an, cmd, program, Word(host), scheme="https", sends_data=True, sent=texts, channel="forge")


def _texts(p) -> tuple[Word, ...]:
    return tuple(w for name, w in p.values if name in GH_TEXT)


PRINTERS = {"echo", "printf", "print", "printenv", "say"}
SHOWING = frozenset((*PRINTERS, "git", "gh", "glab"))  # the programs ``exec_secrets`` may find credentials in


def exec_secrets(name: str, cmd: Cmd) -> tuple[str, ...]:
    """Credential kinds an exec carries: in a commit message (``git``) or a post (``gh``), or shown to the agent
    (``echo "$GITHUB_TOKEN"``, ``printenv AWS_SECRET_ACCESS_KEY``, ``echo "${!v}"``) as "environment"."""
    if name not in SHOWING:
        return ()
    if name == "git":
        return commit_message(cmd)
    if name not in PRINTERS and name not in ("gh", "glab") or name in PRINTERS and cmd.stdout:
        return ()
    if name in PRINTERS and name != "printenv" and not any("$" in word.text for word in cmd.words[1:]):
        return ()  # (what follows finds a variable's name in a word, and only after a "$")
    from vectimus.analyser.facts import secrets

    if name in ("gh", "glab"):
        return secrets.kinds([w.text for w in _texts(argv.parse(cmd.words[1:], GH_VALUE))])

    for word in cmd.words[1:]:
        if name == "printenv" and secrets.secret_name(word.text) or "${!" in word.text \
                or secrets.env_names(word.text):
            return ("environment",)
    return ()


def commit_message(cmd: Cmd) -> tuple[str, ...]:
    """Credential kinds in a ``git commit`` message (it leaves with the next push)."""
    p = argv.parse(cmd.words[1:], argv.opts("-C -c --git-dir --work-tree"), stop_at_operand=True)
    if not p.operands or p.operands[0].text != "commit":
        return ()
    rest = argv.parse(p.operands[1:], argv.opts("-m --message -F --file -C -c --author --date -t --template"))
    messages = [w.text for w in rest.all("m", "message")]
    if not messages:
        return ()
    from vectimus.analyser.facts import secrets

    return secrets.kinds(messages)


# -- cloud storage, rclone ----------------------------------------------------------------------

CLOUD_COPY = {"cp", "mv", "sync", "rsync", "upload", "upload-batch", "copy"}


def _cloud(an: Analysis, cmd: Cmd, program: str, sources: list[Word], dest: Word | None, host: str) -> None:
    """Local sources read; a remote destination is an upload on the cloud-copy channel."""
    secret = False
    for word in sources:
        if not _cloud_url(word.text):
            secret |= an.file("file_read", word, cmd, program=program).is_secret
            secret |= word.text == "-" and cmd.stdin.secret
    if dest is not None and _cloud_url(dest.text):
        bucket = dest.text.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
        remote(an, cmd, program, Word(host or bucket, dest.dynamic), scheme="https",
               sends_data=any(not _cloud_url(s.text) for s in sources), sends_secret=secret,
               channel="cloud-copy")
    elif dest is not None:
        an.file("file_write", dest, cmd, program=program)


def _cloud_url(text: str) -> bool:
    return text.startswith(("s3://", "gs://", "az://", "r2://", "https://", "http://")) or (
        ":" in text.split("/", 1)[0] and not text.startswith(("/", ".", "~")))


def aws(an: Analysis, cmd: Cmd, program: str) -> None:
    """``aws s3 cp|mv|sync SRC DEST``: uploads of local files to a bucket."""
    from vectimus.analyser.subcommands import SUBCOMMAND_TOOLS

    p = argv.parse(cmd.words[1:], SUBCOMMAND_TOOLS["aws"] | argv.opts("--exclude --include --acl --sse "
                                                                      "--storage-class --expires"))
    ops = p.operands
    if len(ops) >= 4 and ops[0].text == "s3" and ops[1].text in CLOUD_COPY:
        _cloud(an, cmd, program, ops[2:-1], ops[-1], "")


def gsutil(an: Analysis, cmd: Cmd, program: str) -> None:
    """``gsutil cp|rsync SRC… DEST`` and ``gcloud storage cp SRC… DEST``."""
    from vectimus.analyser.subcommands import SUBCOMMAND_TOOLS

    ops = argv.parse(cmd.words[1:], SUBCOMMAND_TOOLS[program] | argv.opts("-z -Z -j -J -x -d")).operands
    if program == "gcloud":
        if not ops or ops[0].text != "storage":
            return
        ops = ops[1:]
    if len(ops) >= 3 and ops[0].text in CLOUD_COPY:
        _cloud(an, cmd, program, ops[1:-1], ops[-1], "")


def az(an: Analysis, cmd: Cmd, program: str) -> None:
    """``az storage blob upload --file F`` / ``upload-batch --source D``: uploads to a storage account."""
    p = argv.parse(cmd.words[1:], argv.opts("-f --file -s --source -c --container-name --account-name -n "
                                             "--name -d --destination --subscription -o --output"))
    ops = [w.text for w in p.operands]
    if ops[:2] == ["storage", "blob"] and ops[2:3] and ops[2] in ("upload", "upload-batch", "sync"):
        account = p.value("account-name")
        host = f"{account.text}.blob.core.windows.net" if account else "blob.core.windows.net"
        _cloud(an, cmd, program, [*p.all("f", "file", "s", "source")], Word("https://" + host), host)


def azcopy(an: Analysis, cmd: Cmd, program: str) -> None:
    """``azcopy copy|sync SRC DEST``."""
    ops = argv.parse(cmd.words[1:], argv.opts("--include-pattern --exclude-pattern --log-level")).operands
    if len(ops) >= 3 and ops[0].text in ("copy", "cp", "sync"):
        _cloud(an, cmd, program, ops[1:-1], ops[-1], "")


def rclone(an: Analysis, cmd: Cmd, program: str) -> None:
    """``rclone copy|sync|move|copyto SRC REMOTE:path``: an upload to the configured remote."""
    p = argv.parse(cmd.words[1:], argv.opts("--config --include --exclude --filter --transfers --checkers "
                                             "--bwlimit --log-file --backup-dir -c"))
    ops = p.operands
    if len(ops) >= 3 and ops[0].text in ("copy", "sync", "move", "copyto", "moveto", "bisync"):
        _cloud(an, cmd, program, ops[1:-1], ops[-1], "")
    elif len(ops) >= 2 and ops[0].text == "rcat":
        remote(an, cmd, program, Word(ops[1].text.split(":", 1)[0], ops[1].dynamic), sends_data=True,
               sends_secret=cmd.stdin.secret, channel="cloud-copy")


# -- DNS ------------------------------------------------------------------------------------------

DNS_VALUE = argv.opts("-t -c -p -b -q -x -f -k -y -type -class -port -query -timeout -retry -server")


def dns(an: Analysis, cmd: Cmd, program: str) -> None:
    """dig / nslookup / host / drill / resolvectl query: the names looked up. A name built from a
    substitution sends what the substitution printed to whoever serves that domain."""
    p = argv.parse(cmd.words[1:], DNS_VALUE)
    for word in p.operands:
        text = word.text
        if text.startswith("@") or text.upper() in ("A", "AAAA", "TXT", "MX", "NS", "CNAME", "ANY", "SOA",
                                                   "PTR", "SRV", "IN", "QUERY"):
            continue
        built = word.dynamic or word.secret
        remote(an, cmd, program, Word(text.rpartition(")")[2].lstrip(".") if built else text, word.dynamic),
               scheme="dns", port=53, sends_data=built, sends_secret=word.secret, channel="dns")


HANDLERS = {
    "gh": gh, "glab": gh, "aws": aws, "gsutil": gsutil, "gcloud": gsutil, "az": az, "azcopy": azcopy,
    "rclone": rclone, "dig": dns, "nslookup": dns, "host": dns, "drill": dns, "kdig": dns, "delv": dns,
}
