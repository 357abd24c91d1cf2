"""Tests of mtopics._store: atomic versions, hashes, no pickle."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import numpy as np
import pytest

from mtopics import ModelFormatError, ModelIntegrityError, ModelNotFoundError, list_versions, verify_version
from mtopics._store import FORMAT_VERSION, MANIFEST, VersionWriter, read_array, resolve_version


def make_version(root: Path, name: str = "demo", value: float = 1.0) -> Path:
    with VersionWriter(root, name) as w:
        w.write_json("params.json", {"value": value})
        w.write_array("arrays/x.npy", np.arange(4.0) * value)
        return w.commit({"metrics": {"topics": {"c_v": value}}})


def test_versions_are_numbered_and_never_overwritten(tmp_path: Path) -> None:
    first = make_version(tmp_path)
    second = make_version(tmp_path, value=2.0)
    assert (first.name, second.name) == ("v1", "v2")
    assert json.loads((first / "params.json").read_text())["value"] == 1.0
    assert [v.version for v in list_versions(tmp_path, "demo")] == ["v1", "v2"]
    assert resolve_version(tmp_path / "demo" / "latest") == second
    assert resolve_version(tmp_path / "demo") == second
    assert not [p for p in (tmp_path / "demo").iterdir() if p.name.startswith(".tmp")]


def test_manifest_lists_every_file_with_its_hash(tmp_path: Path) -> None:
    path = make_version(tmp_path)
    manifest = verify_version(path)
    assert set(manifest["files"]) == {"params.json", "arrays/x.npy"}
    assert manifest["format_version"] == FORMAT_VERSION == 4
    assert manifest["version"] == "v1"
    assert manifest["experiment"] == "demo"
    assert manifest["created"].endswith("+00:00")


@pytest.mark.parametrize("target", ["params.json", "arrays/x.npy", MANIFEST, "manifest.sha256"])
def test_one_changed_byte_is_refused(tmp_path: Path, target: str) -> None:
    path = make_version(tmp_path)
    file = path / target
    data = bytearray(file.read_bytes())
    data[len(data) // 2] ^= 0x01
    file.write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match=r"changed since the version was written|not valid JSON"):
        verify_version(path)


def test_missing_and_extra_files_are_refused(tmp_path: Path) -> None:
    path = make_version(tmp_path)
    (path / "arrays" / "x.npy").unlink()
    with pytest.raises(ModelIntegrityError, match=r"file arrays/x.npy is missing"):
        verify_version(path)
    path = make_version(tmp_path)
    (path / "extra.txt").write_text("hi")
    with pytest.raises(ModelIntegrityError, match=r"file extra.txt is not part of the version"):
        verify_version(path)


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    import hashlib

    path = make_version(tmp_path)
    manifest = json.loads((path / MANIFEST).read_text())
    manifest["format_version"] = 99
    data = json.dumps(manifest).encode()
    (path / MANIFEST).write_bytes(data)
    (path / "manifest.sha256").write_text(hashlib.sha256(data).hexdigest() + "  manifest.json\n")
    with pytest.raises(ModelFormatError, match="model format 99 is not supported"):
        verify_version(path)


def test_a_failed_write_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), VersionWriter(tmp_path, "demo") as w:
        w.write_json("a.json", {})
        raise RuntimeError("crash in the middle")
    assert list((tmp_path / "demo").iterdir()) == []
    assert list(list_versions(tmp_path)) == []


def test_object_arrays_and_bad_paths_are_refused(tmp_path: Path) -> None:
    with VersionWriter(tmp_path, "demo") as w:
        with pytest.raises(ValueError, match="without pickle"):
            w.write_array("x.npy", np.array([{"a": 1}], dtype=object))
        for bad in ("../x.json", "/abs.json", MANIFEST):
            with pytest.raises(ValueError, match="invalid artifact path"):
                w.write_json(bad, {})


def test_pickled_npy_is_not_loaded(tmp_path: Path) -> None:
    path = tmp_path / "p.npy"
    np.save(path, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ModelIntegrityError, match="not a plain numeric array"):
        read_array(path)


def test_missing_versions(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError):
        resolve_version(tmp_path / "nothing" / "latest")
    with pytest.raises(ModelNotFoundError):
        resolve_version(tmp_path / "absent")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelNotFoundError, match="not a model version"):
        resolve_version(tmp_path / "empty")


def _write_in_process(root: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    queue.put(str(make_version(Path(root))))


def test_concurrent_writers_get_distinct_complete_versions(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_write_in_process, args=(str(tmp_path), queue)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    paths = sorted(queue.get(timeout=5) for _ in procs)
    assert len(set(paths)) == 4
    assert sorted(Path(p).name for p in paths) == ["v1", "v2", "v3", "v4"]
    for p in paths:
        verify_version(p)


def test_a_version_without_its_manifest_is_an_integrity_error(tmp_path: Path) -> None:
    path = make_version(tmp_path)
    (path / MANIFEST).unlink()
    assert resolve_version(path) == path
    with pytest.raises(ModelIntegrityError, match=r"manifest\.json is missing"):
        verify_version(path)
