"""Stance toward the #MeToo movement and the survivors who speak out.

:class:`StanceClassifier` is a TF-IDF (word and character n-grams) +
logistic regression model with calibrated probabilities, trained on passages,
optionally averaged with a second one on sentence embeddings (:mod:`mtopics._embed`).
After fitting it is a handful of arrays, so it saves as JSON plus ``.npy`` and
predicts with numpy alone (plus the embedding model when embeddings are used).
How passage predictions combine into the stance of an article is in
:mod:`mtopics._article`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import asdict
from functools import cache, lru_cache
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import expit

from ._clean import TextCleaner, stopword_list, tokenize
from ._embed import (
    EMBEDDING_MODELS,
    POOLINGS,
    SentenceEncoder,
    StaticEncoder,
    _package_version,
    make_encoder,
    model_kind,
)
from ._finetune import TunedEncoder
from ._metrics import STANCE_LABELS, calibration_report, stance_report
from ._tfidf import TfidfWeighting
from .exceptions import EmbeddingDependencyError, NotFittedError

__all__ = ["StanceClassifier", "cross_validate_stance", "quote_share"]

logger = logging.getLogger("mtopics")

#: What the file name of a fine-tuned layer's array may be (``stance/<name>.npy``).
_TUNED_FILE = re.compile(r"tuned_\w+")


def quote_share(text: str) -> float:
    """Share of the characters of ``text`` that stand inside double quotation marks.

    >>> round(quote_share('He said "it is a lie" today'), 2)
    0.48
    """
    text = text.replace("\u201c", '"').replace("\u201d", '"')
    inside = 0
    start = None
    for i, ch in enumerate(text):
        if ch == '"':
            if start is None:
                start = i
            else:
                inside += i - start + 1
                start = None
    if start is not None:  # an opening quote that runs to the end of the passage
        inside += len(text) - start
    return inside / len(text) if text else 0.0


class StanceClassifier:
    """Three-way stance classifier (favor / against / none) for passages.

    Features are TF-IDF weighted word n-grams and character n-grams within
    words (the latter catch spelling variants, hashtags and word parts); the
    model is a class-weighted multinomial logistic regression whose scores
    are calibrated on out-of-fold scores.  With ``embeddings``, a second
    logistic regression, on sentence embeddings of the same texts, is trained
    and calibrated the same way, and the two probabilities are averaged
    (``embedding_weight`` for the second).

    Parameters
    ----------
    C : float
        Inverse regularisation strength of the logistic regression.
    class_weight : {"balanced", "none"}
        Weigh classes inversely to their frequency.
    ngram_range : tuple of int
        Word n-grams used as features.
    min_df : int
        Drop n-grams seen in fewer training passages.
    char_ngram_range : tuple of int or None
        Lengths of the character n-grams; ``None`` uses words only.
    calibration : {"temperature", "sigmoid"}
        ``"temperature"``: one inverse temperature ``beta`` for all classes,
        ``p = softmax(beta * d)``; it keeps the classifier's (class-balanced)
        decision.  ``"sigmoid"``: Platt scaling, one sigmoid per class,
        normalised; it can move the decision toward frequent classes.
    calibration_folds : int
        Folds of the cross-validation whose held-out scores fit the calibration.
    priors : dict of str to float, optional
        Expected class shares of the texts to score; probabilities are moved
        from the training shares (equal shares with ``class_weight="balanced"``)
        to these (e.g. real news is mostly ``none``).
    cleaner : TextCleaner, optional
        Normalises text before tokenisation (stop words are kept).
    random_state : int
        Seed of the calibration folds.
    engine : {"sklearn", "gensim"}
        Engine fitting the IDF weights (see :class:`TfidfWeighting`).
    sublinear_tf : bool
        Use ``1 + log(tf)`` term frequencies.
    embeddings : {None, "minilm", "minilm-static", "minilm-tuned"}
        Sentence-embedding model of the second classifier (see
        :data:`mtopics._embed.EMBEDDING_MODELS`; needs ``pip install
        "mtopics[embeddings]"``); ``None``: n-grams only.  ``"minilm-tuned"``
        fine-tunes MiniLM's top ``tune_layers`` layers with a linear head on 80% of
        the training passages (:class:`mtopics._finetune.TunedEncoder`); the head is
        the second classifier, calibrated on the other 20%.
    embedding_pooling : {"mean", "mean-max", "mean-max-min"}
        How the embedding model's token vectors become one vector per passage (see
        :func:`mtopics._embed.pool_tokens`).
    embedding_weight : float
        Weight in [0, 1] of the embedding classifier's probabilities in the average.
    embedding_C : float
        Inverse regularisation strength of the embedding classifier.
    encoder : SentenceEncoder or StaticEncoder, optional
        Encoder to use (and whose cache to share), of model ``embeddings`` and pooling
        ``embedding_pooling``; by default one per model name and pooling, shared by
        every classifier of the process.  Not for ``"minilm-tuned"``, whose encoder
        each fit trains anew.
    tune_layers : int
        With ``"minilm-tuned"``: MiniLM's top layers fine-tuned (1 to 6).
    tune_epochs : int
        With ``"minilm-tuned"``: passes over the training passages.

    Attributes
    ----------
    classes_ : tuple of str
        Always ``("favor", "against", "none")``: the column order of probabilities.
    coef_ : ndarray of shape (3, n_features)
    intercept_ : ndarray of shape (3,)
    calibration_ : ndarray of shape (1,) or (3, 2)
        ``[beta]`` for temperature scaling, or the sigmoid parameters ``a, b``
        per class: ``p = 1 / (1 + exp(a*d + b))``.
    train_prior_ : ndarray of shape (3,)
        Class shares the model and its calibration were fitted with (after
        class balancing).
    embedding_coef_, embedding_intercept_, embedding_calibration_ : ndarray
        The same three for the embedding classifier (only with ``embeddings``).
    tuned_encoder_ : TunedEncoder
        The fine-tuned MiniLM (only with ``"minilm-tuned"``).

    Examples
    --------
    >>> texts = ["brave survivors deserve support", "the allegations are lies and blackmail",
    ...          "the court adjourned the hearing"] * 6
    >>> labels = ["favor", "against", "none"] * 6
    >>> clf = StanceClassifier(min_df=1, calibration_folds=3).fit(texts, labels)
    >>> clf.predict(["survivors deserve support"])
    ['favor']
    """

    classes_ = STANCE_LABELS

    def __init__(
        self,
        C: float = 0.5,
        class_weight: str = "balanced",
        ngram_range: tuple[int, int] = (1, 2),
        min_df: int = 1,
        char_ngram_range: tuple[int, int] | None = (2, 5),
        calibration: str = "temperature",
        calibration_folds: int = 5,
        priors: dict[str, float] | None = None,
        cleaner: TextCleaner | None = None,
        random_state: int = 0,
        engine: str = "sklearn",
        sublinear_tf: bool = True,
        embeddings: str | None = None,
        embedding_weight: float = 0.5,
        embedding_C: float = 1.0,
        encoder: SentenceEncoder | StaticEncoder | None = None,
        embedding_pooling: str = "mean",
        tune_layers: int = 2,
        tune_epochs: int = 4,
    ):
        self.engine = engine
        self.sublinear_tf = sublinear_tf
        self.C = C
        self.class_weight = class_weight
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.char_ngram_range = char_ngram_range
        self.calibration = calibration
        self.calibration_folds = calibration_folds
        self.priors = priors
        self.cleaner = cleaner
        self.random_state = random_state
        self.embeddings = embeddings
        self.embedding_weight = embedding_weight
        self.embedding_C = embedding_C
        self.encoder = encoder
        self.embedding_pooling = embedding_pooling
        self.tune_layers = tune_layers
        self.tune_epochs = tune_epochs

    def _encoder(self) -> SentenceEncoder | StaticEncoder | TunedEncoder:
        if self.embeddings is not None and model_kind(self.embeddings) == "tuned":
            return self.tuned_encoder_
        if self.encoder is not None:
            return self.encoder
        return shared_encoder(str(self.embeddings), self.embedding_pooling)

    def _cleaner(self) -> TextCleaner:
        return self.cleaner if self.cleaner is not None else TextCleaner()

    def analyze(self, text: str) -> list[str]:
        """Stance tokens of a text: normalised, lower-cased, stop words kept."""
        return list(_analyze(self._cleaner(), text))

    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[str],
        sample_weight: Sequence[float] | None = None,
    ) -> StanceClassifier:
        """Train on passages and their labels (``favor``, ``against``, ``none``)."""

        y = np.asarray(labels, dtype=object)
        if len(texts) != len(y):
            raise ValueError(f"{len(texts)} texts but {len(y)} labels")
        unknown = sorted(set(y) - set(STANCE_LABELS))
        if unknown:
            raise ValueError(f"unknown stance labels {unknown}; expected {', '.join(STANCE_LABELS)}")
        counts = {label: int(np.sum(y == label)) for label in STANCE_LABELS}
        scarce = {label: n for label, n in counts.items() if n < 2}
        if scarce:
            raise ValueError(
                "stance training data needs at least 2 examples of each label; got "
                + ", ".join(f"{n} of {label!r}" for label, n in scarce.items())
            )
        if self.calibration not in ("temperature", "sigmoid"):
            raise ValueError(f"calibration must be 'temperature' or 'sigmoid'; got {self.calibration!r}")
        if self.embeddings is not None:
            if self.embeddings not in EMBEDDING_MODELS:
                raise ValueError(
                    f"embeddings must be None or one of {', '.join(EMBEDDING_MODELS)}; got {self.embeddings!r}"
                )
            if not 0.0 <= self.embedding_weight <= 1.0:
                raise ValueError(f"embedding_weight must be in [0, 1]; got {self.embedding_weight!r}")
            if self.embedding_pooling not in POOLINGS:
                raise ValueError(
                    f"embedding_pooling must be one of {', '.join(POOLINGS)}; got {self.embedding_pooling!r}"
                )
            if model_kind(self.embeddings) == "tuned" and self.encoder is not None:
                raise ValueError(f"embeddings {self.embeddings!r} are fine-tuned by fit(): pass no encoder")
            pooled = getattr(self.encoder, "pooling", self.embedding_pooling)
            if pooled != self.embedding_pooling:
                raise ValueError(
                    f"the encoder given pools by {pooled!r}; embedding_pooling is {self.embedding_pooling!r}"
                )
        weights = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        tokens = [self.analyze(t) for t in texts]
        self.tfidf_ = TfidfWeighting(
            engine=self.engine, ngram_range=self.ngram_range, min_df=self.min_df, sublinear_tf=self.sublinear_tf
        )
        X = self.tfidf_.fit_transform(tokens)
        self.char_tfidf_ = None
        if self.char_ngram_range:
            self.char_tfidf_ = TfidfWeighting(
                engine=self.engine,
                ngram_range=self.char_ngram_range,
                min_df=self.min_df,
                sublinear_tf=self.sublinear_tf,
                analyzer="char_wb",
            )
            X = sp.hstack([X, self.char_tfidf_.fit_transform(tokens)], format="csr")
        folds = min(self.calibration_folds, min(counts.values()))
        if self.class_weight == "balanced":
            # balance classes through the sample weights, so that both the model and its
            # calibration see balanced classes: probabilities are then calibrated for equal
            # class shares, and `priors` moves them to the shares expected in real text
            totals = {label: weights[y == label].sum() for label in STANCE_LABELS}
            scale = np.array([weights.sum() / (len(STANCE_LABELS) * totals[label]) for label in y])
            weights = weights * scale
        self.coef_, self.intercept_, self.calibration_, sk_model = self._fit_calibrated(X, y, weights, self.C, folds)
        self._sklearn_model = sk_model  # kept in memory only, for comparison in tests
        if self.embeddings is not None and model_kind(self.embeddings) == "tuned":
            self._fit_tuned(list(texts), y, weights)
        elif self.embeddings is not None:
            E = self._encoder().encode(list(texts))
            fitted = self._fit_calibrated(E, y, weights, self.embedding_C, folds)
            self.embedding_coef_, self.embedding_intercept_, self.embedding_calibration_, _ = fitted
        shares = np.array([weights[y == label].sum() for label in STANCE_LABELS])
        self.train_prior_ = shares / shares.sum()
        self.n_train_ = len(y)
        return self

    def _fit_tuned(self, texts: list[str], y: np.ndarray, weights: np.ndarray) -> None:
        """Fine-tune MiniLM on 80% of the passages; calibrate its head on the other 20%."""
        from sklearn.model_selection import StratifiedShuffleSplit

        held = max(len(STANCE_LABELS), round(0.2 * len(y)))
        split = StratifiedShuffleSplit(1, test_size=held, random_state=self.random_state)
        tune, calibrate = next(split.split(np.zeros(len(y)), y))
        codes = np.array([STANCE_LABELS.index(label) for label in y])
        encoder = TunedEncoder(
            self.embeddings or "minilm-tuned",
            pooling=self.embedding_pooling,
            layers=self.tune_layers,
            epochs=self.tune_epochs,
            random_state=self.random_state,
        )
        encoder.fit([texts[i] for i in tune], codes[tune], weights[tune])
        self.tuned_encoder_ = encoder
        self.embedding_coef_, self.embedding_intercept_ = encoder.head_coef_, encoder.head_intercept_
        scores = encoder.encode([texts[i] for i in calibrate]) @ self.embedding_coef_.T + self.embedding_intercept_
        self.embedding_calibration_ = self._calibrate_scores(scores, y[calibrate], weights[calibrate])

    def _calibrate_scores(self, scores: np.ndarray, y: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Calibration parameters fitted on fixed scores (weighted log loss), as :meth:`_calibrated` reads them."""
        from scipy.optimize import minimize_scalar
        from sklearn.linear_model import LogisticRegression

        codes = np.array([STANCE_LABELS.index(label) for label in y])
        if self.calibration == "temperature":

            def loss(log_beta: float) -> float:
                logits = np.exp(log_beta) * scores
                logits = logits - logits.max(axis=1, keepdims=True)
                log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
                return float(-(weights * log_p[np.arange(len(codes)), codes]).sum() / weights.sum())

            best = minimize_scalar(loss, bounds=(np.log(1e-3), np.log(1e3)), method="bounded")
            return np.array([np.exp(best.x)], dtype=np.float64)
        params = []
        for k in range(len(STANCE_LABELS)):  # Platt scaling: p_k = 1 / (1 + exp(a * d_k + b))
            platt = LogisticRegression(C=1e6).fit(scores[:, [k]], codes == k, sample_weight=weights)
            params.append([-float(platt.coef_[0, 0]), -float(platt.intercept_[0])])
        return np.array(params, dtype=np.float64)

    def _calibration_of(self, calibrated: Any) -> np.ndarray:
        """The calibration parameters of a fitted ``CalibratedClassifierCV``, in :data:`STANCE_LABELS` order."""
        inner = calibrated.calibrated_classifiers_[0]
        if self.calibration == "temperature":
            return np.array([inner.calibrators[0].beta_], dtype=np.float64)
        order = [list(calibrated.classes_).index(label) for label in STANCE_LABELS]
        return np.array([[inner.calibrators[i].a_, inner.calibrators[i].b_] for i in order], dtype=np.float64)

    def _fit_calibrated(
        self, X: Any, y: np.ndarray, weights: np.ndarray, C: float, folds: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, Any]:
        """Coefficients, intercepts and calibration of a calibrated logistic regression, and the latter."""
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold
        from threadpoolctl import threadpool_limits

        calibrated = CalibratedClassifierCV(
            LogisticRegression(C=C, max_iter=2000, solver="newton-cg"),
            method=self.calibration,
            cv=StratifiedKFold(folds, shuffle=True, random_state=self.random_state),
            ensemble=False,
        )
        # one BLAS thread: these problems are small and threads only add overhead
        with threadpool_limits(limits=1):
            calibrated.fit(X, y, sample_weight=weights)
        inner = calibrated.calibrated_classifiers_[0]
        estimator = inner.estimator
        # the inner estimator may hold labels encoded as 0..2 in the order of calibrated.classes_
        order = [list(calibrated.classes_).index(label) for label in STANCE_LABELS]
        coef = np.asarray(estimator.coef_, dtype=np.float64)[order]
        intercept = np.asarray(estimator.intercept_, dtype=np.float64)[order]
        return coef, intercept, self._calibration_of(calibrated), calibrated

    def _calibrated(self, scores: np.ndarray, calibration: np.ndarray) -> np.ndarray:
        if self.calibration == "temperature":
            logits = calibration[0] * scores
            return _normalise(np.exp(logits - logits.max(axis=1, keepdims=True)))
        return _normalise(expit(-(calibration[:, 0] * scores + calibration[:, 1])))

    def _check(self) -> None:
        if not hasattr(self, "coef_"):
            raise NotFittedError("StanceClassifier is not fitted; call fit() first")

    def _features(self, tokens: Sequence[Sequence[str]]) -> sp.csr_matrix:
        X = self.tfidf_.transform(tokens)
        if self.char_tfidf_ is not None:
            X = sp.hstack([X, self.char_tfidf_.transform(tokens)], format="csr")
        return X

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        """Raw linear scores of the n-gram classifier, shape (n, 3)."""
        self._check()
        X = self._features([self.analyze(t) for t in texts])
        return np.asarray(X @ self.coef_.T) + self.intercept_

    def predict_proba(self, texts: Sequence[str], calibrated_only: bool = False) -> np.ndarray:
        """Calibrated probabilities of favor, against, none (rows sum to 1).

        With ``embeddings``, the average of the n-gram and the embedding
        classifiers' calibrated probabilities (``embedding_weight`` for the
        latter).  With ``priors`` set (and ``calibrated_only`` false) they are
        moved from the training class shares to the given ones.
        """
        proba = self._calibrated(self.decision_function(texts), self.calibration_)
        if self.embeddings is not None and self.embedding_weight > 0:
            scores = self._encoder().encode(list(texts)) @ self.embedding_coef_.T + self.embedding_intercept_
            w = self.embedding_weight
            proba = (1 - w) * proba + w * self._calibrated(scores, self.embedding_calibration_)
        if self.priors and not calibrated_only:
            target = np.array([self.priors[label] for label in STANCE_LABELS])
            proba = _normalise(proba * (target / self.train_prior_))
        return proba

    def predict(self, texts: Sequence[str]) -> list[str]:
        """Most probable label of each text."""
        return [STANCE_LABELS[i] for i in np.argmax(self.predict_proba(texts), axis=1)]

    def term_contributions(self, text: str, label: str, n: int = 8, content_only: bool = True) -> list[dict[str, Any]]:
        """The word n-grams of ``text`` that push most toward ``label``.

        Weight = TF-IDF value x (coefficient of ``label`` minus the mean
        coefficient of the other labels); character n-grams are left out as
        they do not read as evidence.  With ``content_only`` (the default), the
        list is written for a reader: n-grams made only of function words
        ("had been", "it is") are left out, though the model weighs them too
        (negations such as "not" and "never" stay: they carry stance), and an
        n-gram is not listed again inside a longer or shorter one already listed
        ("said" then "said the").

        Examples
        --------
        >>> texts = ["it is brave of them to speak", "it is all lies and blackmail",
        ...          "it is the hearing date"] * 6
        >>> clf = StanceClassifier(calibration_folds=3).fit(texts, ["favor", "against", "none"] * 6)
        >>> text = "they are all lies and it is blackmail"
        >>> [t["term"] for t in clf.term_contributions(text, "against")]
        ['all lies', 'blackmail', 'lies and']
        >>> [t["term"] for t in clf.term_contributions(text, "against", content_only=False)]
        ['all', 'all lies', 'and', 'blackmail', 'lies', 'lies and']
        """
        self._check()
        k = STANCE_LABELS.index(label)
        x = self.tfidf_.transform([self.analyze(text)]).tocsr()
        n_words = len(self.tfidf_.vocabulary_)
        coef = self.coef_[:, :n_words]
        margin = coef[k] - np.delete(coef, k, axis=0).mean(axis=0)
        contrib = x.data * margin[x.indices]
        order = np.argsort(-contrib, kind="stable")
        names = self.tfidf_.get_feature_names()
        out: list[dict[str, Any]] = []
        chosen: list[set[str]] = []
        for i in order:
            if len(out) == n or contrib[i] <= 0:
                break
            term = names[x.indices[i]]
            if content_only:
                words = set(term.split())
                if words <= _function_words() or any(words <= c or c <= words for c in chosen):
                    continue
                chosen.append(words)
            out.append({"term": term, "weight": round(float(contrib[i]), 4)})
        return out

    # -- persistence -----------------------------------------------------------
    def get_params(self) -> dict[str, Any]:
        """Constructor parameters (the cleaner as a dict)."""
        return {
            "C": self.C,
            "class_weight": self.class_weight,
            "ngram_range": list(self.ngram_range),
            "min_df": self.min_df,
            "char_ngram_range": list(self.char_ngram_range) if self.char_ngram_range else None,
            "calibration": self.calibration,
            "calibration_folds": self.calibration_folds,
            "priors": self.priors,
            "cleaner": asdict(self._cleaner()),
            "random_state": self.random_state,
            "engine": self.engine,
            "sublinear_tf": self.sublinear_tf,
            "embeddings": self.embeddings,
            "embedding_weight": self.embedding_weight,
            "embedding_C": self.embedding_C,
            "embedding_pooling": self.embedding_pooling,
            "tune_layers": self.tune_layers,
            "tune_epochs": self.tune_epochs,
        }

    def get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """JSON-ready parameters and vocabulary, and the arrays."""
        self._check()
        tfidf_state, tfidf_arrays = self.tfidf_.get_state()
        state: dict[str, Any] = {
            "params": self.get_params(),
            "classes": list(STANCE_LABELS),
            "tfidf": tfidf_state,
            "char_tfidf": None,
            "n_train": self.n_train_,
        }
        arrays = {
            "coef": self.coef_,
            "intercept": self.intercept_,
            "calibration": self.calibration_,
            "train_prior": self.train_prior_,
            "idf": tfidf_arrays["idf"],
        }
        if self.char_tfidf_ is not None:
            char_state, char_arrays = self.char_tfidf_.get_state()
            state["char_tfidf"] = char_state
            arrays["char_idf"] = char_arrays["idf"]
        if self.embeddings is not None:
            encoder = self._encoder()
            state["embedding_model"] = encoder.describe()
            if isinstance(encoder, StaticEncoder):
                # the token vectors it was trained with: scoring never distils them again
                arrays[self.STATIC_ARRAY] = encoder.table()
            if isinstance(encoder, TunedEncoder):
                # the fine-tuned layers, one array per parameter; the file names are listed
                weights = encoder.get_arrays()
                files = {f"{self.TUNED_PREFIX}{name.replace('.', '_')}": name for name in weights}
                state["embedding_model"]["arrays"] = files
                arrays.update({file: weights[name] for file, name in files.items()})
            arrays["embedding_coef"] = self.embedding_coef_
            arrays["embedding_intercept"] = self.embedding_intercept_
            arrays["embedding_calibration"] = self.embedding_calibration_
        return state, arrays

    #: Names of the arrays of :meth:`get_state` that only a classifier with embeddings has.
    EMBEDDING_ARRAYS = ("embedding_coef", "embedding_intercept", "embedding_calibration")
    #: The array that a classifier with static embeddings has besides (its token vectors).
    STATIC_ARRAY = "embedding_table"
    #: Prefix of the arrays of a fine-tuned MiniLM's layers (listed in ``embedding_model.arrays``).
    TUNED_PREFIX = "tuned_"

    @classmethod
    def array_names(cls, state: dict[str, Any]) -> list[str]:
        """Names of the arrays that :meth:`get_state` wrote with ``state`` (to read them back).

        >>> StanceClassifier.array_names({"params": {"embeddings": None}, "char_tfidf": None})
        ['coef', 'intercept', 'calibration', 'train_prior', 'idf']
        """
        names = ["coef", "intercept", "calibration", "train_prior", "idf"]
        if state.get("char_tfidf"):
            names.append("char_idf")
        embeddings = state["params"].get("embeddings")
        if embeddings:  # format 4 on
            names.extend(cls.EMBEDDING_ARRAYS)
            if model_kind(embeddings) == "static":
                names.append(cls.STATIC_ARRAY)
            tuned = list((state.get("embedding_model") or {}).get("arrays", {}))
            odd = [name for name in tuned if not _TUNED_FILE.fullmatch(str(name))]
            if odd:  # they name files of the version: nothing outside its stance folder
                raise ValueError(f"fine-tuned layer array names must be tuned_<letters, digits, _>; got {odd[0]!r}")
            names.extend(tuned)
        return names

    @classmethod
    def from_state(cls, state: dict[str, Any], arrays: dict[str, np.ndarray]) -> StanceClassifier:
        """Rebuild a fitted classifier saved by :meth:`get_state`."""
        params = dict(state["params"])
        cleaner = params.pop("cleaner")
        cleaner["extra_stopwords"] = tuple(cleaner.get("extra_stopwords", ()))
        params["ngram_range"] = tuple(params["ngram_range"])
        params.setdefault("calibration", "sigmoid")  # states written before the option were sigmoid
        char_range = params.get("char_ngram_range")
        params["char_ngram_range"] = tuple(char_range) if char_range else None
        obj = cls(cleaner=TextCleaner(**cleaner), **params)
        if list(state["classes"]) != list(STANCE_LABELS):
            raise ValueError(f"stance classes {state['classes']} differ from {list(STANCE_LABELS)}")
        obj.tfidf_ = TfidfWeighting.from_state(state["tfidf"], {"idf": arrays["idf"]})
        obj.char_tfidf_ = None
        if state.get("char_tfidf"):
            obj.char_tfidf_ = TfidfWeighting.from_state(state["char_tfidf"], {"idf": arrays["char_idf"]})
        obj.coef_ = np.asarray(arrays["coef"], dtype=np.float64)
        obj.intercept_ = np.asarray(arrays["intercept"], dtype=np.float64)
        obj.calibration_ = np.asarray(arrays["calibration"], dtype=np.float64)
        obj.train_prior_ = np.asarray(arrays["train_prior"], dtype=np.float64)
        obj.n_train_ = int(state["n_train"])
        n_features = len(obj.tfidf_.vocabulary_)
        if obj.char_tfidf_ is not None:
            n_features += len(obj.char_tfidf_.vocabulary_)
        calibration_shape = (1,) if obj.calibration == "temperature" else (3, 2)
        checks = [
            ("coef", obj.coef_, (3, n_features)),
            ("intercept", obj.intercept_, (3,)),
            ("calibration", obj.calibration_, calibration_shape),
            ("train_prior", obj.train_prior_, (3,)),
        ]
        if obj.embeddings is not None:
            saved = state.get("embedding_model") or {}
            _check_embedding_model(obj.embeddings, saved)
            if model_kind(obj.embeddings) == "static":
                if cls.STATIC_ARRAY not in arrays:
                    raise ValueError(f"stance embeddings {obj.embeddings!r} need the array `{cls.STATIC_ARRAY}`")
                table = arrays[cls.STATIC_ARRAY]
                obj.encoder = StaticEncoder(obj.embeddings, table=table, pooling=obj.embedding_pooling)
                _check_tokenizer(obj.encoder, saved)
            if model_kind(obj.embeddings) == "tuned":
                files = saved.get("arrays") or {}
                cls.array_names(state)  # checks the names
                if not files or any(file not in arrays for file in files):
                    raise ValueError(f"stance embeddings {obj.embeddings!r} need the arrays of their fine-tuned layers")
                obj.tuned_encoder_ = TunedEncoder(
                    obj.embeddings,
                    pooling=obj.embedding_pooling,
                    layers=obj.tune_layers,
                    max_tokens=int(saved.get("max_tokens", 256)),
                    weights={name: arrays[file] for file, name in files.items()},
                )
            obj.embedding_coef_, obj.embedding_intercept_, obj.embedding_calibration_ = (
                np.asarray(arrays[name], dtype=np.float64) for name in cls.EMBEDDING_ARRAYS
            )
            checks += [
                ("embedding_coef", obj.embedding_coef_, (3, obj._encoder().dim)),
                ("embedding_intercept", obj.embedding_intercept_, (3,)),
                ("embedding_calibration", obj.embedding_calibration_, calibration_shape),
            ]
        for name, arr, shape in checks:
            if arr.shape != shape:
                raise ValueError(f"stance array `{name}` has shape {arr.shape}; expected {shape}")
        return obj


