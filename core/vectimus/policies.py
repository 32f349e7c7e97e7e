"""Policy packs: where they come from, and the validated policy set built from them.

A pack is a directory with ``pack.toml`` (name, description, ``enabled`` by default or not),
``*.cedar`` policy files and ``cases.toml`` (must-block / must-allow examples per policy id).
Sources (bundled, ``~/.vectimus/packs``, ``<project>/.vectimus/packs``, plugins) list packs; the
enabled ones are concatenated behind a permit-everything base policy, so that only ``forbid``
policies decide. A set is validated against the Cedar schema once per content digest (the result is
cached), because an erroring ``forbid`` would otherwise be skipped silently.
"""

from __future__ import annotations

import json
from pathlib import Path

from vectimus import atomic
from vectimus.config import ENFORCEMENTS, Config, Enforcement
from vectimus.errors import VectimusError
from vectimus.locations import PROJECT_DIR, user_home
from vectimus.records import Record
from vectimus.sha256 import sha256
from vectimus.toml_cache import TomlError, loads

BASE_POLICY_ID = "vectimus-base"
BASE_POLICY = f'@id("{BASE_POLICY_ID}")\npermit (principal, action, resource);\n'
REQUIRED_ANNOTATIONS = ("id", "description")


class PolicyError(VectimusError, ValueError):
    """The policy set cannot be built: a pack is malformed or fails schema validation."""


class Pack(Record):
    """One policy pack on disk."""

    name: str
    path: Path
    origin: str
    description: str = ""
    enabled_by_default: bool = True

    def policy_files(self) -> list[Path]:
        """The pack's ``*.cedar`` files in name order."""
        return sorted(self.path.glob("*.cedar"))


class Policy(Record):
    """One policy: its annotations and where it came from."""

    id: str
    pack: str
    annotations: dict
    file: str

    @property
    def description(self) -> str:
        return self.annotations.get("description", "")

    @property
    def enforcement(self) -> Enforcement:
        """The level the policy declares (``@enforcement``, checked when the set is built), ``deny``
        when it declares none."""
        return self.annotations.get("enforcement", "deny")


class PackSource:
    """Base class for pack sources: ``packs`` lists the packs it offers for a project."""

    name: str = ""

    def packs(self, project: Path) -> list[Pack]:
        """The packs this source offers for ``project`` (``packs_in(directory, origin)`` reads a directory)."""
        raise NotImplementedError

    def watch_paths(self, project: Path) -> list[Path]:
        """Files and directories whose change (a pack added or removed) changes ``packs(project)``:
        the resident evaluator rebuilds its policy set when one does. The packs' own files are
        watched already."""
        return []


def bundled_packs_dir() -> Path:
    """The packs shipped with Vectimus (inside the wheel, or ``packs/`` in a source checkout)."""
    here = Path(__file__).resolve().parent
    inside = here / "packs"
    return inside if inside.is_dir() else here.parent.parent / "packs"


def schema_path() -> Path:
    """The Cedar schema every policy set is validated against."""
    return bundled_packs_dir() / "schema.cedarschema"


def read_pack(path: Path, origin: str) -> Pack:
    """Read one pack directory (its ``pack.toml`` is optional for user and project packs)."""
    manifest: dict = {}
    toml = path / "pack.toml"
    if toml.exists():
        try:
            manifest = loads(toml.read_text(encoding="utf-8"))
        except (OSError, TomlError) as exc:
            raise PolicyError(f"cannot read {toml}: {exc}") from exc
    return Pack(name=str(manifest.get("name", path.name)), path=path, origin=origin,
                description=str(manifest.get("description", "")),
                enabled_by_default=bool(manifest.get("enabled", True)))


def packs_in(directory: Path, origin: str) -> list[Pack]:
    """Every pack directory (one holding ``*.cedar`` files) directly under ``directory``."""
    if not directory.is_dir():
        return []
    return [read_pack(d, origin) for d in sorted(directory.iterdir())
            if d.is_dir() and any(d.glob("*.cedar"))]


