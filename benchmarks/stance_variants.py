"""Paired cross-validation of stance-classifier variants on SemEval-2016 Task 6 "Feminist Movement".

Only the TRAIN split (n=597) is used for every comparison: stratified 5-fold CV x 10 repeats with the
split seeds of benchmarks/bench_stance.py (StratifiedKFold(5, shuffle=True, random_state=seed),
seed = 0..9), F_avg of the pooled out-of-fold predictions of each repeat (as
mtopics.cross_validate_stance computes it).  Fresh repeats (seeds 100..109) and train -> val are
run only for the variants named on the command line.

Usage (from the project folder; the full run took 8.5 minutes on 2 cores):
  .venv/bin/python benchmarks/stance_variants.py run --seeds 0-9 --out benchmarks/results/stance_variants_orig.json
  .venv/bin/python benchmarks/stance_variants.py run --seeds 100-109 --variants base,X \
      --out benchmarks/results/stance_variants_fresh.json
  .venv/bin/python benchmarks/stance_variants.py check          # library CV seeds 0-9 (63.0 +- 1.3)
  .venv/bin/python benchmarks/stance_variants.py report FILE [FILE]   # Markdown table
  .venv/bin/python benchmarks/stance_variants.py val  --variants base,X  # train -> val, information only
  .venv/bin/python benchmarks/stance_variants.py time --variants base,X  # seconds for one fit on all of train

The VADER variant needs ``vaderSentiment`` (not a dependency of mtopics; it was installed for the
study with ``pip install --target benchmarks/pylib vaderSentiment``, which this script also looks in).
Written by a helper of the mtopics team for the study reported in docs/stance.md.

Hyper-parameters marked "inner CV" are chosen on the outer training fold only, by 5-fold stratified
CV (seed 0) maximising pooled F_avg; the TF-IDF vocabulary/IDF used inside that inner CV is the one
fitted on the whole outer training fold (texts only, no labels).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.naive_bayes import ComplementNB, MultinomialNB
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import mtopics  # noqa: E402
from mtopics._tfidf import TfidfWeighting, char_ngrams, ngrams  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "tweeteval-stance-feminist"
MAP = {"0": "none", "1": "against", "2": "favor"}
LABELS = ("favor", "against", "none")  # = mtopics.STANCE_LABELS, column order of all scores
HERE = ROOT / "benchmarks"


def load(split: str) -> tuple[list[str], np.ndarray]:
    texts = (DATA / f"{split}_text.txt").read_text(encoding="utf-8").splitlines()
    labels = (DATA / f"{split}_labels.txt").read_text(encoding="utf-8").split()
    assert len(texts) == len(labels)
    return [t.replace("#SemST", "") for t in texts], np.array([MAP[v] for v in labels], dtype=object)


def f_avg(y, pred) -> float:
    return float(f1_score(y, pred, labels=["favor", "against"], average="macro", zero_division=0))


def macro_f1(y, pred) -> float:
    return float(f1_score(y, pred, labels=list(LABELS), average="macro", zero_division=0))


def balanced_weights(y: np.ndarray) -> np.ndarray:
    """As StanceClassifier: w_i = n / (k * n_class(i))."""
    classes, counts = np.unique(y, return_counts=True)
    per = {c: len(y) / (len(classes) * n) for c, n in zip(classes, counts, strict=True)}
    return np.array([per[v] for v in y])


def argmax_labels(scores: np.ndarray) -> np.ndarray:
    return np.array([LABELS[i] for i in np.argmax(scores, axis=1)], dtype=object)


def order_cols(model, scores: np.ndarray) -> np.ndarray:
    """Reorder columns from model.classes_ to LABELS."""
    cls = list(model.classes_)
    return scores[:, [cls.index(c) for c in LABELS]]


# ----------------------------------------------------------------------------- features
_ANALYZER = mtopics.StanceClassifier()


def tokens_of(texts):
    return [_ANALYZER.analyze(t) for t in texts]


def _identity(x):
    return x


class Features:
    """The baseline's features (word (1,2) + char_wb (2,5) TF-IDF, sublinear, min_df 1, via the
    project's TfidfWeighting and TextCleaner analyzer), plus binarised counts of the same terms and
    a variant with cross-word char n-grams on the normalised text."""

    def __init__(self, texts_tr):
        self.tok_tr = tokens_of(texts_tr)
        self.word = TfidfWeighting(ngram_range=(1, 2), min_df=1, sublinear_tf=True)
        self.char = TfidfWeighting(ngram_range=(2, 5), min_df=1, sublinear_tf=True, analyzer="char_wb")
        self.word.fit(self.tok_tr)
        self.char.fit(self.tok_tr)
        self.bin = CountVectorizer(analyzer=_identity, binary=True, lowercase=False)
        self.bin.fit([self._terms(t) for t in self.tok_tr])
        self._texts_tr = texts_tr
        self.raw = None

    @staticmethod
    def _terms(tok):
        return ["w:" + t for t in ngrams(tok, (1, 2))] + ["c:" + t for t in char_ngrams(tok, (2, 5))]

    def tfidf(self, tokens):
        return sp.hstack([self.word.transform(tokens), self.char.transform(tokens)], format="csr")

    def binary(self, tokens):
        return self.bin.transform([self._terms(t) for t in tokens]).astype(np.float64).tocsr()

    def charraw(self, texts, tokens):
        cleaner = _ANALYZER._cleaner()
        if self.raw is None:
            self.raw = TfidfVectorizer(analyzer="char", ngram_range=(2, 5), sublinear_tf=True, lowercase=True)
            self.raw.fit([cleaner.normalize(t) for t in self._texts_tr])
        Xc = self.raw.transform([cleaner.normalize(t) for t in texts])
        return sp.hstack([self.word.transform(tokens), Xc], format="csr")

    def all(self, texts, tokens=None):
        tokens = tokens_of(texts) if tokens is None else tokens
        return {"tfidf": self.tfidf(tokens), "bin": self.binary(tokens), "charraw": self.charraw(texts, tokens)}

    def lazy(self, texts, tokens=None):
        """Feature sets computed on first use (for timing a single variant)."""
        feats, texts = self, list(texts)

        class Lazy(dict):
            def __missing__(self, key):
                toks = tokens_of(texts) if tokens is None else tokens
                val = {
                    "tfidf": lambda: feats.tfidf(toks),
                    "bin": lambda: feats.binary(toks),
                    "charraw": lambda: feats.charraw(texts, toks),
                }[key]()
                self[key] = val
                return val

        out = Lazy()
        out["texts"] = np.array(texts, dtype=object)
        return out


# ----------------------------------------------------------------------------- models
# Every model: fit(F, y) with F a dict of feature matrices (rows = training texts), and
# scores(F) -> (n, 3) array in LABELS order whose argmax is the prediction.


def lr_balanced(X, y, C=0.5):
    """The baseline's inner estimator: multinomial LR, newton-cg, balanced sample weights."""
    return LogisticRegression(C=C, max_iter=2000, solver="newton-cg").fit(X, y, sample_weight=balanced_weights(y))