def check_embeddings_installed(model: str) -> None:
    """Check, without importing them, that the packages training with embeddings ``model`` needs are there.

    Raises
    ------
    EmbeddingDependencyError
        Naming what is missing and how to install it.
    """
    (TunedEncoder(model) if model_kind(model) == "tuned" else make_encoder(model)).check_installed()


@cache
def shared_encoder(model: str, pooling: str = "mean") -> SentenceEncoder | StaticEncoder:
    """The encoder of ``model`` and ``pooling`` shared by the classifiers of this process (one cache)."""
    return make_encoder(model, pooling)


def _check_tokenizer(encoder: StaticEncoder, saved: dict[str, Any]) -> None:
    """Refuse static token vectors whose rows would be read with another tokenizer.

    Without the weights' package there is no tokenizer to compare: the model loads (its topics
    need nothing more) and scoring its stance says what to install.
    """
    wanted = saved.get("tokenizer_sha256")
    try:
        installed = encoder.tokenizer_sha256()
    except EmbeddingDependencyError:
        return
    if wanted != installed:
        raise ValueError(
            f"the stance model's static token vectors were made for MiniLM's tokenizer with sha256 {wanted}; "
            f"the installed {saved.get('package')} has {installed}: install {saved.get('package')}=="
            f"{saved.get('package_version')} to score with this model"
        )