class DirectorySource(PackSource):
    """Packs in a fixed directory, or a directory relative to the project."""

    def __init__(self, name: str, directory: Path | None = None, project_relative: str = ""):
        self.name = name
        self.directory = directory
        self.project_relative = project_relative

    def packs(self, project: Path) -> list[Pack]:
        return packs_in(self._directory(project), self.name)

    def watch_paths(self, project: Path) -> list[Path]:
        return [self._directory(project)]

    def _directory(self, project: Path) -> Path:
        if self.project_relative or self.directory is None:
            return project / self.project_relative
        return self.directory


def builtin_sources() -> list[PackSource]:
    """Bundled packs, an installed signed update bundle, the user's packs and the project's packs."""
    return [
        DirectorySource("bundled", bundled_packs_dir()),
        DirectorySource("update", user_home() / "updates" / "current"),
        DirectorySource("user", user_home() / "packs"),
        DirectorySource("project", project_relative=f"{PROJECT_DIR}/packs"),
    ]


def active_packs(packs: list[Pack]) -> list[Pack]:
    """``packs`` with bundled packs dropped where an installed update bundle has a newer one."""
    updated = {p.name for p in packs if p.origin == "update"}
    return [p for p in packs if not (p.origin == "bundled" and p.name in updated)]


def pack_enabled(pack: Pack, config: Config) -> bool:
    """Whether a pack takes part in evaluation under ``config``."""
    if pack.origin == "project":
        return True  # a project's own packs can only add forbids
    if pack.name in config.packs_enabled:
        return True
    return pack.enabled_by_default and pack.name not in config.packs_disabled


class PolicySet:
    """The enabled policies, parsed once and validated against the schema."""

    def __init__(self, policies: dict[str, Policy], order: list[str], text: str, digest: str,
                 packs: list[Pack] | None = None) -> None:
        self.policies = policies
        self.order = order        # Cedar's generated ids: policy<N> is order[N]
        self.text = text
        self.digest = digest
        self.packs = packs or []
        self._cedar = None
        self._schema = None

    @property
    def cedar(self):
        """The parsed ``cedarpy.PolicySet`` (built on first use)."""
        if self._cedar is None:
            from vectimus.native import cedarpy as load_cedarpy

            cedarpy = load_cedarpy()

            self._cedar = cedarpy.PolicySet.from_str(self.text)
        return self._cedar

    @property
    def schema(self):
        """The parsed ``cedarpy.Schema``."""
        if self._schema is None:
            from vectimus.native import cedarpy as load_cedarpy

            cedarpy = load_cedarpy()

            self._schema = cedarpy.Schema.from_str(schema_path().read_text(encoding="utf-8"))
        return self._schema

    def policy_for(self, cedar_id: str) -> Policy | None:
        """The policy behind a Cedar-generated id such as ``policy3``."""
        if cedar_id.startswith("policy") and cedar_id[6:].isdigit():
            index = int(cedar_id[6:])
            if index < len(self.order):
                return self.policies.get(self.order[index])
        return self.policies.get(cedar_id)


def _annotations(text: str, origin: str) -> list[dict]:
    from vectimus.native import cedarpy as load_cedarpy

    cedarpy = load_cedarpy()

    try:
        parsed = json.loads(cedarpy.policies_to_json_str(text))
    except ValueError as exc:
        raise PolicyError(f"{origin}: {str(exc).splitlines()[0]}") from exc
    static = parsed.get("staticPolicies", {})
    if parsed.get("templates"):
        raise PolicyError(f"{origin}: policy templates are not supported")
    return [static[key].get("annotations", {}) for key in sorted(static, key=lambda k: int(k[6:]))]


def _cache_file(digest: str) -> Path:
    return user_home() / "cache" / f"policyset-{digest[:32]}.json"