class LRPlain:
    """Baseline LR (balanced, C=0.5) without calibration: argmax of the decision function."""

    key = "tfidf"

    def __init__(self, C=0.5, feats="tfidf"):
        self.C, self.key = C, feats

    def fit(self, F, y):
        self.m = lr_balanced(F[self.key], y, self.C)
        return self

    def scores(self, F):
        return order_cols(self.m, self.m.decision_function(F[self.key]))


_VADER: dict = {}


def vader_scores(texts) -> np.ndarray:
    """VADER (vaderSentiment 3.3.2, its own lexicon; installed in ./pylib) neg, neu, pos, compound."""
    sys.path.insert(0, str(HERE / "pylib"))
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    if "sia" not in _VADER:
        _VADER["sia"] = SentimentIntensityAnalyzer()
    out = []
    for t in texts:
        if t not in _VADER:
            d = _VADER["sia"].polarity_scores(t)
            _VADER[t] = [d["neg"], d["neu"], d["pos"], d["compound"]]
        out.append(_VADER[t])
    return np.array(out)


class LRVader:
    """Baseline LR (balanced, C=0.5) on the baseline features + the 4 VADER scores x `scale`."""

    def __init__(self, scale=1.0):
        self.scale = scale

    def _X(self, F):
        return sp.hstack([F["tfidf"], sp.csr_matrix(self.scale * vader_scores(F["texts"]))], format="csr")

    def fit(self, F, y):
        self.m = lr_balanced(self._X(F), y)
        return self

    def scores(self, F):
        return order_cols(self.m, self.m.decision_function(self._X(F)))


