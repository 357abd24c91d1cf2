"""Article-level stance: how passage predictions combine.

An article takes a side when some of its passages, in the author's own
voice, clearly do; a report that quotes both sides, or that is mostly
procedure, is ``none``.  Averaging passage probabilities misses the first
case (two evaluative paragraphs in a long neutral report vanish in the mean),
so the article model looks at a few summary features of its passages and
learns, with a small multinomial logistic regression, how they map to the
article label:

* the length- and voice-weighted mean probability of favor, against and none;
* the mean of the two strongest favor passages and of the two strongest
  against passages, each passage discounted for the share of it that is
  quotation (``quote_weight``).

It is trained on article-level examples: labelled articles (the seed articles
and the team-written articles) and *composed* articles, built from held-out
passage predictions by the rules of the annotation guide (a few evaluative
passages among neutral ones take that side; evaluative passages of both sides
in equal measure make ``none``).  Class priors can then move the article
probabilities toward the share of each class expected in real news.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._metrics import STANCE_LABELS
from ._target import TargetTerms

__all__ = ["ArticleStanceModel", "article_features", "compose_articles", "target_mentions"]

FEATURES = ("mean_favor", "mean_against", "mean_none", "top2_favor", "top2_against")


def article_features(
    passage_proba: np.ndarray,
    passage_tokens: Sequence[int] | np.ndarray,
    passage_quote_share: Sequence[float] | np.ndarray,
    quote_weight: float = 0.5,
) -> tuple[np.ndarray, np.ndarray]:
    """Summary features of an article's passage probabilities (see :data:`FEATURES`).

    Returns
    -------
    features : ndarray of shape (5,)
    weights : ndarray of shape (n_passages,)
        The normalised weight of each passage in the means.

    >>> p = np.array([[0.9, 0.05, 0.05], [0.1, 0.1, 0.8], [0.1, 0.1, 0.8]])
    >>> f, w = article_features(p, [50, 50, 50], [0.0, 0.0, 0.0])
    >>> [round(float(x), 2) for x in f]
    [0.37, 0.08, 0.55, 0.5, 0.1]
    """
    proba = np.asarray(passage_proba, dtype=np.float64)
    voice = 1.0 - (1.0 - quote_weight) * np.asarray(passage_quote_share, dtype=np.float64)
    weights = np.asarray(passage_tokens, dtype=np.float64) * voice
    weights = weights / weights.sum() if weights.sum() > 0 else np.full(len(proba), 1.0 / len(proba))
    mean = weights @ proba
    top = []
    for k in (0, 1):
        strongest = np.sort(voice * proba[:, k])[::-1][:2]
        top.append(float(strongest.mean()))
    return np.array([mean[0], mean[1], mean[2], top[0], top[1]]), weights


def compose_articles(
    proba: np.ndarray,
    labels: Sequence[str],
    n_articles: int = 300,
    random_state: int = 0,
) -> tuple[np.ndarray, list[str]]:
    """Article features for articles composed from held-out passage predictions.

    Each composed article has 3-8 ``none`` passages and, following the
    annotation guide: for ``favor``/``against``, 1-3 passages of that side;
    for ``none``, either nothing else or one passage of each side.  Passages
    are weighed equally (no quotation discount).

    Parameters
    ----------
    proba : ndarray of shape (n_passages, 3)
        Out-of-fold probabilities of labelled passages.
    labels : list of str
        Their gold labels.
    """
    rng = np.random.default_rng(random_state)
    y = np.asarray(labels)
    pools = {label: np.flatnonzero(y == label) for label in STANCE_LABELS}
    if any(len(pool) == 0 for pool in pools.values()):
        return np.zeros((0, len(FEATURES))), []
    rows, out_labels = [], []
    for i in range(n_articles):
        side = STANCE_LABELS[i % 3]
        picks = list(rng.choice(pools["none"], size=rng.integers(3, 9)))
        if side == "none":
            if rng.random() < 0.5:
                picks += [rng.choice(pools["favor"]), rng.choice(pools["against"])]
        else:
            picks += list(rng.choice(pools[side], size=rng.integers(1, 4)))
        feats, _ = article_features(proba[picks], np.ones(len(picks)), np.zeros(len(picks)))
        rows.append(feats)
        out_labels.append(side)
    return np.vstack(rows), out_labels


class ArticleStanceModel:
    """Multinomial logistic regression from :func:`article_features` to the article label.

    Parameters
    ----------
    C : float
        Inverse regularisation.
    priors : dict of str to float, optional
        Expected class shares of scored articles; probabilities are moved from
        the (balanced) training shares to these.

    Examples
    --------
    >>> X = np.array([[0.6, 0.1, 0.3, 0.9, 0.1], [0.1, 0.6, 0.3, 0.1, 0.9], [0.1, 0.1, 0.8, 0.2, 0.2]] * 4)
    >>> m = ArticleStanceModel().fit(X, ["favor", "against", "none"] * 4)
    >>> [STANCE_LABELS[i] for i in m.predict_proba(X[:3]).argmax(axis=1)]
    ['favor', 'against', 'none']
    """

    def __init__(self, C: float = 1.0, priors: dict[str, float] | None = None):
        self.C = C
        self.priors = priors

    def fit(self, features: np.ndarray, labels: Sequence[str]) -> ArticleStanceModel:
        """Learn from article features and labels."""
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000)
        model.fit(features, list(labels))
        order = [list(model.classes_).index(label) for label in STANCE_LABELS]
        self.coef_ = np.asarray(model.coef_, dtype=np.float64)[order]
        self.intercept_ = np.asarray(model.intercept_, dtype=np.float64)[order]
        self.n_train_ = len(labels)
        return self

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        """Article probabilities of favor, against, none."""
        scores = np.atleast_2d(features) @ self.coef_.T + self.intercept_
        scores -= scores.max(axis=1, keepdims=True)
        proba = np.exp(scores)
        proba /= proba.sum(axis=1, keepdims=True)
        if self.priors:
            # trained class-balanced: the implied prior is uniform
            shares = np.array([self.priors[label] for label in STANCE_LABELS])
            proba = proba * shares
            proba /= proba.sum(axis=1, keepdims=True)
        return proba

    def get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """JSON-ready parameters, and the arrays."""
        state = {"C": self.C, "priors": self.priors, "features": list(FEATURES), "n_train": self.n_train_}
        return state, {"article_coef": self.coef_, "article_intercept": self.intercept_}

    @classmethod
    def from_state(cls, state: dict[str, Any], arrays: dict[str, np.ndarray]) -> ArticleStanceModel:
        """Rebuild from :meth:`get_state`."""
        if list(state["features"]) != list(FEATURES):
            raise ValueError(f"article features {state['features']} differ from {list(FEATURES)}")
        obj = cls(C=float(state["C"]), priors=state.get("priors"))
        obj.coef_ = np.asarray(arrays["article_coef"], dtype=np.float64)
        obj.intercept_ = np.asarray(arrays["article_intercept"], dtype=np.float64)
        obj.n_train_ = int(state["n_train"])
        if obj.coef_.shape != (3, len(FEATURES)) or obj.intercept_.shape != (3,):
            raise ValueError(f"article model arrays have shapes {obj.coef_.shape}, {obj.intercept_.shape}")
        return obj


def article_inputs(
    clf: Any, preprocessor: Any, doc_id: str, text: str, quote_weight: float
) -> tuple[list[Any], np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """Everything the article model needs of one text, computed the same way in training and scoring.

    Returns ``(units, passage_proba, quote_shares, features, weights)``, or ``None`` when no
    stance unit is left after cleaning.
    """
    from ._stance import quote_share

    units = preprocessor.stance_units(doc_id, text)
    if not units:
        return None
    texts = [u.text for u in units]
    # passage-level priors are left out: class shares are the article model's business
    proba = clf.predict_proba(texts, calibrated_only=True)
    lengths = [max(1, len(preprocessor.raw_tokens(t))) for t in texts]
    quotes = np.array([quote_share(t) for t in texts])
    features, weights = article_features(proba, lengths, quotes, quote_weight)
    return units, proba, quotes, features, weights


def _article_rows(clf: Any, preprocessor: Any, texts: Sequence[str], quote_weight: float) -> list[np.ndarray]:
    rows = []
    for text in texts:
        inputs = article_inputs(clf, preprocessor, "article", text, quote_weight)
        if inputs is not None:
            rows.append(inputs[3])
    return rows


def fit_stance(
    examples: Sequence[Any],
    make_classifier: Any,
    preprocessor: Any,
    *,
    quote_weight: float = 0.5,
    article_C: float = 1.0,
    priors: dict[str, float] | None = None,
    composed_articles: int = 300,
    folds: int = 5,
    random_state: int = 0,
) -> tuple[Any, ArticleStanceModel, dict[str, Any]]:
    """Train the passage classifier and the article model on labelled examples.

    Passage examples (``kind == "passage"``) train the passage classifier.
    The article model is trained on features of labelled articles
    (``kind == "article"``) and of composed articles, all computed from
    passage predictions of classifiers that did not see them (a grouped
    ``folds``-fold split; an article example is scored by the fold
    classifier that left out the passages of its ``group``, or, when none of
    its passages are examples, by the folds in turn).

    Returns
    -------
    classifier : StanceClassifier
        Fitted on every passage example.
    article_model : ArticleStanceModel
    info : dict
        How many passage, article and composed examples were used.
    """
    from sklearn.model_selection import StratifiedGroupKFold

    passages = [e for e in examples if e.kind != "article"]
    articles = [e for e in examples if e.kind == "article"]
    texts = np.asarray([e.text for e in passages], dtype=object)
    labels = np.asarray([e.label for e in passages], dtype=object)
    weights = np.asarray([e.weight for e in passages], dtype=np.float64)
    groups = [e.group or f"{e.source}:{e.id}" for e in passages]
    oof = np.zeros((len(passages), 3))
    article_x: list[np.ndarray] = []
    article_y: list[str] = []
    splitter = StratifiedGroupKFold(folds, shuffle=True, random_state=random_state)
    passage_groups = set(groups)
    for fold, (train, test) in enumerate(splitter.split(texts, labels, groups)):
        clf = make_classifier().fit(list(texts[train]), list(labels[train]), sample_weight=weights[train])
        oof[test] = clf.predict_proba(list(texts[test]), calibrated_only=True)
        # an article whose paragraphs are passage examples is scored in the fold that holds
        # them out; other articles are spread over the folds in turn
        test_groups = {groups[i] for i in test}
        held = [
            a
            for i, a in enumerate(articles)
            if (a.group in test_groups if a.group in passage_groups else i % folds == fold)
        ]
        rows = _article_rows(clf, preprocessor, [a.text for a in held], quote_weight)
        article_x.extend(rows)
        article_y.extend(a.label for a in held[: len(rows)])
    composed_x, composed_y = compose_articles(oof, list(labels), composed_articles, random_state)
    X = np.vstack([composed_x, *article_x]) if article_x else composed_x
    y = list(composed_y) + article_y
    article_model = ArticleStanceModel(C=article_C, priors=priors).fit(X, y)
    classifier = make_classifier().fit(list(texts), list(labels), sample_weight=weights)
    info = {"passages": len(passages), "articles": len(article_y), "composed_articles": len(composed_y)}
    return classifier, article_model, info


#: Article probabilities of a text with nothing to classify, or that does not name the target.
NONE_PROBA = (0.0, 0.0, 1.0)


def target_mentions(target: TargetTerms | None, preprocessor: Any, text: str) -> dict[str, int] | None:
    """The target terms ``text`` uses (``None`` without target terms).

    They are looked for in the text as the classifier sees it: cleaned of links, e-mail
    addresses and page furniture, hashtags split (``#MeToo`` reads "Me Too"), so a word that
    only appears in a link does not count.
    """
    return None if target is None else target.mentions(preprocessor.cleaner.normalize(text))


def predict_article_proba(
    clf: Any,
    article_model: ArticleStanceModel,
    preprocessor: Any,
    text: str,
    quote_weight: float,
    target: TargetTerms | None = None,
) -> np.ndarray:
    """Article probabilities of favor, against, none for one text.

    All on none when nothing is left after cleaning, or when ``target`` is given and the
    text uses none of its terms (see :class:`mtopics.TargetTerms`).
    """
    if target_mentions(target, preprocessor, text) == {}:
        return np.array(NONE_PROBA)
    rows = _article_rows(clf, preprocessor, [text], quote_weight)
    if not rows:
        return np.array(NONE_PROBA)
    return np.asarray(article_model.predict_proba(rows[0])[0])


def predict_article(
    clf: Any,
    article_model: ArticleStanceModel,
    preprocessor: Any,
    text: str,
    quote_weight: float,
    target: TargetTerms | None = None,
) -> str:
    """The article label of one text (see :func:`predict_article_proba`)."""
    proba = predict_article_proba(clf, article_model, preprocessor, text, quote_weight, target)
    return STANCE_LABELS[int(np.argmax(proba))]


def _held_out_fold(
    examples: Sequence[Any],
    group: str,
    make_classifier: Any,
    preprocessor: Any,
    article_texts: dict[str, tuple[str, str]],
    fit_params: dict[str, Any],
    target: TargetTerms | None = None,
) -> tuple[list[str], np.ndarray, dict[str, Any] | None]:
    train = [e for e in examples if not (e.evaluate and e.group == group)]
    test = [e for e in examples if e.evaluate and e.group == group]
    clf, article_model, _ = fit_stance(train, make_classifier, preprocessor, **fit_params)
    passage_proba = clf.predict_proba([e.text for e in test])
    article: dict[str, Any] | None = None
    if group in article_texts:
        text, label = article_texts[group]
        off_target = target_mentions(target, preprocessor, text) == {}  # looked for once: no gate below
        quote_weight = fit_params.get("quote_weight", 0.5)
        predicted = "none" if off_target else predict_article(clf, article_model, preprocessor, text, quote_weight)
        article = {"article": group, "label": label, "predicted": predicted}
        if target is not None:
            article["off_target"] = off_target
    return [e.label for e in test], passage_proba, article


def _embed_ahead(
    make_classifier: Any, preprocessor: Any, examples: Sequence[Any], article_texts: dict[str, tuple[str, str]]
) -> None:
    """Embed, once and in this process, every text the classifiers of a cross-validation will see.

    Only for classifiers with sentence embeddings whose factory shares one encoder: its cache
    then travels with the factory to the worker processes, which would otherwise each embed
    the whole training set again.
    """
    clf = make_classifier()
    if getattr(clf, "embeddings", None) is None or getattr(clf, "encoder", None) is None:
        return
    texts = [e.text for e in examples if e.kind != "article"]
    whole = [e.text for e in examples if e.kind == "article"] + [text for text, _ in article_texts.values()]
    for text in whole:
        texts.extend(u.text for u in preprocessor.stance_units("article", text))
    clf.encoder.encode(texts)


def cross_validate_articles(
    examples: Sequence[Any],
    make_classifier: Any,
    preprocessor: Any,
    article_texts: dict[str, tuple[str, str]],
    n_jobs: int = 1,
    target: TargetTerms | None = None,
    fit_all: bool = False,
    **fit_params: Any,
) -> dict[str, Any]:
    """Leave-one-article-out evaluation of passage and article stance.

    For each article (a ``group`` of examples marked ``evaluate``), both
    models are trained without any of its passages, then its passages and
    the whole article (``article_texts[group] = (text, label)``) are
    predicted (as ``none`` when ``target`` is given and the article uses none of its
    terms).  Examples not marked ``evaluate`` are training data only.
    The held-out articles run in parallel on ``n_jobs`` processes (joblib); each one done is
    logged.  With ``fit_all``, :func:`fit_stance` on every example runs as one more job of the
    same pool, and its result is returned under ``fitted``.

    Returns
    -------
    dict
        ``passage`` and ``article`` reports (see :func:`stance_report`); the article report
        also has ``off_target`` (how many held-out articles were ``none`` for using no target
        term; ``None`` without ``target``), the passage report ``calibration``
        (:func:`mtopics.calibration_report` of the held-out passages' probabilities).
    """
    import logging

    from joblib import Parallel, delayed

    from ._metrics import calibration_report, stance_report

    logger = logging.getLogger("mtopics")
    _embed_ahead(make_classifier, preprocessor, examples, article_texts)
    held_groups = sorted({e.group for e in examples if e.evaluate})
    logger.info(
        "leave-one-article-out: %d articles, %s", len(held_groups), "in parallel" if n_jobs != 1 else "one at a time"
    )
    jobs = [
        delayed(_held_out_fold)(examples, g, make_classifier, preprocessor, article_texts, fit_params, target)
        for g in held_groups
    ]
    if fit_all:  # the model to keep, trained beside the folds: one round of the pool less
        jobs.append(delayed(fit_stance)(examples, make_classifier, preprocessor, **fit_params))
    folds = []
    fitted = None
    for i, result in enumerate(Parallel(n_jobs=n_jobs, return_as="generator")(jobs), start=1):
        if i > len(held_groups):
            fitted = result
            logger.info("stance model trained on all %d examples", len(examples))
        else:
            folds.append(result)
            logger.info("held-out article %d of %d done (%s)", i, len(held_groups), held_groups[i - 1])
    p_true = [label for fold in folds for label in fold[0]]
    p_proba = np.vstack([fold[1] for fold in folds])
    p_pred = [STANCE_LABELS[i] for i in np.argmax(p_proba, axis=1)]
    per_article = [fold[2] for fold in folds if fold[2] is not None]
    passage = stance_report(p_true, p_pred)
    passage["calibration"] = calibration_report(p_true, p_proba)
    article = stance_report([a["label"] for a in per_article], [a["predicted"] for a in per_article])
    article["off_target"] = sum(a["off_target"] for a in per_article) if target is not None else None
    for report in (passage, article):
        report.update({"scheme": "leave-one-article-out", "folds": len(held_groups)})
    article["articles"] = per_article
    out: dict[str, Any] = {"passage": passage, "article": article}
    if fit_all:
        out["fitted"] = fitted
    return out
