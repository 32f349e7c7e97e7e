"""Path facts (paths.classify) and network facts (network.net_facts) in isolation."""

from __future__ import annotations

import pytest

from tests.support.analysis import HOME, PROJECT, places, shell
from vectimus import paths
from vectimus.analyser.facts.net import net_facts


@pytest.mark.parametrize("raw, fact", [
    ("*", "is_project_root"), (".*", "is_project_root"), ("./*", "is_project_root"),
    ("/tmp/*", "is_tmp"), ("~/*", "is_home"), ("/*", "is_root"),
    (".ENV", "is_secret"), (".env.production", "is_secret"), ("~/.ssh/id_rsa", "is_secret"),
    ("/var/run/secrets/kubernetes.io/serviceaccount/token", "is_secret"),
    (".Claude/Settings.json", "is_governance"), (".github/copilot-instructions.md", "is_governance"),
    ("~/.config/vectimus/config.toml", "is_governance"), ("AGENTS.md", "is_agent_instructions"),
    (".github/workflows/release.yml", "is_ci_config"), ("~/.zshrc", "is_persistence"),
    (".GIT", "is_git_dir"), (".git/config", "in_git_dir"), ("/etc/hosts", "is_system"),
    ("~/.cache/pip", "is_cache"), ("~/.npm/_cacache", "is_cache"), ("~/Library/Caches/pip", "is_cache"),
])
def test_classify_true(raw, fact):
    assert getattr(paths.classify(raw, places()), fact) is True


@pytest.mark.parametrize("raw, fact", [
    ("*.py", "is_project_root"), ("*.*", "is_project_root"), (".env.example", "is_secret"), ("~/.ssh/id_rsa.pub", "is_secret"),
    ("~/.ssh/known_hosts", "is_secret"), ("src/main.py", "is_governance"), ("/tmp/x", "is_system"),
    ("~/.cache/../Documents", "is_cache"), ("~/.npm", "is_cache"), (".cache/x", "is_cache"),
])
def test_classify_false(raw, fact):
    assert getattr(paths.classify(raw, places()), fact) is False


def test_whole_dir_glob_keeps_is_glob_and_path_is_the_directory():
    facts = paths.classify("build/*", places())
    assert facts.path == f"{PROJECT}/build" and facts.is_glob


def test_directories_resolved_once_per_call_give_what_realpath_gives(tmp_path):
    """A call resolves each directory once and classifies each resolved path once (``known``): the
    facts are those of a fresh ``os.path.realpath`` and classification whatever was resolved
    before, through links to directories, relative links, dangling links and loops, and for
    places that differ."""
    import os

    home, project = tmp_path / "home", tmp_path / "home" / "proj"
    (project / "src").mkdir(parents=True)
    (home / ".ssh").mkdir()
    (home / ".ssh" / "id_rsa").write_text("k")
    (project / "src" / "a.py").write_text("")
    links = {"keys": str(home / ".ssh"), "up": "../proj/src", "dangling": "/nonexistent/x", "loop1": "loop2",
             "loop2": "loop1", "file": "src/a.py", "nested": "keys/../.ssh"}
    for name, target in links.items():
        os.symlink(target, project / name)
    os.symlink(str(project / "keys"), home / "proj" / "src" / "via")
    where = paths.Places(cwd=str(project), project=str(project), home=str(home), tmp_dirs=("/tmp",))
    raws = ["src", "src/a.py", "keys", "keys/id_rsa", "keys/missing/deeper", "up/a.py", "up", "dangling",
            "dangling/x", "loop1", "loop1/x", "file", "file/x", "nested/id_rsa", "src/via/id_rsa", "/", "..",
            "src/../keys/id_rsa", "new/dir/f", "~/.ssh/id_rsa", str(project / "keys" / "id_rsa"),
            "keys/new/a\x00b", "keys/new/\ud800/x", "file/new/f"]
    known = paths.Known()
    for raw in raws + raws[::-1] + ["src/*", "keys/*.pem"]:
        assert paths.classify(raw, where, known) == paths.classify(raw, where), raw
    assert paths.classify("keys/id_rsa", where, known).is_secret
    assert paths.classify("src/via/id_rsa", where, known).path == str(home / ".ssh" / "id_rsa")
    elsewhere = where._replace(home=str(project))  # other places: other facts for the same path
    assert paths.classify("src", elsewhere, known) == paths.classify("src", elsewhere)
    assert paths.classify("src/a.py", where._replace(cwd=str(project / "src")), known).path.endswith("src/src/a.py")