class LRBiasCV:
    """Baseline LR + additive offsets on the favor and against scores, chosen on inner 5-fold
    out-of-fold decision scores to maximise F_avg (grid -1.5..1.5 step 0.1 each)."""

    grid = np.round(np.arange(-1.5, 1.5001, 0.1), 2)

    def fit(self, F, y):
        X = F["tfidf"]
        oof = np.zeros((len(y), 3))
        for a, b in StratifiedKFold(5, shuffle=True, random_state=0).split(X, y):
            m = lr_balanced(X[a], y[a])
            oof[b] = order_cols(m, m.decision_function(X[b]))
        best, self.offset = -1.0, (0.0, 0.0)
        cands = sorted(((f, a) for f in self.grid for a in self.grid), key=lambda t: abs(t[0]) + abs(t[1]))
        for f, a in cands:
            s = f_avg(y, argmax_labels(oof + np.array([f, a, 0.0])))
            if s > best + 1e-12:
                best, self.offset = s, (float(f), float(a))
        self.m = lr_balanced(X, y)
        self.chosen = {"offset_favor": self.offset[0], "offset_against": self.offset[1]}
        return self

    def scores(self, F):
        return order_cols(self.m, self.m.decision_function(F["tfidf"])) + np.array([*self.offset, 0.0])


class TwoStage:
    """Stage 1: none vs stance (LR, balanced); stage 2: favor vs against on stance tweets (LR,
    balanced).  rule "prod": argmax of (p_s p_f, p_s (1 - p_f), 1 - p_s); rule "hard": none if
    p_s < 0.5, else the stage-2 winner."""

    def __init__(self, C=0.5, rule="hard"):
        self.C, self.rule = C, rule

    def fit(self, F, y):
        X = F["tfidf"]
        ys = np.where(y == "none", "none", "stance").astype(object)
        self.s1 = LogisticRegression(C=self.C, max_iter=2000, solver="newton-cg").fit(
            X, ys, sample_weight=balanced_weights(ys)
        )
        keep = y != "none"
        self.s2 = LogisticRegression(C=self.C, max_iter=2000, solver="newton-cg").fit(
            X[keep], y[keep], sample_weight=balanced_weights(y[keep])
        )
        return self

    def scores(self, F):
        X = F["tfidf"]
        ps = self.s1.predict_proba(X)[:, list(self.s1.classes_).index("stance")]
        pf = self.s2.predict_proba(X)[:, list(self.s2.classes_).index("favor")]
        if self.rule == "prod":
            return np.column_stack([ps * pf, ps * (1 - pf), 1 - ps])
        stance = (ps >= 0.5).astype(float)
        return np.column_stack([stance * pf, stance * (1 - pf), 0.5 * (1 - stance)])


