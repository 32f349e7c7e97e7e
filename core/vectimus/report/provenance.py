"""A log's provenance, as every report shows it: where and by what its decisions were made, and when the report was.

From the checkpoints that sealed it (repository, commit, branch, CI run, host and user, Vectimus's
version, each pack in force with its digest: ``vectimus.provenance.origin``), its receipts
(Vectimus versions, policy-set digests, sessions) and its verification (the full fingerprints of
the keys that signed it). A log sealed in more than one place (a developer's log across commits)
lists every place; the latest comes first in the summary.
"""

from __future__ import annotations

from vectimus.report.log import AuditLog

PLACE = ("repository", "revision", "ref", "run_url", "job", "host", "user")


def provenance_of(log: AuditLog) -> dict:
    """Where, by what and for whom ``log``'s decisions were made, and when this was generated."""
    from vectimus import __version__
    from vectimus.receipts.envelope import timestamp

    latest = log.origins[-1] if log.origins else {}
    entries = [*log.entries, *log.synthetic]
    places = []
    for origin in log.origins:
        place = {k: origin.get(k, "") for k in PLACE}
        if place not in places:
            places.append(place)
    return {
        "repository": latest.get("repository_name", ""), "repository_url": latest.get("repository", ""),
        "commit": latest.get("revision", ""), "branch": latest.get("ref", ""),
        "run_url": latest.get("run_url", ""), "job": latest.get("job", ""),
        "host": latest.get("host", ""), "user": latest.get("user", ""),
        "vectimus": sorted({e.vectimus for e in entries if e.vectimus} | {o["vectimus"] for o in log.origins if o.get("vectimus")}),
        "policy_digests": sorted({e.policy_digest for e in entries if e.policy_digest}),
        "packs": latest.get("packs", {}),
        "keys": sorted(log.verification.keys_used),
        "sessions": sorted({e.session for e in entries}),
        "sealed_in": places,
        "generated": timestamp(), "generated_by": f"vectimus {__version__}",
    }


def provenance_rows(prov: dict) -> list[tuple[str, str, bool]]:
    """The provenance as (label, text, shown as code) table rows, leaving out what is not known;
    when no checkpoint recorded where the log was sealed, a row says so."""
    rows: list[tuple[str, str, bool]] = []

    def add(label: str, text: str, code: bool = False) -> None:
        if text:
            rows.append((label, text, code))

    url = prov["repository_url"]
    add("Repository", prov["repository"] + (f" ({url})" if url and url != prov["repository"] else "")
        if prov["repository"] else url)
    add("Commit", " on ".join(filter(None, [prov["commit"], prov["branch"]])), True)
    add("CI run", " ".join(filter(None, [prov["run_url"], f"(job {prov['job']})" if prov["job"] else ""])))
    add("Host / user", " / ".join(filter(None, [prov["host"], prov["user"]])))
    if not prov["sealed_in"]:
        add("Sealed in", "not recorded: no checkpoint of this log says where it was sealed")
    elif len(prov["sealed_in"]) > 1:
        add("Sealed in", f"{len(prov['sealed_in'])} places (commits, branches, hosts); the latest above")
    add("Vectimus", ", ".join(prov["vectimus"]))
    add("Policy set", ", ".join(prov["policy_digests"]), True)
    add("Packs", ", ".join(f"{name} {p.get('digest', '')} ({p.get('origin', '?')})"
                           for name, p in sorted(prov["packs"].items())))
    add("Signing keys", ", ".join(prov["keys"]), True)
    sessions = prov["sessions"]
    add("Sessions", f"{len(sessions)}: {', '.join(sessions[:10])}{' …' if len(sessions) > 10 else ''}" if sessions else "")
    add("Generated", f"{prov['generated']} by {prov['generated_by']}")
    return rows