def _check_embedding_model(name: str, saved: dict[str, Any]) -> None:
    """Refuse an unknown embedding model; warn when the installed weights are another version."""
    if name not in EMBEDDING_MODELS:
        raise ValueError(f"unknown embedding model {name!r}; this mtopics knows {', '.join(EMBEDDING_MODELS)}")
    installed = _package_version(EMBEDDING_MODELS[name])
    wanted = saved.get("package_version")
    if installed is not None and wanted is not None and installed != wanted:
        logger.warning(
            "the stance model was trained with %s %s; %s is installed: its probabilities may differ",
            saved.get("package"),
            wanted,
            installed,
        )


def function_word_share(text: str) -> tuple[float, int]:
    """Share of English function words among the words of ``text``, and the number of words.

    Running English text has about 40-60% (the seed news articles: 45-54%; the 156
    team-written articles: 42-60%); text whose stop words were stripped before it reached
    mtopics has few (the seed encyclopedia text: 6%).

    >>> function_word_share("The court adjourned the hearing until next month.")
    (0.5, 8)
    >>> function_word_share("court adjourned hearing month lawyers sides left")
    (0.0, 7)
    """
    words = re.findall(r"[a-z]+", text.lower())
    if not words:
        return 0.0, 0
    function_words = _function_words()
    return sum(w in function_words for w in words) / len(words), len(words)