class NBSVM:
    """NBSVM / NBLR (Wang & Manning 2012), one-vs-rest.

    For class c: r = log((p/|p|_1) / (q/|q|_1)), p = alpha + sum of feature rows of class c,
    q = alpha + sum of the other rows; x~ = l2-normalised (x * r) (or x * r, norm=False); a binary classifier (LR or
    squared-hinge LinearSVC, class-balanced) on x~ gives w, b; interpolated w' = (1-beta) mean|w|
    + beta w; score_c = x~ . w' + b; prediction = argmax_c score_c.  All betas are evaluated from
    one fit (beta does not change the fit)."""

    def __init__(self, feats="bin", clf="lr", C=1.0, beta=1.0, alpha=1.0, norm=True):
        self.feats, self.clf, self.C, self.beta, self.alpha, self.norm = feats, clf, C, beta, alpha, norm

    def _scale(self, X, r):
        Xr = X.multiply(r).tocsr()
        return normalize(Xr) if self.norm else Xr

    def fit(self, F, y):
        X = F[self.feats]
        self.parts = []
        for c in LABELS:
            pos = y == c
            p = self.alpha + np.asarray(X[pos].sum(axis=0)).ravel()
            q = self.alpha + np.asarray(X[~pos].sum(axis=0)).ravel()
            r = np.log(p / p.sum()) - np.log(q / q.sum())
            Xr = self._scale(X, r)
            yy = pos.astype(int)
            sw = balanced_weights(yy)
            if self.clf == "lr":
                m = LogisticRegression(C=self.C, solver="liblinear", max_iter=2000).fit(Xr, yy, sample_weight=sw)
            else:
                m = LinearSVC(C=self.C, loss="squared_hinge", max_iter=20000).fit(Xr, yy, sample_weight=sw)
            self.parts.append((r, m.coef_.ravel().copy(), float(m.intercept_[0])))
        return self

    def scores(self, F, beta=None):
        beta = self.beta if beta is None else beta
        X = F[self.feats]
        out = []
        for r, w, b in self.parts:
            Xr = self._scale(X, r)
            w2 = (1 - beta) * np.abs(w).mean() + beta * w
            out.append(Xr @ w2 + b)
        return np.column_stack(out)


class NBSVMInnerCV:
    """NBSVM with C (and beta, if several are given) chosen by inner 5-fold CV on the training fold."""

    def __init__(self, feats="bin", clf="lr", Cs=(0.3, 1, 3, 10), betas=(0.25, 1.0)):
        self.feats, self.clf, self.Cs, self.betas = feats, clf, Cs, betas

    def fit(self, F, y):
        X = F[self.feats]
        skf = list(StratifiedKFold(5, shuffle=True, random_state=0).split(X, y))
        best, choice = -1.0, None
        for C in self.Cs:
            oof = {beta: np.zeros((len(y), 3)) for beta in self.betas}
            for a, b in skf:
                m = NBSVM(self.feats, self.clf, C).fit({self.feats: X[a]}, y[a])
                for beta in self.betas:
                    oof[beta][b] = m.scores({self.feats: X[b]}, beta)
            for beta in self.betas:
                s = f_avg(y, argmax_labels(oof[beta]))
                if s > best + 1e-12:
                    best, choice = s, (C, beta)
        self.chosen = {"C": choice[0], "beta": choice[1]}
        self.m = NBSVM(self.feats, self.clf, choice[0], choice[1]).fit(F, y)
        return self

    def scores(self, F):
        return self.m.scores(F)


def inner_cv_pick(make, grid, X, y):
    """Pick the grid value whose model (make(v).fit(X, y)->predict) has the best inner pooled F_avg."""
    skf = list(StratifiedKFold(5, shuffle=True, random_state=0).split(X, y))
    best, pick = -1.0, None
    for v in grid:
        pred = np.empty(len(y), dtype=object)
        for a, b in skf:
            pred[b] = make(v).fit(X[a], y[a], sample_weight=balanced_weights(y[a])).predict(X[b])
        s = f_avg(y, pred)
        if s > best + 1e-12:
            best, pick = s, v
    return pick


def _nb(kind, alpha):
    return (MultinomialNB if kind == "mnb" else ComplementNB)(alpha=alpha, fit_prior=False)


