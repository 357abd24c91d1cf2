"""Tests of mtopics._target: target terms and how a text mentions them."""

from __future__ import annotations

import pytest

from mtopics import TargetTerms
from mtopics._target import check_target_term


def test_a_phrase_matches_apart_hyphenated_joined_and_as_a_hashtag() -> None:
    target = TargetTerms(["me too"])
    text = "Me Too began in 2006; the me-too wave, #MeToo and #metoo followed. MeToo!"
    assert target.mentions(text) == {"me too": 5}
    # the words of a phrase must follow each other: other words in between do not match
    assert target.mentions("me and you too") == {}


def test_a_trailing_star_matches_any_ending_of_whole_words_only() -> None:
    target = TargetTerms(["harass*", "rape"])
    assert target.mentions("He harassed her; harassment is harassing.") == {"harass*": 3}
    # whole words: not inside another word, and a term without * matches only itself
    assert target.mentions("Embarrassing grapes and drapes; rapeseed oil.") == {}
    assert target.mentions("RAPE, rape. Rape?") == {"rape": 3}


def test_case_and_unicode_forms_are_ignored() -> None:
    # full-width letters (NFKC)
    assert TargetTerms(["metoo"]).mentions("\uff2d\uff45\uff34\uff4f\uff4f") == {"metoo": 1}
    # typographic dashes and spaces between the words of a phrase
    for joined in ("me\u2011too", "me\u2013too", "me\u00a0too", "Me\u200btoo"):
        assert TargetTerms(["me too"]).mentions(joined) == {"me too": 1}, joined


def test_counts_are_sorted_most_frequent_first_then_in_term_order() -> None:
    target = TargetTerms(["survivor*", "abus*", "consent"])
    counts = target.mentions("abuse, consent, abused, survivors, consent, abusive")
    assert list(counts.items()) == [("abus*", 3), ("consent", 2), ("survivor*", 1)]


def test_a_phrase_wins_over_a_word_it_starts_with() -> None:
    target = TargetTerms(["sexual", "sexual harassment"])
    assert target.mentions("sexual harassment and sexual abuse") == {"sexual harassment": 1, "sexual": 1}


def test_no_terms_match_nothing() -> None:
    assert TargetTerms([]).mentions("harassment #MeToo") == {}


@pytest.mark.parametrize("term", ["", "a*b", "two  spaces", "*x", "dot.com", "trailing ", "under_score", "#"])
def test_invalid_terms_are_refused_with_the_term_named(term: str) -> None:
    assert check_target_term(term) is not None
    with pytest.raises(ValueError, match=r"target term .* is not valid"):
        TargetTerms(["rape", term])


def test_repeated_terms_are_refused() -> None:
    with pytest.raises(ValueError, match="repeat"):
        TargetTerms(["Rape", "rape"])


def test_equality_follows_the_terms() -> None:
    assert TargetTerms(["a", "b"]) == TargetTerms(["a", "b"]) != TargetTerms(["b", "a"])
    assert len({TargetTerms(["a"]), TargetTerms(["a"])}) == 1


def test_terms_are_put_in_the_same_unicode_form_as_the_text() -> None:
    assert TargetTerms(["\ufb01le"]).mentions("file") == {"\ufb01le": 1}  # the "fi" ligature
    assert TargetTerms(["cafe\u0301"]).mentions("Caf\u00e9 owners") == {"cafe\u0301": 1}  # a combining accent
    assert TargetTerms(["\u0939\u093f\u0902\u0938\u093e"]).mentions("\u092f\u0939 \u0939\u093f\u0902\u0938\u093e")


def test_one_string_is_refused_and_a_leading_hash_changes_nothing() -> None:
    with pytest.raises(TypeError, match="not one string"):
        TargetTerms("harass*")
    with pytest.raises(ValueError, match="repeat"):
        TargetTerms(["#metoo", "metoo"])
    assert TargetTerms(["#metoo"]).mentions("metoo and #MeToo") == {"#metoo": 2}
