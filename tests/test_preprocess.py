"""Tests of mtopics._preprocess: passages, stance units, tokens and phrases as one object."""

from __future__ import annotations

import json

from mtopics import PassageParams, Preprocessor, TextCleaner

ARTICLE = (
    "Court adjourns hearing\n\n"
    "The court adjourned the hearing of the harassment complaint until next month after lawyers for both "
    "sides asked for more time to examine the new documents placed on record.\n\n"
    "It took courage.\n\n"
    "The next hearing is fixed for the second week of March, the court said."
)


def test_stance_units_keep_short_paragraphs_apart() -> None:
    pre = Preprocessor(passage_params=PassageParams(min_words=30))
    passages = pre.passages("a", ARTICLE)
    units = pre.stance_units("a", ARTICLE)
    assert len(units) == 4 and len(passages) < len(units)
    assert [u.text for u in units][2] == "It took courage."
    for u in units:
        assert ARTICLE[u.start : u.end] == u.text


def test_tokens_join_phrases_once_fitted() -> None:
    pre = Preprocessor(TextCleaner())
    docs = [pre.raw_tokens("sexual harassment at work and sexual harassment in court")] * 4
    assert "sexual_harassment" not in pre.tokens("sexual harassment")
    pre.fit_phrases(docs, min_count=2, threshold=0.1)
    assert pre.tokens("sexual harassment cases") == ["sexual_harassment", "cases"]


def test_state_round_trip() -> None:
    pre = Preprocessor(TextCleaner(extra_stopwords=("said",)), PassageParams(max_words=50))
    pre.fit_phrases([["khawaja", "sira", "rights"]] * 5, min_count=2, threshold=0.1)
    again = Preprocessor.from_state(json.loads(json.dumps(pre.get_state())))
    assert again == pre or again.get_state() == pre.get_state()
    assert again.tokens("Khawaja Sira rights, she said") == pre.tokens("Khawaja Sira rights, she said")