class NB:
    """Multinomial / complement NB on the baseline's TF-IDF features, alpha by inner CV,
    temperature-calibrated like the baseline (5-fold, balanced sample weights)."""

    alphas = (0.01, 0.03, 0.1, 0.3, 1.0)

    def __init__(self, kind="mnb"):
        self.kind = kind

    def fit(self, F, y):
        X = F["tfidf"]
        alpha = inner_cv_pick(lambda a: _nb(self.kind, a), self.alphas, X, y)
        self.chosen = {"alpha": alpha}
        self.m = CalibratedClassifierCV(
            _nb(self.kind, alpha),
            method="temperature",
            cv=StratifiedKFold(5, shuffle=True, random_state=0),
            ensemble=False,
        ).fit(X, y, sample_weight=balanced_weights(y))
        return self

    def scores(self, F):
        return order_cols(self.m, self.m.predict_proba(F["tfidf"]))


class SVCCal:
    """LinearSVC (squared hinge, class-balanced sample weights) + CalibratedClassifierCV(sigmoid, cv=3);
    C fixed, or chosen by inner CV (on the calibrated model) when C is None."""

    Cs = (0.03, 0.1, 0.3, 1.0)

    def __init__(self, C=1.0):
        self.C = C

    @staticmethod
    def make(C):
        return CalibratedClassifierCV(LinearSVC(C=C, loss="squared_hinge", max_iter=20000), method="sigmoid", cv=3)

    def fit(self, F, y):
        X = F["tfidf"]
        C = self.C if self.C is not None else inner_cv_pick(self.make, self.Cs, X, y)
        self.chosen = {"C": C}
        self.m = self.make(C).fit(X, y, sample_weight=balanced_weights(y))
        return self

    def scores(self, F):
        return order_cols(self.m, self.m.predict_proba(F["tfidf"]))


class SVCPlain:
    """LinearSVC (squared hinge, balanced) uncalibrated, C fixed."""

    def __init__(self, C=1.0):
        self.C = C

    def fit(self, F, y):
        self.m = LinearSVC(C=self.C, max_iter=20000).fit(F["tfidf"], y, sample_weight=balanced_weights(y))
        return self

    def scores(self, F):
        return order_cols(self.m, self.m.decision_function(F["tfidf"]))


class SGDMH:
    """SGDClassifier(modified_huber, average=True, balanced sample weights, random_state=0);
    alpha fixed, or chosen by inner CV when alpha is None."""

    alphas = (1e-5, 1e-4, 1e-3, 1e-2)

    def __init__(self, alpha=1e-4):
        self.alpha = alpha

    @staticmethod
    def make(alpha):
        return SGDClassifier(loss="modified_huber", alpha=alpha, average=True, max_iter=1000, tol=1e-4, random_state=0)

    def fit(self, F, y):
        X = F["tfidf"]
        a = self.alpha if self.alpha is not None else inner_cv_pick(self.make, self.alphas, X, y)
        self.chosen = {"alpha": a}
        self.m = self.make(a).fit(X, y, sample_weight=balanced_weights(y))
        return self

    def scores(self, F):
        return order_cols(self.m, self.m.decision_function(F["tfidf"]))


class Library:
    """mtopics.StanceClassifier itself, fitted on the texts (its own features)."""

    def __init__(self, **kw):
        self.kw = kw

    def fit(self, F, y):
        self.m = mtopics.StanceClassifier(char_ngram_range=(2, 5), **self.kw).fit(list(F["texts"]), list(y))
        return self

    def scores(self, F):
        return self.m.predict_proba(list(F["texts"]))


class Ensemble:
    """Mean of the (calibrated) probabilities of several models."""

    def __init__(self, *parts):
        self.parts = parts

    def fit(self, F, y):
        for p in self.parts:
            p.fit(F, y)
        self.chosen = {k: v for p in self.parts for k, v in getattr(p, "chosen", {}).items()}
        return self

    def scores(self, F):
        return np.mean([p.scores(F) for p in self.parts], axis=0)


class NBSVMProba:
    """NBSVM (fixed C, beta) with per-class Platt-free softmax of its scores, for averaging."""

    def __init__(self, **kw):
        self.m = NBSVM(**kw)

    def fit(self, F, y):
        self.m.fit(F, y)
        return self

    def scores(self, F):
        s = self.m.scores(F)
        e = np.exp(s - s.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)


