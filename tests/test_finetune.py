"""Tests of mtopics._finetune: MiniLM with its top layers fine-tuned on stance labels."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from mtopics import NotFittedError, SentenceEncoder, TunedEncoder
from mtopics._embed import make_encoder, pool_tokens
from mtopics._finetune import pool_torch

TEXTS = [
    "Brave survivors deserve our support and belief.",
    "The allegations are lies, a plot for fame and blackmail.",
    "The court adjourned the hearing until next month.",
    "We stand with the women who speak out.",
    "False accusations ruin the careers of innocent men.",
    "The film was released in cinemas on Friday.",
] * 3
CODES = [0, 1, 2] * 6


@pytest.fixture(scope="module")
def tuned() -> TunedEncoder:
    return TunedEncoder(layers=1, epochs=3, random_state=0).fit(TEXTS, CODES)


def _untouched(layers: int, pooling: str = "mean") -> TunedEncoder:
    """A 'fitted' encoder whose trained layers are MiniLM's own: it must give MiniLM's vectors."""
    from mtopics._finetune import _base

    _, transformer = _base("minilm-tuned")
    enc = TunedEncoder(layers=layers, pooling=pooling)
    split = enc.split
    enc.weights_ = {
        f"{split + i}.{key}": value.numpy().copy()
        for i, layer in enumerate(transformer.encoder.layer[split:])
        for key, value in layer.state_dict().items()
    }
    return enc


@pytest.mark.parametrize("pooling", ["mean", "mean-max"])
def test_frozen_and_top_layers_together_are_minilm(pooling: str) -> None:
    # the lower layers' cached output, padded again and run through the top layers with our own
    # attention mask, must give what MiniLM gives in one pass (sentence-transformers' vectors)
    texts = ["A short one.", "A much longer passage about the court, the hearing and the survivors who spoke."]
    ours = _untouched(2, pooling).encode(texts)
    np.testing.assert_allclose(ours, SentenceEncoder("minilm", pooling=pooling).encode(texts), atol=1e-5)


@pytest.mark.parametrize("pooling", ["mean", "mean-max", "mean-max-min"])
def test_torch_pooling_is_pool_tokens_on_a_padded_batch(pooling: str) -> None:
    import torch

    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(5, 4)), rng.normal(size=(2, 4))
    hidden = torch.zeros(2, 5, 4, dtype=torch.float64)
    hidden[0], hidden[1, :2] = torch.from_numpy(a), torch.from_numpy(b)
    hidden[1, 2:] = 100.0  # padding must not count, even when it would win the maximum
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 0, 0, 0]])
    pooled = pool_torch(hidden, mask, pooling).numpy()
    np.testing.assert_allclose(pooled, np.vstack([pool_tokens(a, pooling), pool_tokens(b, pooling)]), atol=1e-12)


def test_fitting_learns_the_labels_and_trains_only_the_top_layers(tuned: TunedEncoder) -> None:
    assert len(tuned.losses_) == 3 and tuned.losses_[-1] < tuned.losses_[0]
    assert {name.split(".")[0] for name in tuned.weights_} == {"5"}  # layer 5 of 0-5 only
    assert tuned.head_coef_.shape == (3, 384) and tuned.head_intercept_.shape == (3,)
    logits = tuned.encode(TEXTS[:3]) @ tuned.head_coef_.T + tuned.head_intercept_
    assert list(np.argmax(logits, axis=1)) == [0, 1, 2]
    # the fine-tuned layer differs from MiniLM's own
    own = _untouched(1).weights_
    assert not np.allclose(tuned.weights_["5.output.dense.weight"], own["5.output.dense.weight"])
    np.testing.assert_allclose(np.linalg.norm(tuned.encode(TEXTS[:2]), axis=1), 1.0, atol=1e-5)


def test_fitting_is_deterministic_for_a_seed(tuned: TunedEncoder) -> None:
    again = TunedEncoder(layers=1, epochs=3, random_state=0).fit(TEXTS, CODES)
    np.testing.assert_array_equal(again.head_coef_, tuned.head_coef_)
    other = TunedEncoder(layers=1, epochs=3, random_state=1).fit(TEXTS, CODES)
    assert not np.array_equal(other.head_coef_, tuned.head_coef_)


def test_saved_weights_give_the_same_vectors(tuned: TunedEncoder) -> None:
    loaded = TunedEncoder(layers=1, weights=tuned.get_arrays())
    texts = ["Survivors need support.", "It is all lies."]
    np.testing.assert_array_equal(loaded.encode(texts), tuned.encode(texts))
    # a copy sent to another process rebuilds its layers from the weights
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(loaded)).encode(texts), loaded.encode(texts))


def test_bad_weights_are_named(tuned: TunedEncoder) -> None:
    arrays = tuned.get_arrays()
    missing = {k: v for k, v in arrays.items() if k != "5.output.dense.bias"}
    with pytest.raises(ValueError, match=r"missing \['5.output.dense.bias'\]"):
        TunedEncoder(layers=1, weights=missing).encode(["x"])
    wrong = {**arrays, "5.output.dense.bias": np.zeros(3, dtype=np.float32)}
    with pytest.raises(ValueError, match=r"5.output.dense.bias has shape \(3,\); expected \(384,\)"):
        TunedEncoder(layers=1, weights=wrong).encode(["x"])
    with pytest.raises(ValueError, match="unexpected"):  # a layer-1 model's weights read as two layers
        TunedEncoder(layers=2, weights=arrays).encode(["x"])


def test_parameters_are_checked_and_unfitted_use_refused() -> None:
    with pytest.raises(ValueError, match=r"layers must be an int in \[1, 6\]; got 0"):
        TunedEncoder(layers=0)
    with pytest.raises(ValueError, match="epochs must be an int of at least 1; got 0"):
        TunedEncoder(epochs=0)
    with pytest.raises(ValueError, match="must be one of minilm-tuned; got 'minilm'"):
        TunedEncoder("minilm")
    with pytest.raises(ValueError, match="pooling must be one of"):
        TunedEncoder(pooling="median")
    with pytest.raises(NotFittedError, match="call fit"):
        TunedEncoder().encode(["x"])
    with pytest.raises(ValueError, match="2 texts but 1 labels"):
        TunedEncoder().fit(["a", "b"], [0])
    with pytest.raises(ValueError, match="fine-tuned by each stance classifier"):
        make_encoder("minilm-tuned")
    assert TunedEncoder(layers=3, pooling="mean-max").describe()["layers"] == 3
    assert TunedEncoder(pooling="mean-max").dim == 768
