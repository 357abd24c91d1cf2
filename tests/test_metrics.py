"""Tests of mtopics._metrics: topic diversity, topic coherence and the stance report."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from mtopics import STANCE_LABELS, stance_report, topic_coherence, topic_diversity

# --- topic diversity -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("topics", "topn", "expected"),
    [
        ([["a", "b"], ["b", "c"]], 2, 0.75),
        ([["a", "b", "c"], ["c", "d", "e"], ["a", "f", "g"]], 3, 7 / 9),
        ([["a", "b", "c"], ["c", "d", "e"]], 2, 1.0),
        ([["a", "b"], ["a", "b"]], 25, 0.5),
        ([["a", "b", "c", "d"]], 25, 1.0),
        ([["a", "a"]], 25, 0.5),
        ([], 25, 0.0),
        ([[], []], 25, 0.0),
    ],
)
def test_topic_diversity(topics: list[list[str]], topn: int, expected: float) -> None:
    assert topic_diversity(topics, topn=topn) == pytest.approx(expected)


# --- topic coherence ----------------------------------------------------------------------

LAW = ["court", "judge", "case", "lawyer", "hearing"]
FILM = ["film", "actor", "cinema", "director", "drama"]
# each text: four words of one theme only
TEXTS = [[theme[(i + j) % 5] for j in range(4)] for i in range(10) for theme in (LAW, FILM)]
COHERENT = ["court", "judge", "case", "lawyer"]
MIXED = ["court", "film", "judge", "actor"]


@pytest.mark.parametrize("measure", ["c_v", "c_npmi", "u_mass", "c_uci"])
def test_coherent_topic_scores_higher_than_a_mix(measure: str) -> None:
    mean, per_topic = topic_coherence([COHERENT, MIXED], TEXTS, measure=measure, topn=4)
    assert len(per_topic) == 2
    assert per_topic[0] > per_topic[1]
    assert mean == pytest.approx((per_topic[0] + per_topic[1]) / 2)


def test_c_v_values() -> None:
    mean, per_topic = topic_coherence([COHERENT, ["film", "actor", "cinema"], MIXED], TEXTS, topn=4)
    assert len(per_topic) == 3
    assert per_topic[0] > 0.8
    assert per_topic[1] > 0.8
    assert per_topic[2] < 0.3
    assert mean == pytest.approx(sum(per_topic) / 3)


def test_coherence_with_no_usable_topic() -> None:
    mean, per_topic = topic_coherence([["unknown", "words"], ["court"]], TEXTS)
    assert math.isnan(mean)
    assert len(per_topic) == 2 and all(math.isnan(x) for x in per_topic)


def test_per_topic_list_is_aligned_with_topics() -> None:
    _, per_topic = topic_coherence([COHERENT, ["unknown", "words"], MIXED], TEXTS, topn=4)
    assert len(per_topic) == 3
    assert math.isnan(per_topic[1])
    assert per_topic[0] > per_topic[2]


# --- stance report --------------------------------------------------------------------------

# rows: true favor/against/none; columns: predicted favor/against/none
#   favor   [2, 1, 0]
#   against [0, 1, 1]
#   none    [2, 0, 2]
Y_TRUE = ["favor"] * 3 + ["against"] * 2 + ["none"] * 4
Y_PRED = ["favor", "favor", "against", "against", "none", "favor", "favor", "none", "none"]


def _f1(p: Fraction, r: Fraction) -> Fraction:
    return 2 * p * r / (p + r)


def test_stance_report_hand_computed() -> None:
    report = stance_report(Y_TRUE, Y_PRED)
    precision = {"favor": Fraction(2, 4), "against": Fraction(1, 2), "none": Fraction(2, 3)}
    recall = {"favor": Fraction(2, 3), "against": Fraction(1, 2), "none": Fraction(2, 4)}
    f1 = {label: _f1(precision[label], recall[label]) for label in STANCE_LABELS}
    assert f1 == {"favor": Fraction(4, 7), "against": Fraction(1, 2), "none": Fraction(4, 7)}
    assert report["n"] == 9
    assert report["accuracy"] == pytest.approx(5 / 9)
    assert report["macro_f1"] == pytest.approx(float(Fraction(23, 42)))
    assert report["f_avg"] == pytest.approx(float(Fraction(15, 28)))
    assert report["labels_evaluated"] == ["favor", "against", "none"]
    for label, support in zip(STANCE_LABELS, (3, 2, 4), strict=True):
        row = report["per_class"][label]
        assert row["precision"] == pytest.approx(float(precision[label]))
        assert row["recall"] == pytest.approx(float(recall[label]))
        assert row["f1"] == pytest.approx(float(f1[label]))
        assert row["support"] == support
    assert report["confusion"] == {
        "labels": ["favor", "against", "none"],
        "matrix": [[2, 1, 0], [0, 1, 1], [2, 0, 2]],
    }


def test_stance_report_docstring_case() -> None:
    report = stance_report(["favor", "against", "none"], ["favor", "none", "none"])
    # favor 1, against 0, none 2 * (1/2 * 1) / (1/2 + 1) = 2/3
    assert report["per_class"]["none"]["f1"] == pytest.approx(2 / 3)
    assert report["macro_f1"] == pytest.approx((1 + 0 + 2 / 3) / 3)
    assert report["f_avg"] == pytest.approx(0.5)
    assert report["accuracy"] == pytest.approx(2 / 3)


def test_class_absent_from_truth_and_predictions_is_left_out() -> None:
    report = stance_report(["favor", "none", "none"], ["favor", "none", "favor"])
    assert report["per_class"]["against"]["f1"] is None
    assert report["per_class"]["against"]["support"] == 0
    assert report["labels_evaluated"] == ["favor", "none"]
    # favor: p 1/2, r 1 -> 2/3; none: p 1, r 1/2 -> 2/3
    assert report["macro_f1"] == pytest.approx(2 / 3)
    assert report["f_avg"] == pytest.approx(2 / 3)


def test_class_predicted_but_absent_from_truth_counts_as_zero() -> None:
    report = stance_report(["favor", "none"], ["against", "none"])
    assert report["per_class"]["against"]["f1"] == 0.0
    assert report["per_class"]["favor"]["f1"] == 0.0
    assert report["labels_evaluated"] == ["favor", "against", "none"]
    assert report["macro_f1"] == pytest.approx(1 / 3)
    assert report["f_avg"] == 0.0


def test_stance_report_of_nothing() -> None:
    report = stance_report([], [])
    assert (report["n"], report["accuracy"], report["macro_f1"]) == (0, 0.0, 0.0)


def test_topic_stability_matches_topics_regardless_of_order() -> None:
    from mtopics import topic_stability

    a = [["court", "judge", "case"], ["song", "album", "band"]]
    b = [["song", "album", "band"], ["court", "judge", "case"]]  # same topics, other order
    assert topic_stability([a, b]) == 1.0
    c = [["court", "judge", "lawyer"], ["film", "actor", "set"]]
    value = topic_stability([a, c])
    assert value == round((0.5 + 0.0 + 0.5 + 0.0) / 4, 4)
    assert topic_stability([a]) != topic_stability([a])  # one run: nothing to compare (NaN)


def test_theme_coverage_pairs_themes_and_topics_one_to_one() -> None:
    from mtopics import theme_coverage

    topics = [["court", "song", "hearing"], ["court", "judge", "lawyer"], ["male_rape", "stigma", "film"]]
    themes = {"law": ["court", "judge", "lawyer"], "men": ["male", "stigma"], "music": ["song", "album"]}
    assert theme_coverage(topics, themes) == {"law": 1, "men": 2, "music": None}
    assert theme_coverage(topics, themes, min_hits=1)["music"] == 0
    # only the top `topn` terms count
    assert theme_coverage(topics, themes, topn=1)["law"] is None
    # one topic cannot stand for two themes: the pairing with most hits in all wins
    topics = [["jami", "filmmaker", "shame", "masculinity"], ["male_rape", "male", "section", "code", "act"]]
    themes = {"film": ["jami", "filmmaker"], "men": ["male", "shame", "masculinity"], "law": ["section", "code", "act"]}
    assert theme_coverage(topics, themes) == {"film": 0, "men": None, "law": 1}
    assert theme_coverage(topics, {"men": themes["men"], "film": ["jami", "filmmaker", "shame"]}) == {
        "men": 1,
        "film": 0,
    }


def test_calibration_report_scores_probabilities() -> None:
    from mtopics import calibration_report

    y = ["favor", "against", "none", "none"]
    perfect = calibration_report(y, np.eye(3)[[0, 1, 2, 2]])
    assert perfect["brier"] == 0 and perfect["ece"] == 0 and perfect["log_loss"] == pytest.approx(0, abs=1e-12)
    equal = calibration_report(y, np.full((4, 3), 1 / 3))
    assert equal["brier"] == pytest.approx(2 / 3) and equal["log_loss"] == pytest.approx(np.log(3))
    # confident and always wrong: the worst calibration
    wrong = calibration_report(["favor", "favor"], np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]))
    assert wrong["brier"] == pytest.approx(2.0) and wrong["ece"] == pytest.approx(1.0)
    assert wrong["reliability"] == [{"bin": [0.9, 1.0], "n": 2, "confidence": 1.0, "accuracy": 0.0}]
    with pytest.raises(ValueError, match=r"proba has shape \(2, 3\); expected \(4, 3\)"):
        calibration_report(y, np.zeros((2, 3)))
