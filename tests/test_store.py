"""The model store: names, sha256 verification, copy/delete with garbage collection, `labs create` through the API."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from labs import DEFAULT_MODEL
from labs.gguf_info import describe
from labs.server.store import ModelName, ModelStore, StoreError, catalogue_file


@pytest.fixture(scope="module")
def gguf():
    return catalogue_file(DEFAULT_MODEL)


def test_names_normalise_like_ollama():
    assert ModelName.parse("smollm2").short == "smollm2:latest"
    assert ModelName.parse("registry.ollama.ai/library/smollm2:135m").short == "smollm2:135m"
    assert ModelName.parse("myhost.io/me/m:v2").path == "myhost.io/me/m/v2"
    for bad in ("", "a b", "x/y/z/w", ":tag"):
        with pytest.raises(StoreError):
            ModelName.parse(bad)


def test_catalogue_digest_comes_from_the_package_record(gguf):
    path, sha = gguf
    assert path.suffix == ".gguf" and len(sha) == 64
    assert catalogue_file("not-in-the-catalogue:1b") is None


def test_a_wrong_digest_is_refused_and_leaves_nothing(tmp_path, gguf):
    store = ModelStore(tmp_path)
    with pytest.raises(StoreError, match="digest mismatch"):
        list(store.install("bad:1", gguf[0], describe=describe, expected_sha256="0" * 64))
    assert not store.has("bad:1")
    assert list(store.blobs.glob("*")) == []


def test_install_copy_delete_and_garbage_collection(tmp_path, gguf):
    store = ModelStore(tmp_path)
    events = list(store.install("a:1", gguf[0], describe=describe, expected_sha256=gguf[1]))
    assert events[-1] == {"status": "success"}
    progress = [e for e in events if "completed" in e]
    assert progress[-1]["completed"] == progress[-1]["total"] == gguf[0].stat().st_size
    store.copy("a:1", "b:2")
    assert {m.name for m in store.list()} == {"a:1", "b:2"}
    store.delete("a:1")
    assert store.get("b:2").gguf.is_file()  # shared blob kept while a manifest uses it
    store.delete("b:2")
    assert list(store.blobs.glob("*")) == []
    with pytest.raises(StoreError) as info:
        store.delete("b:2")
    assert info.value.status == 404


def test_labs_create_uploads_the_gguf_and_creates_through_the_api(start_server, gguf):
    server = start_server(seeded=False)
    env = {**os.environ, "OLLAMA_HOST": server.url}
    result = subprocess.run([sys.executable, "-m", "labs.cli", "create", "my-tiny:v1", str(gguf[0]), "--system", "Be brief."],
                            capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "success"
    model = ModelStore(server.models_dir).get("my-tiny:v1")
    assert model.config["details"]["quantization_level"] == "Q4_1"
    assert model.config["model_info"]["general.architecture"] == "llama"
    assert model.config["system"] == "Be brief."
    manifest = json.loads((server.models_dir / "manifests" / ModelName.parse("my-tiny:v1").path).read_text())
    assert manifest["layers"][0]["digest"] == f"sha256:{gguf[1]}"
    again = subprocess.run([sys.executable, "-m", "labs.cli", "create", "my-tiny:v2", str(gguf[0])],
                           capture_output=True, text=True, timeout=300, env=env)  # the blob is there: no upload
    assert again.returncode == 0, again.stderr