def build_policy_set(packs: list[Pack]) -> PolicySet:
    """Concatenate the packs' policies behind the base policy, validate once per digest."""
    chunks: list[tuple[Pack, Path, str]] = []
    for pack in packs:
        for file in pack.policy_files():
            chunks.append((pack, file, file.read_text(encoding="utf-8")))
    schema_text = schema_path().read_text(encoding="utf-8")
    hasher = sha256(schema_text.encode())
    for pack, file, text in chunks:
        hasher.update(f"\0{pack.name}\0{file.name}\0".encode() + text.encode())
    digest = hasher.hexdigest()
    meta = _cached_meta(digest)
    if meta is None:
        meta = _validate(chunks, schema_text)
        _store_meta(digest, meta)
    policies = {m["id"]: Policy(id=m["id"], pack=m["pack"], annotations=m["annotations"], file=m["file"])
                for m in meta}
    text = BASE_POLICY + "".join(f"\n// {pack.name}/{file.name}\n{t}\n" for pack, file, t in chunks)
    return PolicySet(policies=policies, order=[BASE_POLICY_ID, *(m["id"] for m in meta)], text=text,
                     digest=digest, packs=packs)


def _cached_meta(digest: str) -> list | None:
    try:
        data = json.loads(_cache_file(digest).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, list) else None


def _store_meta(digest: str, meta: list) -> None:
    path = _cache_file(digest)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic.write(path, json.dumps(meta))
    except OSError:
        pass


def _validate(chunks: list[tuple[Pack, Path, str]], schema_text: str) -> list[dict]:
    from vectimus.native import cedarpy as load_cedarpy

    cedarpy = load_cedarpy()

    meta: list[dict] = []
    seen: dict[str, str] = {BASE_POLICY_ID: "vectimus"}
    for pack, file, text in chunks:
        origin = f"{pack.origin} pack {pack.name}: {file.name}"
        found = _annotations(text, origin)
        result = cedarpy.validate_policies(text, schema_text)
        if not result.validation_passed:
            first = str(result.errors[0]) if result.errors else "invalid"
            for index, annotations in enumerate(found):  # name the policy, not Cedar's policy<N>
                first = first.replace(f"`policy{index}`", annotations.get("id") or f"policy {index + 1}")
            raise PolicyError(f"{origin}: fails schema validation: {' '.join(first.split())}")
        for annotations in found:
            missing = [a for a in REQUIRED_ANNOTATIONS if not annotations.get(a)]
            if missing:
                raise PolicyError(f"{origin}: a policy lacks @{', @'.join(missing)}")
            pid = annotations["id"]
            if pid in seen:
                raise PolicyError(f"{origin}: duplicate policy id {pid} (also in {seen[pid]})")
            level = annotations.get("enforcement", "deny")
            if level not in ENFORCEMENTS:
                raise PolicyError(f"{origin}: {pid} has @enforcement({level!r})")
            seen[pid] = origin
            meta.append({"id": pid, "pack": pack.name, "annotations": annotations, "file": str(file)})
    return meta


def enabled_packs(project: Path, config: Config, sources: list[PackSource] | None = None) -> list[Pack]:
    """Every pack that takes part in evaluation for ``project``, from every source."""
    if sources is None:
        from vectimus.plugins import pack_sources

        sources = pack_sources()
    return [p for p in active_packs([p for source in sources for p in source.packs(project)])
            if pack_enabled(p, config)]


def pack_digest(pack: Pack) -> str:
    """What a pack's version is, exactly: ``sha256:`` and 16 hex digits over its files' names and bytes."""
    digest = sha256()
    for path in sorted(pack.path.glob("*.cedar")) + sorted(pack.path.glob("*.toml")):
        data = path.read_bytes()
        digest.update(f"{path.name}\0{len(data)}\0".encode() + data)
    return f"sha256:{digest.hexdigest()[:16]}"


def load_policy_set(project: Path, config: Config, sources: list[PackSource] | None = None) -> PolicySet:
    """The policy set for ``project``: every enabled pack from every source."""
    packs = enabled_packs(project, config, sources)
    if not packs:
        raise PolicyError("no policy packs found: the bundled packs are missing")
    return build_policy_set(packs)
