"""Fine-tuning all-MiniLM-L6-v2 on stance labels (``[stance].embeddings = "minilm-tuned"``; opt-in).

:class:`TunedEncoder` trains the top ``layers`` transformer layers of the shipped MiniLM (the
others stay as they ship), with a linear head over the pooled token vectors, on labelled
passages: MiniLM then places passages by the side they take, not only by what they are about.
Only what was trained is saved with a model version (the top layers' weights as ``.npy`` files,
about 7 MB a layer, hashed with the rest); the frozen lower layers come from the installed
weights' package.

The lower layers' output for a passage never changes, so it is computed once per process and
kept (:data:`_LOWER_CACHE`): cross-validation fine-tunes once per fold, and only the top layers
run in each training step.  Fine-tuning is slow on a CPU all the same (about two minutes per
fit on the default experiment's 1,711 passages, on 2 cores), which is why the default
experiment does not use it; docs/stance.md compares it with the frozen model.
"""

from __future__ import annotations

import copy
import logging
import math
from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np

from ._embed import POOLINGS, _check_name, _check_pooling, _Encoder, load_transformer
from .exceptions import NotFittedError

__all__ = ["TunedEncoder"]

logger = logging.getLogger("mtopics")

#: Pooled vectors (length 1) are multiplied by this before the head: softmax needs a spread of logits.
_SCALE = 10.0
#: Texts whose lower-layer output is kept per process before the cache is emptied.
_LOWER_MAX = 20_000
#: Lower-layer outputs kept per (model, layers run, token limit), by text.
_LOWER_CACHE: dict[tuple[str, int, int], dict[str, Any]] = {}
#: Texts run through the frozen layers per batch.
_LOWER_BATCH = 32


@cache
def _base(model: str) -> tuple[Any, Any]:
    """MiniLM's tokenizer and transformer as they ship (evaluation mode, no gradients), once per process."""
    path, transformer = load_transformer(model, "tuned")
    from transformers import AutoTokenizer

    for parameter in transformer.parameters():
        parameter.requires_grad_(False)
    return AutoTokenizer.from_pretrained(path), transformer