#: One sentence encoder for every embedding variant: each distinct tweet is embedded once.
ENCODER = mtopics.SentenceEncoder("minilm")


def _emb(weight: float) -> Library:
    return Library(embeddings="minilm", embedding_weight=weight, encoder=ENCODER)


VARIANTS = {
    "base": lambda: Library(),  # library defaults: temperature calibration (argmax = uncalibrated LR)
    "lr_bal_nocal": lambda: LRPlain(),
    "lr_bal_sigmoid": lambda: Library(calibration="sigmoid"),
    "lr_noweight": lambda: Library(class_weight="none"),
    "lr_noweight_sigmoid": lambda: Library(class_weight="none", calibration="sigmoid"),
    "nbsvm_lr_bin_b0.25": lambda: NBSVMInnerCV("bin", "lr", betas=(0.25,)),
    "nbsvm_lr_bin_b1": lambda: NBSVMInnerCV("bin", "lr", betas=(1.0,)),
    "nbsvm_lr_bin_cv": lambda: NBSVMInnerCV("bin", "lr", betas=(0.25, 1.0)),
    "nbsvm_svm_bin_b0.25": lambda: NBSVMInnerCV("bin", "svm", Cs=(0.03, 0.1, 0.3, 1.0), betas=(0.25,)),
    "nbsvm_svm_bin_b1": lambda: NBSVMInnerCV("bin", "svm", Cs=(0.03, 0.1, 0.3, 1.0), betas=(1.0,)),
    "nbsvm_svm_bin_cv": lambda: NBSVMInnerCV("bin", "svm", Cs=(0.03, 0.1, 0.3, 1.0), betas=(0.25, 1.0)),
    "nbsvm_lr_tfidf_cv": lambda: NBSVMInnerCV("tfidf", "lr", betas=(0.25, 1.0)),
    "mnb": lambda: NB("mnb"),
    "cnb": lambda: NB("cnb"),
    "ens_lr_mnb": lambda: Ensemble(Library(), NB("mnb")),
    "ens_lr_cnb": lambda: Ensemble(Library(), NB("cnb")),
    "svc_plain_C1": lambda: SVCPlain(1.0),
    "svc_sigcal3_C1": lambda: SVCCal(1.0),
    "svc_sigcal3_Ccv": lambda: SVCCal(None),
    "sgd_mh_a1e-4": lambda: SGDMH(1e-4),
    "sgd_mh_acv": lambda: SGDMH(None),
    "two_stage_prod": lambda: TwoStage(rule="prod"),
    "two_stage_hard": lambda: TwoStage(rule="hard"),
    "nbsvm_svm_bin_paper_b0.25": lambda: NBSVM("bin", "svm", C=1.0, beta=0.25, norm=False),
    "nbsvm_svm_bin_paper_b1": lambda: NBSVM("bin", "svm", C=1.0, beta=1.0, norm=False),
    "lr_vader_x1": lambda: LRVader(1.0),
    "lr_bias_cv": lambda: LRBiasCV(),
    "lr_charraw": lambda: LRPlain(feats="charraw"),
    "ens_lr_nbsvm_lr_bin_b1_C1": lambda: Ensemble(Library(), NBSVMProba(feats="bin", clf="lr", C=1.0, beta=1.0)),
    # sentence embeddings (all-MiniLM-L6-v2, needs the `embeddings` extra): a second calibrated
    # logistic regression on them, its probabilities averaged with the default's at this weight
    "emb_w0.3": lambda: _emb(0.3),
    "emb_w0.4": lambda: _emb(0.4),
    "emb_w0.5": lambda: _emb(0.5),
    "emb_w0.6": lambda: _emb(0.6),
    "emb_only": lambda: _emb(1.0),
}


