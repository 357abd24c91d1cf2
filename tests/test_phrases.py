"""Tests of mtopics._phrases: phrases learnt on the seed corpus, joining, persistence."""

from __future__ import annotations

import json

import pytest

from mtopics import NotFittedError, PhraseDetector, TextCleaner


@pytest.fixture(scope="module")
def seed_tokens(seed_texts: dict[str, str]) -> list[list[str]]:
    cleaner = TextCleaner()
    return [cleaner.tokenize(text) for text in seed_texts.values()]


@pytest.fixture(scope="module")
def detector(seed_tokens: list[list[str]]) -> PhraseDetector:
    return PhraseDetector(min_count=3, threshold=0.5).fit(seed_tokens)


def test_seed_phrases(detector: PhraseDetector) -> None:
    phrases = detector.phrases_
    assert "sexual_harassment" in phrases
    assert "khawaja_sira" in phrases
    assert phrases["khawaja_sira"] == pytest.approx(1.0)
    assert all(0.5 <= score <= 1.0 for score in phrases.values())
    # a frequent word followed by many different words is no phrase
    assert not any(p.startswith("pakistan_") for p in phrases)


def test_min_count_and_threshold_filter(seed_tokens: list[list[str]], detector: PhraseDetector) -> None:
    strict = PhraseDetector(min_count=3, threshold=0.8).fit(seed_tokens)
    assert set(strict.phrases_) < set(detector.phrases_)
    assert "khawaja_sira" in strict.phrases_
    assert "sexual_harassment" not in strict.phrases_
    rare = PhraseDetector(min_count=50, threshold=0.5).fit(seed_tokens)
    assert rare.phrases_ == {}


def test_max_phrases_keeps_the_best(seed_tokens: list[list[str]], detector: PhraseDetector) -> None:
    best = PhraseDetector(min_count=3, threshold=0.5, max_phrases=3).fit(seed_tokens)
    ranked = sorted(detector.phrases_.items(), key=lambda kv: (-kv[1], kv[0]))
    assert best.phrases_ == dict(ranked[:3])


def test_fit_accepts_a_stream(seed_tokens: list[list[str]], detector: PhraseDetector) -> None:
    streamed = PhraseDetector(min_count=3, threshold=0.5).fit(tokens for tokens in seed_tokens)
    assert streamed.phrases_ == detector.phrases_


def test_transform_joins_left_to_right(detector: PhraseDetector) -> None:
    assert detector.transform(["new", "sexual", "harassment", "law"]) == ["new", "sexual_harassment", "law"]
    # "trans khawaja" and "khawaja sira" are both phrases: the left pair wins
    assert {"trans_khawaja", "khawaja_sira"} <= set(detector.phrases_)
    assert detector.transform(["trans", "khawaja", "sira"]) == ["trans_khawaja", "sira"]
    assert detector.transform(["khawaja", "sira", "sexual", "harassment", "sexual"]) == [
        "khawaja_sira",
        "sexual_harassment",
        "sexual",
    ]
    assert detector.transform(["harassment", "sexual"]) == ["harassment", "sexual"]
    assert detector.transform([]) == []


def test_custom_delimiter() -> None:
    docs = [["sexual", "harassment", "case"], ["sexual", "harassment", "law"], ["law", "case"]] * 3
    det = PhraseDetector(min_count=2, threshold=0.3, delimiter=" ").fit(docs)
    assert det.transform(["sexual", "harassment"]) == ["sexual harassment"]


def test_not_fitted() -> None:
    with pytest.raises(NotFittedError, match="PhraseDetector is not fitted"):
        PhraseDetector().transform(["a", "b"])


def test_state_round_trip(detector: PhraseDetector, seed_tokens: list[list[str]]) -> None:
    state = detector.get_state()
    assert state["params"] == {"min_count": 3, "threshold": 0.5, "max_phrases": 5000, "delimiter": "_"}
    restored = PhraseDetector.from_state(json.loads(json.dumps(state)))
    assert restored.phrases_ == detector.phrases_
    assert restored.get_state() == state
    for tokens in seed_tokens:
        assert restored.transform(tokens) == detector.transform(tokens)
    assert any(detector.transform(tokens) != tokens for tokens in seed_tokens)


def test_unfitted_state_round_trip() -> None:
    state = PhraseDetector(min_count=2).get_state()
    assert state["phrases"] is None
    restored = PhraseDetector.from_state(json.loads(json.dumps(state)))
    assert restored.min_count == 2
    with pytest.raises(NotFittedError):
        restored.transform(["a"])
