"""Compliance controls a policy maps to, from its annotations (CLI and reports only).

A policy names the controls it implements, one annotation per framework, each a comma-separated
list of that framework's control ids::

    @soc2("CC6.7")  @iso27001("A.8.12")  @nist_800_53("AC-4, SC-7")

``@controls("…")`` holds other references as free text (OWASP, MITRE ATT&CK, SLSA, CIS), one
per ``;``. ``policy lint`` checks every id against its framework's form; ``policy show`` prints
them; ``report --by control`` groups decisions under them.
"""

from __future__ import annotations

import re

# annotation key -> (framework as people write it, the form of one of its control ids)
FRAMEWORKS = {
    "soc2": ("SOC 2", re.compile(r"(CC[1-9]\.[0-9]{1,2}|A1\.[1-3]|C1\.[12]|PI1\.[1-5]|P[1-8]\.[0-9])")),
    "iso27001": ("ISO 27001", re.compile(r"A\.[5-8]\.[0-9]{1,2}")),
    "nist_800_53": ("NIST 800-53", re.compile(r"[A-Z]{2}-[0-9]{1,2}(\([0-9]{1,2}\))?")),
}
OTHER = "controls"


def _ids(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def controls_of(annotations: dict) -> list[str]:
    """Every control a policy maps to, as labels (``SOC 2 CC6.7``, then free-text references)."""
    labels = [f"{name} {cid}" for key, (name, _) in FRAMEWORKS.items() for cid in _ids(annotations.get(key, ""))]
    labels += [part.strip() for part in annotations.get(OTHER, "").split(";") if part.strip()]
    return labels


def control_problems(annotations: dict) -> list[str]:
    """What is wrong with a policy's control annotations (empty when each id has its framework's form)."""
    problems = []
    for key, (name, form) in FRAMEWORKS.items():
        if key in annotations and not _ids(annotations[key]):
            problems.append(f"@{key} is empty")
        for cid in _ids(annotations.get(key, "")):
            if not form.fullmatch(cid):
                problems.append(f"@{key}: {cid!r} is not a {name} control id")
    return problems
