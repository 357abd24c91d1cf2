"""Evaluation measures for topic models and the stance classifier."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

__all__ = [
    "STANCE_LABELS",
    "calibration_report",
    "stance_report",
    "theme_coverage",
    "topic_coherence",
    "topic_coherences",
    "topic_diversity",
    "topic_stability",
]

#: The stance labels, in the order used by every probability vector.
STANCE_LABELS: tuple[str, str, str] = ("favor", "against", "none")

#: A topic that draws at least this share of its tokens from one article (in a corpus of 3 or
#: more) is flagged by the experiment log and the topic report: it may be that article.
ONE_ARTICLE_SHARE = 0.8


def topic_diversity(topics: Sequence[Sequence[str]], topn: int = 25) -> float:
    """Share of unique words among the top ``topn`` words of all topics (Dieng et al. 2020).

    1.0 means no word is shared by two topics.

    >>> topic_diversity([["a", "b"], ["b", "c"]], topn=2)
    0.75
    """
    words = [w for topic in topics for w in list(topic)[:topn]]
    return len(set(words)) / len(words) if words else 0.0


def topic_stability(runs: Sequence[Sequence[Sequence[Hashable]]], topn: int = 10) -> float:
    """How well the topics of several runs (e.g. different seeds) match, in [0, 1].

    For every ordered pair of runs, each topic of the first is matched to its most similar
    topic of the second (Jaccard similarity of their top ``topn`` terms); the score is the
    mean best-match similarity over all topics and pairs.  1.0: every run found the same
    topics.

    >>> a = [["court", "judge"], ["song", "album"]]
    >>> topic_stability([a, a])
    1.0
    >>> topic_stability([a, [["court", "lawyer"], ["film", "actor"]]])
    0.1667
    """
    sets = [[set(list(t)[:topn]) for t in run] for run in runs]
    scores = []
    for i, first in enumerate(sets):
        for j, second in enumerate(sets):
            if i == j or not second:
                continue
            for topic in first:
                scores.append(
                    max(len(topic & other) / len(topic | other) if topic | other else 0.0 for other in second)
                )
    return round(float(np.mean(scores)), 4) if scores else float("nan")


def theme_coverage(
    topics: Sequence[Sequence[str]],
    themes: Mapping[str, Iterable[str]],
    topn: int = 10,
    min_hits: int = 2,
) -> dict[str, int | None]:
    """Which topic, if any, stands for each expected theme (one topic per theme at most).

    A topic *hits* a theme with each of its top ``topn`` terms that contains one of the
    theme's words (a phrase ``male_rape`` or ``male rape`` counts for ``male`` and
    ``rape``).  Themes and topics are paired one to one so that the total number of hits
    is largest (Hungarian assignment); a pair with fewer than ``min_hits`` hits does not
    count, and its theme is not found.

    Parameters
    ----------
    topics : list of list of str
        Top terms of each topic, best first.
    themes : dict
        Theme name -> words that name it.

    Returns
    -------
    dict
        Theme name -> index of its topic, or ``None`` when no topic stands for it.

    >>> theme_coverage([["court", "judge", "case"], ["song", "male_singer"]],
    ...                {"law": ["court", "case"], "music": ["song", "singer"], "film": ["film", "actor"]})
    {'law': 0, 'music': 1, 'film': None}
    """
    from scipy.optimize import linear_sum_assignment

    names = list(themes)
    hits = np.zeros((len(names), len(topics)))
    for i, name in enumerate(names):
        vocabulary = {w.lower() for w in themes[name]}
        for k, topic in enumerate(topics):
            hits[i, k] = sum(
                bool(set(term.lower().replace("_", " ").split()) & vocabulary) for term in list(topic)[:topn]
            )
    hits[hits < min_hits] = 0
    found: dict[str, int | None] = dict.fromkeys(names)
    for i, k in zip(*linear_sum_assignment(hits, maximize=True), strict=True):
        if hits[i, k] > 0:
            found[names[i]] = int(k)
    return found


def topic_coherence(
    topics: Sequence[Sequence[str]],
    texts: Sequence[Sequence[str]],
    measure: str = "c_v",
    topn: int = 10,
) -> tuple[float, list[float]]:
    """Coherence of topics on reference texts, with gensim's ``CoherenceModel``.

    Parameters
    ----------
    topics : list of list of str
        Top terms of each topic, best first.
    texts : list of list of str
        Reference texts (token lists) in which co-occurrence is counted.
    measure : {"c_v", "c_npmi", "u_mass", "c_uci"}
    topn : int
        Terms of each topic taken into account.

    Returns
    -------
    mean : float
        Mean coherence over topics.
    per_topic : list of float
        One value per topic, in order; NaN for a topic with fewer than two
        words found in the reference texts.
    """
    return topic_coherences(topics, texts, (measure,), topn)[measure]


def topic_coherences(
    topics: Sequence[Sequence[str]],
    texts: Sequence[Sequence[str]],
    measures: Sequence[str] = ("c_v", "c_npmi", "u_mass"),
    topn: int = 10,
) -> dict[str, tuple[float, list[float]]]:
    """Several coherence measures at once (the reference vocabulary is built once).

    Returns ``{measure: (mean, per_topic)}``; see :func:`topic_coherence`.

    >>> texts = [["court", "judge", "case"], ["song", "album", "singer"]] * 5
    >>> scores = topic_coherences([["court", "judge"], ["song", "album"]], texts, ("c_npmi",))
    >>> round(scores["c_npmi"][0], 2)
    1.0
    """
    from gensim.corpora import Dictionary
    from gensim.models.coherencemodel import CoherenceModel

    dictionary = Dictionary(texts)
    kept = [[w for w in topic if w in dictionary.token2id][:topn] for topic in topics]
    scorable = [i for i, t in enumerate(kept) if len(t) >= 2]
    out: dict[str, tuple[float, list[float]]] = {}
    corpus = None
    for measure in measures:
        per_topic = [float("nan")] * len(kept)
        if not scorable:
            out[measure] = (float("nan"), per_topic)
            continue
        if measure == "u_mass" and corpus is None:
            corpus = [dictionary.doc2bow(t) for t in texts]
        model = CoherenceModel(
            topics=[kept[i] for i in scorable],
            texts=texts if measure != "u_mass" else None,
            corpus=corpus if measure == "u_mass" else None,
            dictionary=dictionary,
            coherence=measure,
            topn=topn,
            processes=1,
        )
        for i, value in zip(scorable, model.get_coherence_per_topic(), strict=True):
            per_topic[i] = float(value)
        out[measure] = (float(np.nanmean(per_topic)), per_topic)
    return out


def stance_report(
    y_true: Sequence[str],
    y_pred: Sequence[str],
    labels: Sequence[str] = STANCE_LABELS,
) -> dict[str, Any]:
    """Stance metrics: macro-F1, F_avg (mean F1 of favor and against), per-class F1, confusion.

    A class that is neither in ``y_true`` nor in ``y_pred`` has no defined F1:
    it is reported as ``None`` and left out of the averages (and
    ``labels_evaluated`` says which classes the averages cover).  A class that
    is predicted but absent from ``y_true`` has F1 0 and counts.

    >>> r = stance_report(["favor", "against", "none"], ["favor", "none", "none"])
    >>> round(r["macro_f1"], 3), round(r["f_avg"], 3), r["n"]
    (0.556, 0.5, 3)
    >>> stance_report(["favor", "none"], ["favor", "none"])["f_avg"]
    1.0
    """
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    labels = list(labels)
    if len(y_true) == 0:
        empty = {label: {"precision": 0.0, "recall": 0.0, "f1": None, "support": 0} for label in labels}
        return {
            "n": 0,
            "macro_f1": 0.0,
            "f_avg": 0.0,
            "labels_evaluated": [],
            "accuracy": 0.0,
            "per_class": empty,
            "confusion": {"labels": labels, "matrix": [[0] * len(labels) for _ in labels]},
        }
    precision, recall, f1, support = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    present = set(y_true) | set(y_pred)
    per_class = {
        label: {
            "precision": float(precision[i]),
            "recall": float(recall[i]),
            "f1": float(f1[i]) if label in present else None,
            "support": int(support[i]),
        }
        for i, label in enumerate(labels)
    }
    defined = [label for label in labels if label in present]
    pair = [float(f1[labels.index(label)]) for label in ("favor", "against") if label in present]
    return {
        "n": len(y_true),
        "macro_f1": float(np.mean([float(f1[labels.index(label)]) for label in defined])) if defined else 0.0,
        "f_avg": float(np.mean(pair)) if pair else 0.0,
        "labels_evaluated": defined,
        "accuracy": float(np.mean(np.asarray(y_true) == np.asarray(y_pred))) if len(y_true) else 0.0,
        "per_class": per_class,
        "confusion": {
            "labels": labels,
            "matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
        },
    }


def calibration_report(
    y_true: Sequence[str],
    proba: np.ndarray,
    labels: Sequence[str] = STANCE_LABELS,
    bins: int = 10,
) -> dict[str, Any]:
    """How well probabilities match outcomes: Brier score, log loss and expected calibration error.

    ``proba`` holds one row per example, the probabilities of ``labels`` in that order.
    Brier score: mean over examples of the summed squared difference between the
    probabilities and the one-hot truth (0 is perfect; always answering equal shares of 3
    classes scores 0.667).  Log loss: mean negative log probability of the true label
    (probabilities clipped at 1e-15).  ECE: the examples are put in ``bins`` equal-width bins
    by their top probability (the confidence); ECE is the mean, weighted by bin size, of
    |accuracy - mean confidence| in each bin (0 is perfect).  ``reliability`` lists the
    non-empty bins: their range, count, mean confidence and accuracy.

    >>> r = calibration_report(["favor", "none"], np.array([[0.8, 0.1, 0.1], [0.3, 0.1, 0.6]]))
    >>> r["n"], round(r["brier"], 3), round(r["ece"], 3)
    (2, 0.16, 0.3)
    """
    labels = list(labels)
    p = np.asarray(proba, dtype=np.float64)
    if p.shape != (len(y_true), len(labels)):
        raise ValueError(f"proba has shape {p.shape}; expected ({len(y_true)}, {len(labels)})")
    if len(y_true) == 0:
        return {"n": 0, "brier": None, "log_loss": None, "ece": None, "reliability": []}
    truth = np.array([labels.index(y) for y in y_true])
    onehot = np.eye(len(labels))[truth]
    confidence = p.max(axis=1)
    correct = p.argmax(axis=1) == truth
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.searchsorted(edges, confidence, side="right") - 1, 0, bins - 1)
    reliability = []
    ece = 0.0
    for b in range(bins):
        members = which == b
        if not members.any():
            continue
        conf, acc = float(confidence[members].mean()), float(correct[members].mean())
        ece += members.mean() * abs(acc - conf)
        bounds = [b / bins, (b + 1) / bins]
        reliability.append({"bin": bounds, "n": int(members.sum()), "confidence": conf, "accuracy": acc})
    return {
        "n": len(truth),
        "brier": float(np.mean(np.sum((p - onehot) ** 2, axis=1))),
        "log_loss": float(-np.mean(np.log(np.clip(p[np.arange(len(truth)), truth], 1e-15, 1.0)))),
        "ece": float(ece),
        "reliability": reliability,
    }
