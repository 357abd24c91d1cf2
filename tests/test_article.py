"""Tests of mtopics._article: article features, composed articles, the article model, training."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mtopics import ArticleStanceModel, LabelledExample, Preprocessor, StanceClassifier, article_features
from mtopics._article import FEATURES, compose_articles, cross_validate_articles, fit_stance

FAVOR = [
    "Brave survivors deserve our support and our belief.",
    "We stand with the women who spoke out so bravely.",
    "Her courage inspires other survivors to come forward.",
    "Harassment must be condemned and survivors heard.",
]
AGAINST = [
    "These allegations are lies and blackmail for fame.",
    "A foreign agenda is out to defame our good men.",
    "Fake accusations are made for money and revenge.",
    "The so-called victims are lying to ruin careers.",
]
NONE = [
    "The court adjourned the hearing until Monday morning.",
    "The case will be heard again by the judge next week.",
    "The lawyer filed a petition in the high court on Friday.",
    "Both parties submitted their documents to court.",
]


def examples(repeat: int = 3) -> list[LabelledExample]:
    out = []
    for r in range(repeat):
        for label, texts in (("favor", FAVOR), ("against", AGAINST), ("none", NONE)):
            out += [LabelledExample(f"{label}{r}{i}", t, label, source="s") for i, t in enumerate(texts)]
    return out


def make() -> StanceClassifier:
    return StanceClassifier(min_df=1, calibration_folds=2, char_ngram_range=None)


def spying(seen: list[list[str]]):  # type: ignore[no-untyped-def]
    """A classifier factory whose classifiers record the texts they are trained on."""

    def make_spy() -> StanceClassifier:
        clf = make()
        original = clf.fit

        def fit(texts, labels, sample_weight=None):  # type: ignore[no-untyped-def]
            seen.append(list(texts))
            return original(texts, labels, sample_weight)

        clf.fit = fit  # type: ignore[method-assign]
        return clf

    return make_spy


def test_features_weigh_voice_and_length() -> None:
    proba = np.array([[0.9, 0.05, 0.05], [0.1, 0.1, 0.8]])
    quoted, w_quoted = article_features(proba, [10, 10], [1.0, 0.0], quote_weight=0.5)
    own, _w_own = article_features(proba, [10, 10], [0.0, 0.0], quote_weight=0.5)
    assert w_quoted[0] == pytest.approx(w_quoted[1] / 2)
    assert quoted[0] < own[0]  # quoted praise counts less than the author's own
    assert len(own) == len(FEATURES)
    assert own[3] == pytest.approx((0.9 + 0.1) / 2)  # mean of the two strongest favor passages


def test_composed_articles_follow_the_guide_rules() -> None:
    labels = ["favor"] * 5 + ["against"] * 5 + ["none"] * 10
    proba = np.array([[0.9, 0.05, 0.05]] * 5 + [[0.05, 0.9, 0.05]] * 5 + [[0.05, 0.05, 0.9]] * 10)
    X, y = compose_articles(proba, labels, n_articles=60, random_state=1)
    assert X.shape == (60, len(FEATURES)) and y.count("favor") == y.count("against") == y.count("none") == 20
    favor_rows = X[np.array(y) == "favor"]
    none_rows = X[np.array(y) == "none"]
    assert favor_rows[:, 3].min() > none_rows[:, 3].min()
    assert compose_articles(proba[:5], labels[:5])[1] == []  # a class with no passage: nothing to compose


def test_article_model_both_sides_is_none_and_priors_move_toward_none() -> None:
    labels = ["favor"] * 8 + ["against"] * 8 + ["none"] * 16
    proba = np.array([[0.85, 0.05, 0.1]] * 8 + [[0.05, 0.85, 0.1]] * 8 + [[0.05, 0.05, 0.9]] * 16)
    X, y = compose_articles(proba, labels, n_articles=300)
    model = ArticleStanceModel().fit(X, y)
    neutral_with_one_praise = article_features(proba[[0, 16, 17, 18, 19]], [1] * 5, [0] * 5)[0]
    both_sides = article_features(proba[[0, 8, 16, 17, 18, 19]], [1] * 6, [0] * 6)[0]
    assert np.argmax(model.predict_proba(neutral_with_one_praise)) == 0
    assert np.argmax(model.predict_proba(both_sides)) == 2
    shifted = ArticleStanceModel(priors={"favor": 0.1, "against": 0.1, "none": 0.8}).fit(X, y)
    assert shifted.predict_proba(neutral_with_one_praise)[0, 2] > model.predict_proba(neutral_with_one_praise)[0, 2]
    state, arrays = model.get_state()
    again = ArticleStanceModel.from_state(json.loads(json.dumps(state)), arrays)
    assert np.array_equal(again.predict_proba(X[:5]), model.predict_proba(X[:5]))


def test_fit_stance_keeps_articles_out_of_the_passage_classifier() -> None:
    data = examples()
    article = LabelledExample("art", "\n\n".join(FAVOR[:2] + NONE[:2]), "favor", kind="article")
    clf, model, info = fit_stance([*data, article], make, Preprocessor(), composed_articles=60, folds=3)
    assert info == {"passages": len(data), "articles": 1, "composed_articles": 60}
    assert clf.n_train_ == len(data)
    assert model.n_train_ == 61


def test_leave_one_article_out_never_trains_on_the_held_out_article() -> None:
    data = examples(repeat=2)
    real = []
    for g in range(3):
        text = "\n\n".join([FAVOR[g], NONE[g], NONE[g + 1]])
        real += [
            LabelledExample(f"r{g}{i}", t, lab, group=f"art{g}", evaluate=True)
            for i, (t, lab) in enumerate(zip(text.split("\n\n"), ["favor", "none", "none"], strict=True))
        ]
    seen: list[list[str]] = []
    texts = {f"art{g}": ("\n\n".join([FAVOR[g], NONE[g], NONE[g + 1]]), "favor") for g in range(3)}
    result = cross_validate_articles(data + real, spying(seen), Preprocessor(), texts, composed_articles=30, folds=2)
    assert result["passage"]["n"] == 9 and result["article"]["n"] == 3
    assert result["passage"]["calibration"]["n"] == 9 and result["passage"]["calibration"]["brier"] is not None
    assert result["passage"]["scheme"] == "leave-one-article-out"
    # each final passage classifier of a fold saw all team data and 2 of the 3 real articles
    assert max(len(texts) for texts in seen) == len(data) + 6
    assert [a["article"] for a in result["article"]["articles"]] == ["art0", "art1", "art2"]


def test_an_article_is_scored_by_the_fold_that_held_out_its_paragraphs() -> None:
    data = examples()
    paragraphs = [
        "Her courage in naming him deserves our thanks.",
        "The hearing resumes on Monday.",
        "The committee met twice in March.",
    ]
    own = [
        LabelledExample(f"p{i}", t, lab, group="artX", source="c")
        for i, (t, lab) in enumerate(zip(paragraphs, ["favor", "none", "none"], strict=True))
    ]
    article = LabelledExample("artX", "\n\n".join(paragraphs), "favor", group="artX", kind="article")
    seen: list[list[str]] = []
    _, _, info = fit_stance([*data, *own, article], spying(seen), Preprocessor(), composed_articles=30, folds=3)
    assert info["articles"] == 1
    # exactly one fold classifier lacked the article's paragraphs: the one that scored it
    assert sum(not (set(paragraphs) & set(texts)) for texts in seen[:-1]) == 1


def test_an_article_without_target_terms_is_none_in_scoring_and_in_cross_validation() -> None:
    from mtopics import TargetTerms
    from mtopics._article import NONE_PROBA, predict_article_proba

    target = TargetTerms(["survivor*", "harass*"])
    clf, model, _ = fit_stance(examples(), make, Preprocessor(), composed_articles=30, folds=3)
    off = "\n\n".join([FAVOR[1], NONE[0]])  # takes a side in words, but names no target term
    on = "\n\n".join([FAVOR[0], NONE[0]])  # "survivors"
    assert predict_article_proba(clf, model, Preprocessor(), off, 0.5, target).tolist() == list(NONE_PROBA)
    # the classifier is not asked for an off-target text: a missing classifier is never touched
    assert predict_article_proba(None, model, Preprocessor(), off, 0.5, target).tolist() == list(NONE_PROBA)
    assert predict_article_proba(clf, model, Preprocessor(), off, 0.5)[0] > 0.0
    assert predict_article_proba(clf, model, Preprocessor(), on, 0.5, target).tolist() != list(NONE_PROBA)
    real = [
        LabelledExample(f"{g}{i}", t, "favor" if i == 0 else "none", group=g, evaluate=True)
        for g, text in (("off", off), ("on", on))
        for i, t in enumerate(text.split("\n\n"))
    ]
    texts = {"off": (off, "favor"), "on": (on, "favor")}
    params = {"composed_articles": 30, "folds": 2}
    gated = cross_validate_articles(examples(2) + real, make, Preprocessor(), texts, target=target, **params)
    plain = cross_validate_articles(examples(2) + real, make, Preprocessor(), texts, **params)
    predicted = {a["article"]: a["predicted"] for a in gated["article"]["articles"]}
    assert predicted["off"] == "none"
    assert gated["article"]["off_target"] == 1 and plain["article"]["off_target"] is None
    assert {a["article"]: a["predicted"] for a in plain["article"]["articles"]}["on"] == predicted["on"]
