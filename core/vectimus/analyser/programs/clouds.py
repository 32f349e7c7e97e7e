"""Cloud, cluster and forge CLIs: the risky verbs beyond deletes, as data per provider.

``RISKS`` maps a program and the operation words after it to a condition on its options and the
risk it is: a credential created, admin granted, something made public or opened to the internet,
production scaled to zero, branch protection removed. ``run`` records the risk on the exec action
(``context.risk``) through ``an.risk``, so a policy tests one fact instead of each spelling.
Standard library only: used on the hot path.
"""

from __future__ import annotations

import re

from vectimus.analyser import argv
from vectimus.analyser.context import Analysis, Cmd

CREDENTIAL, ADMIN, PUBLIC, INGRESS, ZERO, UNPROTECT = (
    "credential-create", "admin-grant", "public", "open-ingress", "scale-to-zero", "protection-removed")
_ADMIN_POLICY = r"(?i)arn:aws:iam::aws:policy/(?:AdministratorAccess|IAMFullAccess|PowerUserAccess)\b"
_ANYONE_CIDR = r"(?:^|[\s=,\"'\[])(?:0\.0\.0\.0/0|::/0)\b|(?i:\bInternet\b)|(?:--source-address-prefix(?:es)?[ =]['\"]?\*)"
_PUBLIC_ACL = r"(?i)--acl[ =]['\"]?public-read|--acl[ =]['\"]?authenticated-read|\"Principal\"\s*:\s*(?:\"\*\"|\{\s*\"AWS\"\s*:\s*\"\*\")"
_ZERO = r"(?:--desired-count|--desired-capacity|--max-size|--replicas|--num-nodes|--node-count|--new-capacity|--max-instances|--min-size)[ =]['\"]?0\b"

# program -> [(operation words that must all appear among the operands, pattern on the command, risk)]
RISKS: dict[str, list[tuple[tuple[str, ...], str, str]]] = {
    "aws": [
        (("iam", "create-access-key"), "", CREDENTIAL),
        (("iam", "create-login-profile"), "", CREDENTIAL),
        (("iam", "update-login-profile"), "", CREDENTIAL),
        (("iam", "create-service-specific-credential"), "", CREDENTIAL),
        (("iam",), _ADMIN_POLICY, ADMIN),
        (("iam", "put-user-policy"), r"\"Action\"\s*:\s*\"\*\"", ADMIN),
        (("iam", "put-role-policy"), r"\"Action\"\s*:\s*\"\*\"", ADMIN),
        (("s3api", "put-bucket-acl"), _PUBLIC_ACL, PUBLIC),
        (("s3api", "put-object-acl"), _PUBLIC_ACL, PUBLIC),
        (("s3api", "put-bucket-policy"), _PUBLIC_ACL, PUBLIC),
        (("s3api", "delete-public-access-block"), "", PUBLIC),
        (("s3api", "put-public-access-block"), r"(?i)Block\w*=false|\"Block\w*\"\s*:\s*false", PUBLIC),
        (("s3",), _PUBLIC_ACL, PUBLIC),
        (("rds", "modify-db-instance"), r"--publicly-accessible\b", PUBLIC),
        (("lambda", "add-permission"), r"--principal[ =]['\"]?\*", PUBLIC),
        (("ec2", "authorize-security-group-ingress"), _ANYONE_CIDR, INGRESS),
        (("ec2", "modify-image-attribute"), r"(?i)Group=all|\"Group\"\s*:\s*\"all\"", PUBLIC),
        (("ec2", "modify-snapshot-attribute"), r"(?i)--group-names[ =]all|Group=all", PUBLIC),
        (("ecs", "update-service"), _ZERO, ZERO),
        (("autoscaling", "update-auto-scaling-group"), _ZERO, ZERO),
        (("autoscaling", "set-desired-capacity"), _ZERO, ZERO),
        (("eks", "update-nodegroup-config"), r"desiredSize=0\b|maxSize=0\b", ZERO),
    ],
    "gcloud": [
        (("service-accounts", "keys", "create"), "", CREDENTIAL),
        (("add-iam-policy-binding",), r"roles/(?:owner|editor|iam\.securityAdmin|resourcemanager\.projectIamAdmin)\b", ADMIN),
        (("add-iam-policy-binding",), r"\ballUsers\b|\ballAuthenticatedUsers\b", PUBLIC),
        (("firewall-rules",), _ANYONE_CIDR, INGRESS),
        (("clusters", "resize"), _ZERO, ZERO),
        (("instance-groups",), r"--size[ =]0\b", ZERO),
        (("run", "services", "update"), _ZERO, ZERO),
    ],
    "gsutil": [
        (("iam", "ch"), r"\ballUsers\b|\ballAuthenticatedUsers\b", PUBLIC),
        (("acl", "ch"), r"(?i)\bAllUsers\b|\bAllAuthenticatedUsers\b", PUBLIC),
        (("acl", "set"), r"\bpublic-read\b", PUBLIC),
    ],
    "az": [
        (("ad", "sp", "create-for-rbac"), "", CREDENTIAL),
        (("credential", "reset"), "", CREDENTIAL),
        (("role", "assignment", "create"), r"(?i)--role[ =]['\"]?(?:Owner|Contributor|User Access Administrator)\b", ADMIN),
        (("storage", "container", "set-permission"), r"--public-access[ =]['\"]?(?:blob|container)\b", PUBLIC),
        (("storage", "account", "update"), r"--allow-blob-public-access[ =]['\"]?true\b", PUBLIC),
        (("nsg", "rule"), _ANYONE_CIDR, INGRESS),
        (("vmss", "scale"), _ZERO, ZERO),
        (("aks", "scale"), _ZERO, ZERO),
        (("webapp", "stop"), "", ZERO),
    ],
    "kubectl": [
        (("create", "clusterrolebinding"), r"--clusterrole[ =]['\"]?(?:cluster-admin|admin)\b", ADMIN),
        (("create", "rolebinding"), r"--clusterrole[ =]['\"]?cluster-admin\b", ADMIN),
        (("create", "token"), "", CREDENTIAL),
        (("scale",), _ZERO, ZERO),
        (("port-forward",), r"--address[ =]['\"]?(?:0\.0\.0\.0|::)\b", PUBLIC),
        (("expose",), r"--type[ =]['\"]?LoadBalancer\b", PUBLIC),
    ],
    "gh": [
        (("repo", "edit"), r"--visibility[ =]['\"]?public\b", PUBLIC),
        (("repo", "create"), r"--public\b", PUBLIC),
        (("api",), r"(?i)branches/[^ ]+/protection\b.*(?:-X|--method)[ =]?DELETE|(?:-X|--method)[ =]?DELETE.*branches/[^ ]+/protection\b", UNPROTECT),
        (("api",), r"(?i)rulesets/\d+.*(?:-X|--method)[ =]?DELETE|(?:-X|--method)[ =]?DELETE.*rulesets/\d+", UNPROTECT),
        (("api",), r"private=false|\"private\"\s*:\s*false|visibility=public", PUBLIC),
        (("ssh-key", "add"), "", CREDENTIAL),
        (("repo", "deploy-key", "add"), "", CREDENTIAL),
    ],
    "glab": [
        (("repo", "edit"), r"--visibility[ =]['\"]?public\b|--public\b", PUBLIC),
        (("repo", "create"), r"--public\b", PUBLIC),
    ],
}
RISKS["oc"] = RISKS["kubectl"]