# ----------------------------------------------------------------------------- runs
def run_seed(seed: int, names: list[str]) -> dict:
    texts, y = load("train")
    texts = np.array(texts, dtype=object)
    preds = {n: np.empty(len(y), dtype=object) for n in names}
    chosen = {n: [] for n in names}
    with threadpool_limits(limits=1):
        for tr, te in StratifiedKFold(5, shuffle=True, random_state=seed).split(np.arange(len(y)), y):
            feats = Features(list(texts[tr]))
            Ftr = feats.all(list(texts[tr]), feats.tok_tr)
            Fte = feats.all(list(texts[te]))
            Ftr["texts"], Fte["texts"] = texts[tr], texts[te]
            for n in names:
                m = VARIANTS[n]().fit(Ftr, y[tr])
                preds[n][te] = argmax_labels(m.scores(Fte))
                if hasattr(m, "chosen"):
                    chosen[n].append(m.chosen)
    return {
        n: {"seed": seed, "f_avg": f_avg(y, preds[n]), "macro_f1": macro_f1(y, preds[n]), "chosen": chosen[n]}
        for n in names
    }


def parse_seeds(s: str) -> list[int]:
    out = []
    for part in s.split(","):
        if "-" in part:
            a, b = part.split("-")
            out += list(range(int(a), int(b) + 1))
        else:
            out.append(int(part))
    return out


def cmd_run(args):
    from joblib import Parallel, delayed

    names = list(VARIANTS) if args.variants == "all" else args.variants.split(",")
    if "base" not in names:
        names = ["base", *names]
    if any(n.startswith("lr_vader") for n in names):
        sys.path.insert(0, str(HERE / "pylib"))
        try:
            import vaderSentiment  # noqa: F401
        except ImportError:
            names = [n for n in names if not n.startswith("lr_vader")]
            print("vaderSentiment not installed: the VADER variant is left out", file=sys.stderr)
    seeds = parse_seeds(args.seeds)
    t0 = time.perf_counter()
    res = Parallel(n_jobs=args.n_jobs)(delayed(run_seed)(s, names) for s in seeds)
    out = {n: [r[n] for r in res] for n in names}
    Path(args.out).write_text(json.dumps({"seeds": seeds, "results": out}, indent=1) + "\n")
    print(f"{len(seeds)} repeats x {len(names)} variants in {time.perf_counter() - t0:.0f} s -> {args.out}")


def summarise(runs: dict) -> list[dict]:
    res = runs["results"]
    base = np.array([r["f_avg"] for r in res["base"]])
    base_m = np.array([r["macro_f1"] for r in res["base"]])
    rows = []
    for n, rs in res.items():
        f = np.array([r["f_avg"] for r in rs])
        m = np.array([r["macro_f1"] for r in rs])
        d = f - base
        k = len(d)
        sd_d = float(np.std(d, ddof=1))
        rows.append(
            {
                "variant": n,
                "f_avg": 100 * f.mean(),
                "f_sd": 100 * f.std(ddof=1),
                "macro": 100 * m.mean(),
                "macro_sd": 100 * m.std(ddof=1),
                "diff": 100 * d.mean(),
                "diff_sd": 100 * sd_d,
                "thresh": 100 * 2 * sd_d / np.sqrt(k),
                "wins": int(np.sum(d > 1e-12)),
                "ties": int(np.sum(np.abs(d) <= 1e-12)),
                "k": k,
                "dmacro": 100 * (m - base_m).mean(),
                "real": bool(d.mean() > 2 * sd_d / np.sqrt(k)) if sd_d > 0 else False,
                "chosen": _chosen_summary(rs),
            }
        )
    return rows


def _chosen_summary(rs) -> str:
    from collections import Counter

    c = Counter(json.dumps(ch, sort_keys=True) for r in rs for ch in r["chosen"] if ch)
    return "; ".join(f"{k.strip('{}').replace(chr(34), '')} x{v}" for k, v in c.most_common(4))


