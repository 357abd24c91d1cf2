"""The versioned model store: ``<models-dir>/<experiment>/v<N>/``.

A version is written into a temporary folder beside its final place and
renamed into place when complete, so a crash leaves no half version and two
runs started together get two distinct, complete versions.  Nothing in a
version is a pickle: parameters are JSON and ``.npy`` arrays saved with
``allow_pickle=False``.  ``manifest.json`` records the sha256 of every file and
``manifest.sha256`` the hash of the manifest itself; loading checks them all
before reading anything else.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .exceptions import ModelFormatError, ModelIntegrityError, ModelNotFoundError

__all__ = [
    "FORMAT_VERSION",
    "SUPPORTED_FORMATS",
    "VersionInfo",
    "VersionWriter",
    "list_versions",
    "read_array",
    "read_json",
    "resolve_version",
    "verify_version",
]

#: Format written by this mtopics.  Bump on any incompatible change and keep the old reader.
FORMAT_VERSION = 4
#: Formats this mtopics can read.
SUPPORTED_FORMATS = (1, 2, 3, 4)

MANIFEST = "manifest.json"
MANIFEST_SUM = "manifest.sha256"
_VERSION_DIR = re.compile(r"^v(\d+)$")


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _dump_json(obj: Any) -> bytes:
    return (json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() or p.is_symlink())


class VersionWriter:
    """Write one new model version atomically.

    Use as a context manager: files are written into a hidden temporary
    folder; :meth:`commit` writes the manifest and renames the folder to the
    next free ``v<N>``.  Leaving the block without committing (or on an error)
    removes the temporary folder.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> with VersionWriter(root, "demo") as w:
    ...     w.write_json("params.json", {"k": 3})
    ...     w.write_array("arrays/x.npy", np.arange(3.0))
    ...     path = w.commit({"metrics": {}})
    >>> path.name, sorted(verify_version(path)["files"])
    ('v1', ['arrays/x.npy', 'params.json'])
    """

    def __init__(self, models_dir: str | Path, name: str):
        self.models_dir = Path(models_dir)
        self.name = name
        self.parent = self.models_dir / name
        self.tmp: Path | None = None
        self.path: Path | None = None

    def __enter__(self) -> VersionWriter:
        self.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = self.parent / f".tmp-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self.tmp.mkdir()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.tmp is not None and self.tmp.exists():
            shutil.rmtree(self.tmp, ignore_errors=True)

    def _target(self, relpath: str) -> Path:
        if self.tmp is None:
            raise RuntimeError("VersionWriter must be used as a context manager")
        rel = Path(relpath)
        if rel.is_absolute() or ".." in rel.parts or rel.as_posix() in (MANIFEST, MANIFEST_SUM):
            raise ValueError(f"invalid artifact path {relpath!r}")
        target = self.tmp / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write_json(self, relpath: str, obj: Any) -> None:
        """Write a JSON artifact (no NaN or infinity allowed)."""
        self._target(relpath).write_bytes(_dump_json(obj))

    def write_array(self, relpath: str, array: np.ndarray) -> None:
        """Write a numeric ``.npy`` artifact (object arrays are refused: they would need pickle)."""
        arr = np.asarray(array)
        if arr.dtype.hasobject:
            raise ValueError(f"{relpath}: object arrays cannot be saved without pickle")
        with self._target(relpath).open("wb") as handle:
            np.save(handle, arr, allow_pickle=False)

    def write_text(self, relpath: str, text: str) -> None:
        """Write a UTF-8 text artifact."""
        self._target(relpath).write_text(text, encoding="utf-8")

    def commit(self, manifest: dict[str, Any]) -> Path:
        """Hash every file, write the manifest and rename the version into place.

        Returns the final path ``<models-dir>/<name>/v<N>``.
        """
        assert self.tmp is not None
        manifest = dict(manifest)
        manifest["format_version"] = FORMAT_VERSION
        manifest.setdefault("created", _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"))
        manifest["experiment"] = self.name
        manifest["files"] = {rel: sha256_file(self.tmp / rel) for rel in _files(self.tmp)}
        for _ in range(1000):
            number = _next_number(self.parent)
            manifest["version"] = f"v{number}"
            data = _dump_json(manifest)
            (self.tmp / MANIFEST).write_bytes(data)
            (self.tmp / MANIFEST_SUM).write_text(hashlib.sha256(data).hexdigest() + "  manifest.json\n")
            target = self.parent / f"v{number}"
            if target.exists():
                continue
            try:
                os.rename(self.tmp, target)
            except OSError:
                # another run took this number between our check and the rename
                continue
            self.tmp = None
            self.path = target
            return target
        raise RuntimeError(f"could not find a free version number in {self.parent} after 1000 tries")


def _next_number(parent: Path) -> int:
    numbers = [int(m.group(1)) for p in parent.iterdir() if (m := _VERSION_DIR.match(p.name))]
    return max(numbers, default=0) + 1


def resolve_version(path: str | Path) -> Path:
    """The version folder that ``path`` names.

    ``<models-dir>/<experiment>/latest`` (or the experiment folder itself)
    names the newest version; anything else must be a version folder.
    """
    path = Path(path)
    if path.name == "latest" and not path.exists():
        parent = path.parent
        versions = _sorted_versions(parent) if parent.is_dir() else []
        if not versions:
            raise ModelNotFoundError(f"{path}: no model version in {parent}")
        return versions[-1]
    if not path.exists():
        raise ModelNotFoundError(f"{path}: no such model version")
    if path.is_dir() and not (path / MANIFEST).exists() and not _VERSION_DIR.match(path.name):
        versions = _sorted_versions(path)
        if versions:
            return versions[-1]
        raise ModelNotFoundError(f"{path}: not a model version (no {MANIFEST}) and holds no v<N> folder")
    if not path.is_dir():
        raise ModelNotFoundError(f"{path}: a model version is a folder")
    return path


def _sorted_versions(parent: Path) -> list[Path]:
    found = [(int(m.group(1)), p) for p in parent.iterdir() if (m := _VERSION_DIR.match(p.name)) and p.is_dir()]
    return [p for _, p in sorted(found)]


def verify_version(path: str | Path) -> dict[str, Any]:
    """Check every hash of a version and return its manifest.

    Raises
    ------
    ModelIntegrityError
        If the manifest or any file was changed, or a file is missing or extra.
    ModelFormatError
        If the format version is not one this mtopics reads.
    """
    path = Path(path)
    manifest_path = path / MANIFEST
    sum_path = path / MANIFEST_SUM
    if not manifest_path.is_file():
        raise ModelIntegrityError(f"{path}: {MANIFEST} is missing")
    if not sum_path.is_file():
        raise ModelIntegrityError(f"{path}: {MANIFEST_SUM} is missing")
    raw = manifest_path.read_bytes()
    expected = sum_path.read_text(encoding="utf-8", errors="replace").split()
    if not expected or hashlib.sha256(raw).hexdigest() != expected[0]:
        raise ModelIntegrityError(f"{manifest_path}: changed since the version was written (sha256 mismatch)")
    try:
        manifest = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ModelIntegrityError(f"{manifest_path}: not valid JSON ({exc.msg})") from None
    fmt = manifest.get("format_version")
    if fmt not in SUPPORTED_FORMATS:
        raise ModelFormatError(
            f"{path}: model format {fmt!r} is not supported by this mtopics (reads {list(SUPPORTED_FORMATS)}); "
            "upgrade mtopics or retrain"
        )
    listed: dict[str, str] = manifest.get("files", {})
    present = set(_files(path)) - {MANIFEST, MANIFEST_SUM}
    missing = sorted(set(listed) - present)
    extra = sorted(present - set(listed))
    if missing:
        raise ModelIntegrityError(f"{path}: file {missing[0]} is missing ({len(missing)} missing in all)")
    if extra:
        raise ModelIntegrityError(f"{path}: file {extra[0]} is not part of the version ({len(extra)} extra in all)")
    for rel in sorted(listed):
        if sha256_file(path / rel) != listed[rel]:
            raise ModelIntegrityError(f"{path / rel}: changed since the version was written (sha256 mismatch)")
    return dict(manifest)


def read_json(path: Path) -> Any:
    """Read a JSON artifact."""
    return json.loads(path.read_text(encoding="utf-8"))


def read_array(path: Path) -> np.ndarray:
    """Read a ``.npy`` artifact, refusing pickled content."""
    try:
        return np.load(path, allow_pickle=False)
    except ValueError as exc:
        raise ModelIntegrityError(f"{path}: not a plain numeric array ({exc})") from None


@dataclass(frozen=True)
class VersionInfo:
    """A saved version: experiment name, ``v<N>``, path and manifest."""

    experiment: str
    version: str
    path: Path
    manifest: dict[str, Any]

    @property
    def number(self) -> int:
        return int(self.version[1:])


def list_versions(models_dir: str | Path, experiment: str | None = None) -> Iterator[VersionInfo]:
    """Versions under ``models_dir`` (one experiment or all), oldest first.

    Only the manifests are read; a version whose manifest cannot be read is
    listed with an empty manifest.
    """
    root = Path(models_dir)
    if not root.is_dir():
        return
    parents = [root / experiment] if experiment else sorted(p for p in root.iterdir() if p.is_dir())
    for parent in parents:
        if not parent.is_dir():
            continue
        for path in _sorted_versions(parent):
            try:
                manifest = read_json(path / MANIFEST)
            except (OSError, ValueError):
                manifest = {}
            yield VersionInfo(parent.name, path.name, path, manifest)