@lru_cache(maxsize=1)
def _function_words() -> frozenset[str]:
    """Words that make poor evidence for a reader (the model still weighs them); negations carry stance."""
    return stopword_list("sklearn") - {"no", "not", "nor", "never", "nothing", "cannot", "against", "without"}


@lru_cache(maxsize=20_000)
def _analyze(cleaner: TextCleaner, text: str) -> tuple[str, ...]:
    # cached: cross-validation analyses the same passages once per fold
    return tuple(tokenize(cleaner.normalize(text), lowercase=True, digits=False, min_length=1))


def _normalise(proba: np.ndarray) -> np.ndarray:
    total = proba.sum(axis=1, keepdims=True)
    uniform = np.full_like(proba, 1.0 / proba.shape[1])
    return np.divide(proba, total, out=uniform, where=total > 0)


def cross_validate_stance(
    make_classifier: Any,
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    evaluate: Sequence[bool],
    sample_weight: Sequence[float] | None = None,
    groups: Sequence[str] | None = None,
    folds: int = 5,
    random_state: int = 0,
) -> dict[str, Any]:
    """Cross-validated stance metrics on the examples marked ``evaluate``.

    Examples not marked ``evaluate`` (team-written or external training data)
    are added to the training side of every fold and are never scored.  With
    ``groups`` (article ids) whole articles are held out together
    (leave-one-group-out); otherwise stratified ``folds``-fold.

    Parameters
    ----------
    make_classifier : callable
        Returns a new unfitted :class:`StanceClassifier`.

    Returns
    -------
    dict
        :func:`mtopics._metrics.stance_report` of the out-of-fold predictions,
        plus ``scheme``, ``folds``, ``n_train_only`` and ``calibration``
        (:func:`mtopics.calibration_report` of the out-of-fold probabilities).
    """
    from sklearn.model_selection import LeaveOneGroupOut, StratifiedKFold

    y = np.asarray(labels, dtype=object)
    mask = np.asarray(evaluate, dtype=bool)
    weights = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    eval_idx = np.flatnonzero(mask)
    train_only = np.flatnonzero(~mask)
    if len(eval_idx) == 0:
        raise ValueError("no labelled example is marked for evaluation")
    if groups is not None:
        g = np.asarray(groups, dtype=object)[eval_idx]
        splits = list(LeaveOneGroupOut().split(eval_idx, y[eval_idx], g))
        scheme = "leave-one-article-out"
    else:
        smallest = min(int(np.sum(y[eval_idx] == c)) for c in set(y[eval_idx]))
        k = max(2, min(folds, smallest))
        splits = list(StratifiedKFold(k, shuffle=True, random_state=random_state).split(eval_idx, y[eval_idx]))
        scheme = f"stratified {k}-fold"
    proba = np.zeros((len(eval_idx), len(STANCE_LABELS)))
    texts_arr = np.asarray(texts, dtype=object)
    for fold, (train_pos, test_pos) in enumerate(splits, start=1):
        train = np.concatenate([eval_idx[train_pos], train_only])
        clf = make_classifier()
        clf.fit(list(texts_arr[train]), list(y[train]), sample_weight=weights[train])
        proba[test_pos] = clf.predict_proba(list(texts_arr[eval_idx[test_pos]]))
        logger.info("stance cross-validation: fold %d/%d done", fold, len(splits))
    predictions = [STANCE_LABELS[i] for i in np.argmax(proba, axis=1)]
    report = stance_report(list(y[eval_idx]), predictions)
    report["calibration"] = calibration_report(list(y[eval_idx]), proba)
    report.update({"scheme": scheme, "folds": len(splits), "n_train_only": len(train_only)})
    return report