def risk_of(program: str, cmd: Cmd) -> str:
    """The risk an invocation of ``program`` is, or ""."""
    rules = RISKS.get(program)
    if not rules:
        return ""
    words = [w.text for w in cmd.words[1:]]
    operands = {w for w in words if not w.startswith("-")}
    line = " ".join(words)
    for ops, pattern, risk in rules:
        if all(op in operands for op in ops) and (not pattern or re.search(pattern, line)):
            return risk
    return ""


# -- local clusters created and deleted in one command ---------------------------------------------

_CLUSTER_TOOLS = {"kind": ("--name", "kind"), "k3d": ("", "k3s-default"), "minikube": ("-p --profile", "minikube")}


def _cluster(name: str, cmd: Cmd) -> tuple[str, str] | None:
    """(operation, cluster name) of ``kind|k3d|minikube create|delete``, else None."""
    opts, default = _CLUSTER_TOOLS[name]
    p = argv.parse(cmd.words[1:], argv.opts(opts + " --name --image --config --wait --kubeconfig"))
    ops = [w.text for w in p.operands]
    op = next((o for o in ops if o in ("create", "delete", "start")), "")
    if not op:
        return None
    named = p.value("name", "n", "p", "profile")
    rest = [o for o in ops if o not in ("create", "delete", "start", "cluster", "clusters")]
    return op, (named.text if named is not None else rest[0] if rest and name == "k3d" else default)


# -- containers -----------------------------------------------------------------------------------

_BEACON = r"\b(?:curl|wget|nc|ncat|socat|ssh)\b|/dev/tcp/"


def _container(name: str, cmd: Cmd) -> str:
    """``--restart=always`` containers that call out (a beacon), and volume deletes on a remote engine."""
    line = " ".join(w.text for w in cmd.words[1:])
    if re.search(r"(?:^| )(?:run|create)(?: |$)", line) and re.search(r"--restart[ =](?:always|unless-stopped)", line) \
            and re.search(_BEACON, line):
        return "persistence"
    remote = re.search(r"(?:^| )(?:--context|-c|-H|--host)[ =](?!default\b|unix://)\S+", line) or re.search(
        r"\bDOCKER_(?:HOST|CONTEXT)=(?!unix://)\S+", cmd.raw)
    if remote and re.search(r"\bcompose\b.*\bdown\b.*(?:-v\b|--volumes\b)|\bvolume (?:rm|prune)\b|"
                            r"\bsystem prune\b.*--volumes", line):
        return "remote-data-loss"
    return ""


CONTAINERS = ("docker", "podman", "nerdctl", "docker-compose")
ENV_DUMPS = ("env", "printenv", "set", "export", "declare", "typeset")  # (``env_filter``)
RISKY = frozenset((*RISKS, "git", *_CLUSTER_TOOLS, *CONTAINERS, *ENV_DUMPS))  # the programs ``exec_risk`` may find a risk in


def exec_risk(an: Analysis, name: str, cmd: Cmd) -> str:
    """What an exec of ``name`` risks (the ``risk`` fact), from the tables above and git's own."""
    if name not in RISKY:
        return ""
    if name in RISKS:
        return risk_of(name, cmd)
    if name == "git":
        from vectimus.analyser.programs.git import risk

        return risk(an, cmd)
    if name in ENV_DUMPS:
        if name == "set" and any(w.text == "--" for w in cmd.words[1:]):
            return "positional"  # set -- WORDS sets the positional parameters and prints nothing
        if cmd.stdout != "pipe":
            return ""
        from vectimus.analyser.programs import env_filter

        return env_filter.risk(an, cmd)
    if name in _CLUSTER_TOOLS:
        found = _cluster(name, cmd)
        if found is None:
            return ""
        op, cluster = found
        if op in ("create", "start"):
            an.created.add((name, cluster))
            return ""
        return "created-here" if (name, cluster) in an.created else ""
    if name in CONTAINERS:
        return _container(name, cmd)
    return ""
