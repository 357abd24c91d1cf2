"""Tests of mtopics._passages: offsets, paragraphs, merging, sentence cuts and windows."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

import pytest

from mtopics import Passage, TextCleaner, split_passages
from mtopics._passages import PASSAGE_MODES, sentence_spans

SEED_000 = "000_e72238ba483aa3b1.txt"
SEED_001 = "001_9c6e044fcf1d40eb.txt"
SEED_002 = "002_4eebaccbc8e53cc2.txt"
SEED_003 = "003_3ba491e6b5ff972b.txt"
SEED_004 = "004_b82a03ac4e9ce3ab.txt"
HEADLINE_002 = "What #MeToo Means for Pakistan\u2019s Most Marginalised"

SKIP = TextCleaner().is_empty


def _n_words(text: str) -> int:
    return len(text.split())


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


# --- offsets ------------------------------------------------------------------------


@pytest.mark.parametrize("mode", PASSAGE_MODES)
@pytest.mark.parametrize("skip", [None, SKIP], ids=["no-skip", "skip-furniture"])
def test_offsets_give_the_passage_back(
    seed_texts: dict[str, str], mode: str, skip: Callable[[str], bool] | None
) -> None:
    for name, text in seed_texts.items():
        passages = split_passages(text, name, mode=mode, skip=skip)
        assert passages, name
        for i, p in enumerate(passages):
            assert text[p.start : p.end] == p.text
            assert p.text == p.text.strip()
            assert (p.doc_id, p.index, p.id) == (name, i, f"{name}#{i}")
        # passages are in order and do not overlap
        for a, b in itertools.pairwise(passages):
            assert a.end <= b.start


def test_passage_id() -> None:
    assert Passage("doc", 3, 0, 1, "x").id == "doc#3"


# --- paragraphs ----------------------------------------------------------------------


def test_paragraph_mode_on_seed_000(seed_texts: dict[str, str]) -> None:
    text = seed_texts[SEED_000]
    passages = split_passages(text, "000", mode="paragraph", skip=SKIP)
    assert [_n_words(p.text) for p in passages] == [66, 36, 48, 65, 41, 73]
    # the " date 2019-10-29 Share:" header is furniture: the first passage starts with the article
    assert passages[0].text.startswith("Celebrity Osman Khalid Butt spoke out on Monday")
    # the short first paragraph (28 words) was joined to the next one
    assert "\n\nMehmood had disclosed" in passages[0].text
    # the last two short paragraphs (20 and 27 words) end up with the one before them
    assert passages[-1].text.startswith("Butt called Jami")
    assert passages[-1].text.endswith("against an unnamed media magnate.")
    assert split_passages(text, "000", mode="auto", skip=SKIP) == passages


def test_paragraph_mode_on_seed_001(seed_texts: dict[str, str]) -> None:
    text = seed_texts[SEED_001]
    passages = split_passages(text, "001", mode="paragraph", skip=SKIP)
    # paragraphs of 27+38, 89, 61, 75, 82, 29+33, 21+2+41, 45, 30, 69, 40 words
    assert [_n_words(p.text) for p in passages] == [65, 89, 61, 75, 82, 62, 64, 45, 30, 69, 40]
    assert passages[6].text.startswith("Other than OKB, Meesha Shafi")
    assert "\n\nJami's allegations\n\nOn October 20" in passages[6].text


def test_paragraph_mode_on_seed_002(seed_texts: dict[str, str]) -> None:
    text = seed_texts[SEED_002]
    passages = split_passages(text, "002", mode="paragraph", skip=SKIP)
    assert len(passages) == 21
    # the headline stands alone: its repeat was dropped, and no passage spans dropped text
    assert passages[0].text == HEADLINE_002
    assert all(30 <= _n_words(p.text) <= 120 for p in passages[1:])
    assert passages[-1].text.endswith("*women: including Trans and Khawaja Sira women")


def test_without_skip_furniture_stays(seed_texts: dict[str, str]) -> None:
    text = seed_texts[SEED_002]
    passages = split_passages(text, "002")
    assert passages[0].text.startswith("Type to search\n\n")
    assert passages[-1].text.endswith("Required fields are marked *")


def test_furniture_paragraphs_of_002_are_skipped(seed_texts: dict[str, str]) -> None:
    furniture = {
        "Type to search",
        "*Feature Image Source: Dawn*",
        "Facebook Comments",
        "You Might also Like",
        "Leave a Comment",
        "Your email address will not be published. Required fields are marked *",
    }
    text = seed_texts[SEED_002]
    for min_words in (1, 30):
        passages = split_passages(text, "002", min_words=min_words, skip=SKIP)
        assert not any(p.text in furniture for p in passages)
        assert not any(f in p.text for p in passages for f in furniture)


def test_short_paragraphs_are_merged() -> None:
    text = "One two three.\n\nFour five six.\n\nSeven eight nine ten.\n\nEleven twelve."
    passages = split_passages(text, min_words=5)
    # 3 + 3 words make a passage; 4 words are short and the article ends: joined to the previous one
    assert [p.text for p in passages] == [
        "One two three.\n\nFour five six.",
        "Seven eight nine ten.\n\nEleven twelve.",
    ]
    assert [p.text for p in split_passages(text, min_words=20)] == [text]
    assert len(split_passages(text, min_words=1)) == 4


def test_a_short_article_is_one_passage() -> None:
    assert [p.text for p in split_passages("  Just a title  ", "t")] == ["Just a title"]


def test_a_repeated_headline_is_dropped() -> None:
    text = "Headline here\n\nHeadline here\n\nBody one two.\n\nHeadline here"
    passages = split_passages(text, min_words=1)
    # only the paragraph equal to the previous one goes
    assert [p.text for p in passages] == ["Headline here", "Body one two.", "Headline here"]


def test_repeated_headline_of_002_without_merging(seed_texts: dict[str, str]) -> None:
    text = seed_texts[SEED_002]
    assert text.count(HEADLINE_002) == 2
    passages = split_passages(text, "002", min_words=1, skip=SKIP)
    assert passages[0].text == HEADLINE_002
    assert passages[1].text.startswith("In the better part of 2018")
    assert sum(p.text.count(HEADLINE_002) for p in passages) == 1


def test_repeated_headline_of_002_is_dropped_when_merging(seed_texts: dict[str, str]) -> None:
    text = seed_texts[SEED_002]
    passages = split_passages(text, "002", skip=SKIP)
    assert sum(p.text.count(HEADLINE_002) for p in passages) == 1


def test_skipped_furniture_between_merged_paragraphs_stays_out() -> None:
    text = "A short intro.\n\nType to search\n\nThe body paragraph has enough words here."
    passages = split_passages(text, min_words=5, skip=SKIP)
    assert all("Type to search" not in p.text for p in passages)


# --- long paragraphs cut at sentence ends -------------------------------------------


def test_seed_003_one_paragraph_is_cut_at_sentence_ends(seed_texts: dict[str, str]) -> None:
    text = seed_texts[SEED_003]
    assert "\n" not in text
    passages = split_passages(text, "003", max_words=120)
    assert [_n_words(p.text) for p in passages] == [109, 108, 110, 114, 106, 86, 114]
    assert all(_n_words(p.text) <= 120 for p in passages)
    sentence_ends = {end for _, end in sentence_spans(text)}
    for p in passages[:-1]:
        assert p.text[-1] in ".!?"
        assert p.end in sentence_ends
    # the article ends without a full stop
    assert passages[-1].text.endswith("National Defence University")
    # nothing is lost between passages
    assert all(text[a.end : b.start] == " " for a, b in itertools.pairwise(passages))
    assert (passages[0].start, passages[-1].end) == (0, len(text))


@pytest.mark.parametrize("max_words", [40, 80, 200])
def test_seed_003_respects_max_words(seed_texts: dict[str, str], max_words: int) -> None:
    text = seed_texts[SEED_003]
    # sentences longer than max_words are cut into windows; a window of max_words // 2 (plus a
    # merged short remainder) always fits
    passages = split_passages(text, "003", max_words=max_words, min_words=1, window=max_words // 2)
    assert all(_n_words(p.text) <= max_words for p in passages)
    assert sum(_n_words(p.text) for p in passages) == _n_words(text)


def test_a_sentence_longer_than_max_words_is_windowed() -> None:
    long_sentence = " ".join(f"w{i}" for i in range(50)) + "."
    text = f"Short one. {long_sentence} Then the end."
    passages = split_passages(text, min_words=1, max_words=20, window=10)
    assert all(_n_words(p.text) <= 20 for p in passages)
    assert sum(_n_words(p.text) for p in passages) == _n_words(text)


# --- text without punctuation: windows ------------------------------------------------


def test_seed_004_is_cut_into_windows(seed_texts: dict[str, str]) -> None:
    text = seed_texts[SEED_004]
    words = text.split()
    assert len(words) == 1691
    passages = split_passages(text, "004")
    # 16 windows of 100 words; the last 91 words are long enough to stay a window
    assert [_n_words(p.text) for p in passages] == [100] * 16 + [91]
    for i, p in enumerate(passages):
        assert p.text.split() == words[100 * i : 100 * (i + 1)]
    assert split_passages(text, "004", mode="window") == passages


def test_seed_004_last_short_window_is_merged(seed_texts: dict[str, str]) -> None:
    text = seed_texts[SEED_004]
    words = text.split()
    # 1691 = 14 * 120 + 11, and 11 < 120 // 3: the last 11 words join the previous window
    passages = split_passages(text, "004", window=120, max_words=120)
    assert [_n_words(p.text) for p in passages] == [120] * 13 + [131]
    assert passages[-1].text.split() == words[13 * 120 :]
    assert passages[-1].end == len(text)


def test_window_mode_ignores_paragraphs_and_min_words() -> None:
    text = "a b c\n\nd e f g\n\nh i j"
    assert [p.text for p in split_passages(text, mode="window", window=5, min_words=100)] == [
        "a b c\n\nd e",
        "f g\n\nh i j",
    ]
    # 10 = 9 + 1 words, and 1 < 9 // 3: the last one-word window joins the previous one
    assert [p.text for p in split_passages(text, mode="window", window=9)] == [text]
    # 10 = 3 * 3 + 1 words, and 1 is not < 3 // 3: the last window stays
    assert [p.text for p in split_passages(text, mode="window", window=3)] == ["a b c", "d e f", "g\n\nh i", "j"]


# --- sentence mode --------------------------------------------------------------------


def test_sentence_mode_groups_sentences_across_paragraphs() -> None:
    text = "One two three.\n\nFour five six. Seven eight.\n\nNine ten eleven twelve."
    passages = split_passages(text, mode="sentence", max_words=6)
    assert [p.text for p in passages] == [
        "One two three.\n\nFour five six.",
        "Seven eight.\n\nNine ten eleven twelve.",
    ]


def test_sentence_mode_respects_max_words_on_seed_004(seed_texts: dict[str, str]) -> None:
    passages = split_passages(seed_texts[SEED_004], "004", mode="sentence", max_words=120)
    assert all(_n_words(p.text) <= 120 for p in passages)


# --- sentence_spans ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        (
            'Dr. Ali spoke. She said: "It happened." Then it ended',
            ["Dr. Ali spoke.", 'She said: "It happened."', "Then it ended"],
        ),
        (
            "Mr. Zafar and Ms. Shafi met. Then Prof. Khan left.",
            ["Mr. Zafar and Ms. Shafi met.", "Then Prof. Khan left."],
        ),
        ("M. A. Jinnah founded it. Later, J. Doe wrote.", ["M. A. Jinnah founded it.", "Later, J. Doe wrote."]),
        ('He said "No." Then she left! Why? Because.', ['He said "No."', "Then she left!", "Why?", "Because."]),
        ("See e.g. Karachi. End", ["See e.g. Karachi.", "End"]),
        ("It rose in 2018. 93% agreed.", ["It rose in 2018.", "93% agreed."]),
        ("(Really.) Fine.", ["(Really.)", "Fine."]),
        ("lower case. after a stop", ["lower case. after a stop"]),
        ("No full stop at all", ["No full stop at all"]),
    ],
)
def test_sentence_spans(text: str, sentences: list[str]) -> None:
    assert _sentences(text) == sentences


def test_sentence_spans_of_a_slice_use_article_offsets() -> None:
    text = "Intro. First one. Second one. Outro."
    assert sentence_spans(text, 7, 29) == [(7, 17), (18, 29)]
    assert sentence_spans("   ") == []


# --- arguments ---------------------------------------------------------------------------


def test_invalid_mode() -> None:
    with pytest.raises(ValueError, match=re.escape("unknown passage mode 'para'")):
        split_passages("Some text.", mode="para")


@pytest.mark.parametrize("mode", PASSAGE_MODES)
@pytest.mark.parametrize("text", ["", "  \n\n \t "])
def test_empty_text_gives_no_passages(mode: str, text: str) -> None:
    assert split_passages(text, "e", mode=mode) == []


def test_only_furniture_gives_no_passages() -> None:
    assert split_passages("Type to search\n\nLeave a Comment", skip=SKIP) == []