def cmd_report(args):
    for path in args.files:
        runs = json.loads(Path(path).read_text())
        print(f"\n### {path} (split seeds {runs['seeds'][0]}..{runs['seeds'][-1]}, 5-fold x {len(runs['seeds'])})\n")
        print(
            "| variant | F_avg mean ± sd | macro-F1 mean ± sd | paired diff F_avg ± sd | 2·sd/√k | "
            "beats base (ties) | Δmacro-F1 | real gain? | inner-CV choices (fold count) |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        for r in summarise(runs):
            print(
                f"| {r['variant']} | {r['f_avg']:.2f} ± {r['f_sd']:.2f} | {r['macro']:.2f} ± {r['macro_sd']:.2f} "
                f"| {r['diff']:+.2f} ± {r['diff_sd']:.2f} | {r['thresh']:.2f} | {r['wins']}/{r['k']} ({r['ties']}) "
                f"| {r['dmacro']:+.2f} | {'yes' if r['real'] else 'no'} | {r['chosen']} |"
            )


def cmd_check(args):
    texts, y = load("train")
    out = []
    for seed in range(10):
        r = mtopics.cross_validate_stance(
            lambda: mtopics.StanceClassifier(char_ngram_range=(2, 5)),
            texts,
            list(y),
            evaluate=[True] * len(texts),
            folds=5,
            random_state=seed,
        )
        out.append((r["f_avg"], r["macro_f1"]))
    a = np.array(out)
    print("per seed F_avg:", " ".join(f"{100 * v:.2f}" for v in a[:, 0]))
    print(
        f"library cross_validate_stance, seeds 0-9: F_avg {100 * a[:, 0].mean():.2f} "
        f"± {100 * a[:, 0].std(ddof=1):.2f}, "
        f"macro-F1 {100 * a[:, 1].mean():.2f} ± {100 * a[:, 1].std(ddof=1):.2f}"
    )


def cmd_val(args):
    texts, y = load("train")
    vt, vy = load("val")
    feats = Features(texts)
    Ftr, Fva = feats.all(texts, feats.tok_tr), feats.all(vt)
    Ftr["texts"], Fva["texts"] = np.array(texts, dtype=object), np.array(vt, dtype=object)
    print("| variant | train -> val F_avg | macro-F1 | n |\n|---|---|---|---|")
    with threadpool_limits(limits=1):
        for n in args.variants.split(","):
            m = VARIANTS[n]().fit(Ftr, y)
            p = argmax_labels(m.scores(Fva))
            print(
                f"| {n} | {100 * f_avg(vy, p):.1f} | {100 * macro_f1(vy, p):.1f} | {len(vy)} | "
                f"{getattr(m, 'chosen', '')}"
            )


def cmd_time(args):
    texts, y = load("train")
    print("| variant | seconds for one fit on all of train (features + model, median of 3) |\n|---|---|")
    with threadpool_limits(limits=1):
        mtopics.StanceClassifier().fit(texts, list(y))  # warm caches (tokeniser)
        for n in args.variants.split(","):
            ts = []
            for _ in range(3):
                _VADER.clear()  # VADER scores are cached per text: time them from scratch
                t0 = time.perf_counter()
                m = VARIANTS[n]()
                if not isinstance(m, Library):  # the library computes its own features
                    feats = Features(texts)
                    F = feats.lazy(texts, feats.tok_tr)
                else:
                    F = {"texts": np.array(texts, dtype=object)}
                m.fit(F, y)
                ts.append(time.perf_counter() - t0)
            print(f"| {n} | {np.median(ts):.2f} |")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--seeds", default="0-9")
    r.add_argument("--variants", default="all")
    r.add_argument("--out", default=str(HERE / "results" / "stance_variants_orig.json"))
    r.add_argument("--n-jobs", type=int, default=2)
    sub.add_parser("check")
    p = sub.add_parser("report")
    p.add_argument("files", nargs="+")
    v = sub.add_parser("val")
    v.add_argument("--variants", default="base")
    t = sub.add_parser("time")
    t.add_argument("--variants", default="base")
    args = ap.parse_args()
    {"run": cmd_run, "check": cmd_check, "report": cmd_report, "val": cmd_val, "time": cmd_time}[args.cmd](args)


if __name__ == "__main__":
    main()