def _additive_mask(mask: Any, dtype: Any) -> Any:
    """(batch, tokens) 1/0 mask -> the (batch, 1, 1, tokens) additive mask BERT's layers take."""
    import torch

    return (1.0 - mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min


def _run(layer: Any, hidden: Any, mask: Any) -> Any:
    out = layer(hidden, attention_mask=mask)
    return out[0] if isinstance(out, tuple) else out  # transformers < 5 returns a tuple


def pool_torch(hidden: Any, mask: Any, pooling: str) -> Any:
    """:func:`mtopics._embed.pool_tokens` for a padded batch (batch, tokens, dim), in torch (differentiable)."""
    import torch

    keep = mask.unsqueeze(-1).to(hidden.dtype)
    parts = []
    for name in POOLINGS[pooling]:
        if name == "mean":
            stat = (hidden * keep).sum(1) / keep.sum(1).clamp(min=1.0)
        elif name == "max":
            stat = hidden.masked_fill(keep == 0, -torch.inf).max(1).values
        else:
            stat = hidden.masked_fill(keep == 0, torch.inf).min(1).values
        parts.append(torch.nn.functional.normalize(stat, dim=-1))
    return torch.nn.functional.normalize(torch.cat(parts, -1) / math.sqrt(len(parts)), dim=-1)


class TunedEncoder(_Encoder):
    """all-MiniLM-L6-v2 with its top ``layers`` transformer layers fine-tuned on stance labels.

    :meth:`fit` trains those layers and a linear head over the pooled token vectors with
    class-weighted cross-entropy (AdamW, weight decay 0.01, 10% linear warm-up then linear
    decay, dropout as MiniLM has it); :meth:`encode` gives the pooled vectors (length 1) and
    :attr:`head_coef_` / :attr:`head_intercept_` the head, so that ``encode(texts) @ head_coef_.T
    + head_intercept_`` are its logits.  Not thread-safe; deterministic for a ``random_state``
    on one machine.

    Parameters
    ----------
    model : str
        A tuned key of :data:`mtopics.EMBEDDING_MODELS` (``"minilm-tuned"``).
    pooling : str
        A key of :data:`mtopics.POOLINGS`.
    layers : int
        Top transformer layers trained (1 to 6; the rest stay as they ship).
    epochs : int
        Passes over the training passages.
    learning_rate, head_learning_rate : float
        AdamW's step for the transformer layers and for the head.
    batch_size : int
        Passages per training step.
    max_tokens : int
        Word pieces read per passage (the rest is cut, as sentence-transformers cuts at 256).
    random_state : int
        Seed of the head's start, the dropout and the order of the passages.
    weights : dict of str to ndarray, optional
        The trained layers of a saved model (:meth:`get_arrays`); given, the encoder is fitted.

    Attributes
    ----------
    weights_ : dict of str to ndarray
        The trained layers' parameters, by ``"<layer>.<parameter>"``.
    head_coef_ : ndarray of shape (3, dim)
    head_intercept_ : ndarray of shape (3,)
    losses_ : list of float
        Mean training loss of each epoch.

    Examples
    --------
    >>> TunedEncoder(layers=2).dim
    384
    >>> TunedEncoder(layers=9)
    Traceback (most recent call last):
    ...
    ValueError: layers must be an int in [1, 6]; got 9
    """

    _needs = ("transformers", "torch")
    #: Transformer layers of all-MiniLM-L6-v2.
    N_LAYERS = 6

    def __init__(
        self,
        model: str = "minilm-tuned",
        pooling: str = "mean",
        layers: int = 2,
        epochs: int = 4,
        learning_rate: float = 1e-4,
        head_learning_rate: float = 1e-3,
        batch_size: int = 16,
        max_tokens: int = 256,
        random_state: int = 0,
        weights: dict[str, np.ndarray] | None = None,
    ):
        self._spec = _check_name(model, "tuned")
        _check_pooling(pooling)
        if not (isinstance(layers, int) and 1 <= layers <= self.N_LAYERS):
            raise ValueError(f"layers must be an int in [1, {self.N_LAYERS}]; got {layers!r}")
        if not (isinstance(epochs, int) and epochs >= 1):
            raise ValueError(f"epochs must be an int of at least 1; got {epochs!r}")
        self.model = model
        self.pooling = pooling
        self.layers = layers
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.head_learning_rate = head_learning_rate
        self.batch_size = batch_size
        self.max_tokens = max_tokens
        self.random_state = random_state
        if weights is not None:
            self.weights_ = {name: np.asarray(array) for name, array in weights.items()}
        self._top: Any = None  # the trained layers as torch modules, built on first use
        self._vectors: dict[str, np.ndarray] = {}

    @property
    def split(self) -> int:
        """Index of the first trained layer: layers below it run as they ship."""
        return self.N_LAYERS - self.layers

    def describe(self) -> dict[str, Any]:
        """As the other encoders, plus the layers trained."""
        return {**super().describe(), "layers": self.layers, "max_tokens": self.max_tokens}

    # -- the frozen lower layers ---------------------------------------------------
    def _lower(self, texts: Sequence[str]) -> list[Any]:
        """Output of the frozen layers for each text, (tokens, 384) each; computed once per process."""
        import torch

        store = _LOWER_CACHE.setdefault((self.model, self.split, self.max_tokens), {})
        new = [t for t in dict.fromkeys(texts) if t not in store]
        if new:
            if len(store) + len(new) > _LOWER_MAX:
                store.clear()
            tokenizer, transformer = _base(self.model)
            new.sort(key=len)  # batches of similar length pad less
            with torch.no_grad():
                for start in range(0, len(new), _LOWER_BATCH):
                    batch = new[start : start + _LOWER_BATCH]
                    encoded = tokenizer(
                        batch, padding=True, truncation=True, max_length=self.max_tokens, return_tensors="pt"
                    )
                    hidden = transformer.embeddings(
                        input_ids=encoded["input_ids"], token_type_ids=encoded.get("token_type_ids")
                    )
                    mask = _additive_mask(encoded["attention_mask"], hidden.dtype)
                    for layer in transformer.encoder.layer[: self.split]:
                        hidden = _run(layer, hidden, mask)
                    for text, states, n in zip(batch, hidden, encoded["attention_mask"].sum(1), strict=True):
                        store[text] = states[: int(n)].clone()
                    if len(new) > 200 and (start // _LOWER_BATCH) % 10 == 9:
                        done = min(start + _LOWER_BATCH, len(new))
                        logger.info("fine-tuning MiniLM: %d of %d passages through the frozen layers", done, len(new))
        return [store[t] for t in texts]

    def _padded(self, states: list[Any]) -> tuple[Any, Any]:
        import torch

        longest = max(int(s.shape[0]) for s in states)
        hidden = torch.zeros(len(states), longest, states[0].shape[1])
        mask = torch.zeros(len(states), longest)
        for i, s in enumerate(states):
            hidden[i, : s.shape[0]] = s
            mask[i, : s.shape[0]] = 1.0
        return hidden, mask

    def _forward(self, states: list[Any]) -> Any:
        """Pooled vectors (length 1) of a batch of lower-layer outputs, through the trained layers."""
        hidden, mask = self._padded(states)
        additive = _additive_mask(mask, hidden.dtype)
        for layer in self._top:
            hidden = _run(layer, hidden, additive)
        return pool_torch(hidden, mask, self.pooling)

    def _layers(self) -> Any:
        """The trained layers as torch modules: copies of MiniLM's, with the saved weights loaded."""
        if self._top is None:
            import torch

            self._check()
            _, transformer = _base(self.model)
            top = copy.deepcopy(transformer.encoder.layer[self.split :])
            expected = self._named(top)
            missing = sorted(set(expected) - set(self.weights_))
            extra = sorted(set(self.weights_) - set(expected))
            if missing or extra:
                raise ValueError(f"fine-tuned MiniLM weights: missing {missing[:3]}, unexpected {extra[:3]}")
            for name, value in expected.items():
                array = self.weights_[name]
                if tuple(array.shape) != tuple(value.shape):
                    raise ValueError(
                        f"fine-tuned MiniLM weight {name} has shape {array.shape}; expected {tuple(value.shape)}"
                    )
                with torch.no_grad():
                    value.copy_(torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32)))
            self._top = top.eval()
        return self._top

    def _named(self, top: Any) -> dict[str, Any]:
        """The parameters of the trained layers ``top``, by ``"<layer>.<parameter>"`` (their tensors)."""
        return {
            f"{self.split + i}.{key}": value for i, layer in enumerate(top) for key, value in layer.state_dict().items()
        }

    def _check(self) -> None:
        if not hasattr(self, "weights_"):
            raise NotFittedError("TunedEncoder is not fitted; call fit() first")

    # -- training --------------------------------------------------------------------
    def fit(
        self, texts: Sequence[str], labels: Sequence[int], sample_weight: Sequence[float] | None = None
    ) -> TunedEncoder:
        """Fine-tune the top layers and a head on ``texts`` and their class indices (0, 1, 2).

        Raises
        ------
        EmbeddingDependencyError
            PyTorch, transformers or the weights' package is not installed.
        """
        import torch

        y = np.asarray(labels, dtype=np.int64)
        if len(y) != len(texts) or len(y) == 0:
            raise ValueError(f"{len(texts)} texts but {len(y)} labels")
        weights = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        self.check_installed()
        states = self._lower(list(texts))
        _, transformer = _base(self.model)
        torch.manual_seed(self.random_state)
        rng = np.random.default_rng(self.random_state)
        top = copy.deepcopy(transformer.encoder.layer[self.split :])
        for parameter in top.parameters():
            parameter.requires_grad_(True)
        head = torch.nn.Linear(self.dim, 3)
        optimiser = torch.optim.AdamW(
            [
                {"params": list(top.parameters()), "lr": self.learning_rate},
                {"params": list(head.parameters()), "lr": self.head_learning_rate},
            ],
            weight_decay=0.01,
        )
        steps = max(1, self.epochs * math.ceil(len(y) / self.batch_size))
        warmup = max(1.0, 0.1 * steps)
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimiser, lambda step: min(1.0, (step + 1) / warmup) * max(0.0, (steps - step) / steps)
        )
        target = torch.from_numpy(y)
        w = torch.from_numpy(weights.astype(np.float32))
        self._top = top.train()
        self.losses_: list[float] = []
        for epoch in range(self.epochs):
            total = 0.0
            order = rng.permutation(len(y))
            for first in range(0, len(y), self.batch_size):
                batch = order[first : first + self.batch_size]
                logits = head(self._forward([states[i] for i in batch]) * _SCALE)
                loss_each = torch.nn.functional.cross_entropy(logits, target[batch], reduction="none")
                loss = (loss_each * w[batch]).sum() / w[batch].sum()
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                schedule.step()
                total += loss.item() * len(batch)
            self.losses_.append(total / len(y))
            logger.info("fine-tuning MiniLM: epoch %d of %d, loss %.3f", epoch + 1, self.epochs, self.losses_[-1])
        self._top = top.eval()
        for parameter in top.parameters():
            parameter.requires_grad_(False)
        self.weights_ = {name: value.detach().numpy().copy() for name, value in self._named(top).items()}
        self.head_coef_ = head.weight.detach().numpy().astype(np.float64) * _SCALE
        self.head_intercept_ = head.bias.detach().numpy().astype(np.float64)
        self._vectors = {}
        return self

    # -- use ---------------------------------------------------------------------------
    def encode(self, texts: list[str] | tuple[str, ...]) -> np.ndarray:
        """Pooled vectors of ``texts`` through the fine-tuned layers, shape ``(len(texts), dim)``, length 1."""
        import torch

        if not texts:
            return np.zeros((0, self.dim))
        self._layers()
        new = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if new:
            if len(self._vectors) + len(new) > _LOWER_MAX:
                self._vectors.clear()
            states = self._lower(new)
            with torch.no_grad():
                for start in range(0, len(new), _LOWER_BATCH):
                    pooled = self._forward(states[start : start + _LOWER_BATCH]).numpy()
                    self._vectors.update(zip(new[start : start + _LOWER_BATCH], pooled, strict=True))
        return np.vstack([self._vectors[t] for t in texts]).astype(np.float64)

    def get_arrays(self) -> dict[str, np.ndarray]:
        """The trained layers' parameters (float32), by ``"<layer>.<parameter>"``."""
        self._check()
        return dict(self.weights_)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_top"] = None  # rebuilt from weights_ by a copy in another process
        return state