def test_facts_kept_between_calls_change_with_each_part_of_their_key(tmp_path, monkeypatch):
    """The evaluator keeps a resolved path's facts between calls, keyed by the path, its lstat mode
    and the places but the cwd: a file created or replaced by a directory between two calls, and
    each of those places, change the facts; what is kept stays bounded."""
    from vectimus.protected import Declared, Protected

    project = tmp_path / "proj"
    project.mkdir()
    base = paths.Places(cwd=str(project), project=str(project), home=str(tmp_path), tmp_dirs=("/var/tmp",),
                        declared=Protected(Declared(), Declared()))

    def facts(raw: str, where: paths.Places = base) -> paths.PathFacts:
        return paths.classify(raw, where, paths.Known())  # a new call each time

    assert not facts("out").exists
    (project / "out").write_text("")
    assert facts("out").exists and not facts("out").is_dir
    (project / "out").unlink()
    (project / "out").mkdir()
    assert facts("out").is_dir
    assert facts("out").in_project and not facts("out", base._replace(project=str(project / "sub"))).in_project
    assert facts("out").in_home and not facts("out", base._replace(home="/nonexistent")).in_home
    assert not facts("out").is_tmp and facts("out", base._replace(tmp_dirs=(str(project),))).is_tmp
    assert not facts("out").is_vectimus and facts("out", base._replace(vectimus=(str(project),))).is_vectimus
    governed = base._replace(declared=Protected(Declared(project=("out",)), Declared()))
    assert not facts("out").is_governance and facts("out", governed).is_governance
    assert facts("out", base._replace(cwd="/")).path == "/out"
    assert facts("out/*").is_glob and not facts("out").is_glob
    for i in range(70):  # past the numbers kept for places (they stand in the key): never one reused
        assert not facts("out", base._replace(home=f"/h{i}")).in_home and facts("out").in_home
    monkeypatch.setattr(paths, "MAX_KEPT", 8)
    for i in range(20):
        facts(f"f{i}")
    assert len(paths._KEPT) <= 8


def test_unresolved_path_claims_no_location():
    facts = paths.unresolved("$X/build")
    assert facts.path == "$X/build" and not facts.in_project and not facts.is_root


@pytest.mark.parametrize("target, host, port, facts", [
    ("https://user:pw@Example.COM:8443/x", "example.com", 8443, []),
    ("http://[fd00:ec2::254]/latest", "fd00:ec2::254", 80, ["is_metadata", "is_ip", "is_private"]),
    ("http://[::ffff:169.254.169.254]/", "169.254.169.254", 80, ["is_metadata", "is_link_local"]),
    ("http://100.100.100.200/", "100.100.100.200", 80, ["is_metadata"]),
    ("http://localhost:3000", "localhost", 3000, ["is_loopback"]),
    ("http://017700000001/", "127.0.0.1", 80, ["is_loopback", "is_ip"]),
    ("git@github.com:org/repo.git", "github.com", 22, []),
    ("192.168.1.5:8080", "192.168.1.5", 8080, ["is_private", "is_ip"]),
    ("metadata.azure.com", "metadata.azure.com", 0, ["is_metadata"]),
])
def test_net_facts(target, host, port, facts):
    got = net_facts(target)
    assert (got.host, got.port) == (host, port)
    for fact in facts:
        assert getattr(got, fact) is True, fact
    if "is_private" not in facts:
        assert not got.is_private


def test_cwd_follows_cd_and_git_c():
    actions = shell("cd /tmp/w && git -C sub rm -r x && rm y")
    deletes = [a.target.path for a in actions if a.kind == "file_delete"]
    assert deletes == ["/tmp/w/sub/x", "/tmp/w/y"]


def test_home_and_user_from_env():
    [_, delete] = shell('rm -rf "$HOME/.cache"')
    assert delete.target.path == f"{HOME}/.cache" and delete.target.in_home


def test_exec_conventions():
    [exec_] = shell("git -C dir -c k=v --git-dir=x push origin main")
    assert (exec_.program, exec_.subcommand, exec_.args) == ("git", "push", ("push", "origin", "main"))
    [rm, _] = shell("\\rm -rf /")
    assert rm.program == "rm" and rm.raw == "\\rm -rf /" and rm.flags[:2] == ("r", "f")
    [abs_rm, _] = shell("/usr/bin/rm -r /x")
    assert abs_rm.program_path == "/usr/bin/rm" and abs_rm.resource == "rm"
    [lookup] = shell("command -v rm")
    assert lookup.program == "command" and lookup.args == ("rm",)
