"""Tests of mtopics._tfidf: agreement with scikit-learn and gensim, options, persistence."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from gensim.corpora import Dictionary
from gensim.models import TfidfModel
from sklearn.feature_extraction.text import TfidfVectorizer

from mtopics import NotFittedError, TfidfWeighting
from mtopics._tfidf import char_ngrams, ngrams

DOCS = [
    ["survivor", "spoke", "survivor", "out"],
    ["survivor", "denied"],
    ["court", "adjourned", "court", "court"],
    ["court", "survivor"],
]
NEW = [["survivor", "court", "unknown", "court"], ["unknown"], [], ["spoke", "spoke", "denied"]]


def _identity(doc: list[str]) -> list[str]:
    return doc


# --- ngrams ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ngram_range", "expected"),
    [
        ((1, 1), ["not", "a", "lie"]),
        ((1, 2), ["not", "a", "lie", "not a", "a lie"]),
        ((2, 2), ["not a", "a lie"]),
        ((2, 3), ["not a", "a lie", "not a lie"]),
        ((1, 4), ["not", "a", "lie", "not a", "a lie", "not a lie"]),
    ],
)
def test_ngrams(ngram_range: tuple[int, int], expected: list[str]) -> None:
    assert ngrams(["not", "a", "lie"], ngram_range) == expected


def test_ngrams_of_short_input() -> None:
    assert ngrams([], (1, 3)) == []
    assert ngrams(["one"], (1, 2)) == ["one"]


# --- scikit-learn engine ----------------------------------------------------------------


@pytest.mark.parametrize("sublinear_tf", [True, False])
@pytest.mark.parametrize("min_df", [1, 2])
def test_sklearn_engine_equals_tfidf_vectorizer(sublinear_tf: bool, min_df: int) -> None:
    ours = TfidfWeighting(engine="sklearn", sublinear_tf=sublinear_tf, min_df=min_df).fit(DOCS)
    ref = TfidfVectorizer(analyzer=_identity, sublinear_tf=sublinear_tf, min_df=min_df).fit(DOCS)
    ref_terms = [str(t) for t in ref.get_feature_names_out()]
    assert ours.get_feature_names() == ref_terms
    assert ours.vocabulary_ == {t: i for i, t in enumerate(ref_terms)}
    np.testing.assert_allclose(ours.idf_, ref.idf_)
    for docs in (DOCS, NEW):
        assert np.allclose(ours.transform(docs).toarray(), ref.transform(docs).toarray())


def test_sklearn_engine_with_bigrams_equals_tfidf_vectorizer() -> None:
    ours = TfidfWeighting(ngram_range=(1, 2)).fit(DOCS)
    ref = TfidfVectorizer(analyzer=lambda d: ngrams(d, (1, 2)), sublinear_tf=True).fit(DOCS)
    assert ours.get_feature_names() == [str(t) for t in ref.get_feature_names_out()]
    assert "court adjourned" in ours.vocabulary_
    assert np.allclose(ours.transform(NEW).toarray(), ref.transform(NEW).toarray())


@pytest.mark.parametrize(
    ("params", "analyzer"),
    [
        ({"ngram_range": (1, 2)}, lambda d: ngrams(d, (1, 2))),
        ({"ngram_range": (2, 4), "analyzer": "char_wb"}, lambda d: char_ngrams(d, (2, 4))),
        ({"ngram_range": (1, 1), "min_df": 2, "max_df": 0.8}, _identity),
    ],
)
def test_repeated_fits_on_subsets_equal_tfidf_vectorizer(params: dict, analyzer: object) -> None:
    # cross-validation fits again and again on subsets of the same documents: each fit must be
    # a fresh TfidfVectorizer's, whatever the documents fitted before in this process
    docs = [*DOCS, ["court", "spoke", "out"], ["survivor", "court", "adjourned"]]
    rng = np.random.default_rng(0)
    for subset in ([0, 1, 2, 3, 4, 5], [5, 3, 1], [2, 4, 0, 5], [0, 1, 2, 3, 4, 5]):
        part = [docs[i] for i in subset]
        ours = TfidfWeighting(**params)
        X = ours.fit_transform(part)
        ref = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, min_df=params.get("min_df", 1))
        ref.set_params(max_df=params.get("max_df", 1.0))
        Y = ref.fit_transform(part)
        assert ours.get_feature_names() == [str(t) for t in ref.get_feature_names_out()]
        np.testing.assert_allclose(ours.idf_, ref.idf_)
        np.testing.assert_allclose(X.toarray(), Y.toarray(), atol=1e-12)
        new = [docs[i] for i in rng.permutation(len(docs))] + NEW
        np.testing.assert_allclose(ours.transform(new).toarray(), ref.transform(new).toarray(), atol=1e-12)
    with pytest.raises(ValueError, match="no terms remain"):
        TfidfWeighting(min_df=4).fit_transform(DOCS)  # no term is in all 4 documents


def test_sklearn_idf_is_smoothed() -> None:
    tfidf = TfidfWeighting().fit(DOCS)
    # survivor is in 3 of 4 documents, court in 2, spoke in 1
    assert tfidf.idf_[tfidf.vocabulary_["survivor"]] == pytest.approx(math.log(5 / 4) + 1)
    assert tfidf.idf_[tfidf.vocabulary_["court"]] == pytest.approx(math.log(5 / 3) + 1)
    assert tfidf.idf_[tfidf.vocabulary_["spoke"]] == pytest.approx(math.log(5 / 2) + 1)


def test_min_df_and_max_df_filter_terms() -> None:
    assert TfidfWeighting(min_df=2).fit(DOCS).get_feature_names() == ["court", "survivor"]
    assert TfidfWeighting(min_df=3).fit(DOCS).get_feature_names() == ["survivor"]
    assert "survivor" not in TfidfWeighting(max_df=0.5).fit(DOCS).vocabulary_
    # court and survivor occur 4 times each, every other term once
    assert TfidfWeighting(max_features=2).fit(DOCS).get_feature_names() == ["court", "survivor"]


def test_unknown_terms_are_ignored() -> None:
    tfidf = TfidfWeighting().fit(DOCS)
    with_unknown = tfidf.transform([["survivor", "court", "unknown", "words"]]).toarray()
    without = tfidf.transform([["survivor", "court"]]).toarray()
    assert np.array_equal(with_unknown, without)
    only_unknown = tfidf.transform([["unknown"], []])
    assert only_unknown.shape == (2, 6)
    assert only_unknown.nnz == 0


@pytest.mark.parametrize("engine", ["sklearn", "gensim"])
def test_rows_are_l2_normalised(engine: str) -> None:
    X = TfidfWeighting(engine=engine).fit(DOCS).transform(DOCS + NEW).toarray()
    norms = np.linalg.norm(X, axis=1)
    # rows with known terms have norm 1; the unknown-only and the empty rows stay zero
    assert np.allclose(norms, [1, 1, 1, 1, 1, 0, 0, 1])


def test_norm_none_gives_raw_weights() -> None:
    tfidf = TfidfWeighting(norm="none").fit(DOCS)
    X = tfidf.transform([["survivor", "survivor", "spoke"]]).toarray()[0]
    assert X[tfidf.vocabulary_["survivor"]] == pytest.approx((1 + math.log(2)) * (math.log(5 / 4) + 1))
    assert X[tfidf.vocabulary_["spoke"]] == pytest.approx(math.log(5 / 2) + 1)
    raw = TfidfWeighting(norm="none", sublinear_tf=False).fit(DOCS)
    Y = raw.transform([["survivor", "survivor"]]).toarray()[0]
    assert Y[raw.vocabulary_["survivor"]] == pytest.approx(2 * (math.log(5 / 4) + 1))


def test_fit_transform_equals_fit_then_transform() -> None:
    stream = (tokens for tokens in DOCS)
    X = TfidfWeighting().fit_transform(stream)
    Y = TfidfWeighting().fit(DOCS).transform(DOCS)
    assert np.array_equal(X.toarray(), Y.toarray())


# --- gensim engine ------------------------------------------------------------------


def test_gensim_engine_idf_equals_gensim_tfidf_model() -> None:
    ours = TfidfWeighting(engine="gensim").fit(DOCS)
    dictionary = Dictionary(DOCS)
    model = TfidfModel(dictionary=dictionary)
    assert ours.get_feature_names() == sorted(dictionary.token2id)
    for term, col in ours.vocabulary_.items():
        assert ours.idf_[col] == pytest.approx(model.idfs[dictionary.token2id[term]])
    # log2(N / df)
    assert ours.idf_[ours.vocabulary_["survivor"]] == pytest.approx(math.log2(4 / 3))
    assert ours.idf_[ours.vocabulary_["court"]] == pytest.approx(1.0)
    assert ours.idf_[ours.vocabulary_["spoke"]] == pytest.approx(2.0)


def test_gensim_engine_raw_counts_equal_gensim_vectors() -> None:
    ours = TfidfWeighting(engine="gensim", sublinear_tf=False).fit(DOCS)
    dictionary = Dictionary(DOCS)
    model = TfidfModel(dictionary=dictionary)
    for doc in NEW:
        expected = np.zeros(len(ours.vocabulary_))
        for term_id, weight in model[dictionary.doc2bow(doc)]:
            expected[ours.vocabulary_[dictionary[term_id]]] = weight
        assert np.allclose(ours.transform([doc]).toarray()[0], expected)


def test_gensim_engine_min_df_keeps_the_document_count() -> None:
    ours = TfidfWeighting(engine="gensim", min_df=2).fit(DOCS)
    assert ours.get_feature_names() == ["court", "survivor"]
    assert np.allclose(ours.idf_, [math.log2(4 / 2), math.log2(4 / 3)])


# --- errors and persistence ------------------------------------------------------------


def test_invalid_engine_and_norm() -> None:
    with pytest.raises(ValueError, match="engine must be 'sklearn' or 'gensim'; got 'spacy'"):
        TfidfWeighting(engine="spacy").fit(DOCS)
    with pytest.raises(ValueError, match="norm must be 'l2' or 'none'; got 'l1'"):
        TfidfWeighting(norm="l1").fit(DOCS)


def test_fit_needs_a_non_empty_document() -> None:
    with pytest.raises(ValueError, match="at least one non-empty document"):
        TfidfWeighting().fit([[], []])


def test_not_fitted() -> None:
    with pytest.raises(NotFittedError, match="TfidfWeighting is not fitted"):
        TfidfWeighting().transform(DOCS)


@pytest.mark.parametrize("engine", ["sklearn", "gensim"])
def test_state_round_trip(engine: str) -> None:
    tfidf = TfidfWeighting(engine=engine, ngram_range=(1, 2), sublinear_tf=False, min_df=1).fit(DOCS)
    state, arrays = tfidf.get_state()
    assert set(arrays) == {"idf"}
    restored = TfidfWeighting.from_state(json.loads(json.dumps(state)), {"idf": arrays["idf"].copy()})
    assert restored.get_params() == tfidf.get_params()
    assert restored.ngram_range == (1, 2)
    assert restored.vocabulary_ == tfidf.vocabulary_
    assert np.array_equal(restored.transform(DOCS + NEW).toarray(), tfidf.transform(DOCS + NEW).toarray())


def test_from_state_checks_the_idf_shape() -> None:
    state, arrays = TfidfWeighting().fit(DOCS).get_state()
    with pytest.raises(ValueError, match=r"idf has shape \(5,\) for 6 terms"):
        TfidfWeighting.from_state(state, {"idf": arrays["idf"][:5]})


def test_weights_do_not_depend_on_the_order_terms_were_first_met(monkeypatch: pytest.MonkeyPatch) -> None:
    # the term index of a process numbers terms in the order it meets them; worker processes of
    # a cross-validation meet the passages in different orders, and must still give equal weights
    from mtopics import _tfidf

    rng = np.random.default_rng(1)
    words = [f"w{i}x{i * 7 % 13}" for i in range(300)]
    docs = [[str(w) for w in rng.choice(words, size=150)] for _ in range(12)]
    results = []
    for first_seen in (docs, docs[::-1], [d[::-1] for d in docs]):
        monkeypatch.setattr(_tfidf, "_TERM_INDEX", _tfidf._TermIndex())
        for params in ({"ngram_range": (1, 2)}, {"ngram_range": (2, 5), "analyzer": "char_wb"}):
            TfidfWeighting(**params).fit_transform(first_seen)  # numbers the terms in this order
        results.append(
            [
                TfidfWeighting(**p).fit_transform(docs)
                for p in ({"ngram_range": (1, 2)}, {"ngram_range": (2, 5), "analyzer": "char_wb"})
            ]
        )
    for other in results[1:]:
        for X, Y in zip(results[0], other, strict=True):
            assert np.array_equal(X.indices, Y.indices) and np.array_equal(X.indptr, Y.indptr)
            assert np.array_equal(X.data, Y.data)  # bit for bit, not only close


def test_a_fit_larger_than_the_term_index_keeps_one_numbering(monkeypatch: pytest.MonkeyPatch) -> None:
    from mtopics import _tfidf

    monkeypatch.setattr(_tfidf, "_TERM_INDEX", _tfidf._TermIndex(max_documents=3))
    TfidfWeighting().fit_transform(NEW)  # fills the small index with other documents first
    docs = [*DOCS, ["court", "spoke", "out"], ["survivor", "court", "adjourned"]]
    ours = TfidfWeighting(ngram_range=(1, 2))
    X = ours.fit_transform(docs)
    ref = TfidfVectorizer(analyzer=lambda d: ngrams(d, (1, 2)), sublinear_tf=True)
    assert ours.get_feature_names() == [str(t) for t in ref.fit(docs).get_feature_names_out()]
    np.testing.assert_allclose(X.toarray(), ref.transform(docs).toarray(), atol=1e-12)
