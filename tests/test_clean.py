"""Tests of mtopics._clean: every cleaning step on its own, then TextCleaner."""

from __future__ import annotations

import pytest
from gensim.parsing.preprocessing import STOPWORDS as GENSIM_STOPWORDS
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from mtopics import (
    TextCleaner,
    fold_typography,
    normalize_unicode,
    remove_emails,
    remove_mentions,
    remove_urls,
    split_hashtags,
    stopword_list,
    strip_furniture,
    tokenize,
)

SEED_002 = "002_4eebaccbc8e53cc2.txt"
SEED_004 = "004_b82a03ac4e9ce3ab.txt"

# --- normalize_unicode ---------------------------------------------------------


def test_normalize_unicode_nfkc_expands_ligatures_and_compatibility_forms() -> None:
    assert normalize_unicode("\ufb01le \ufb02ow") == "file flow"
    assert normalize_unicode("\uff21\uff22 x\u00b2 \u2460") == "AB x2 1"


def test_normalize_unicode_nfc_composes_but_keeps_ligatures() -> None:
    assert normalize_unicode("e\u0301", "NFC") == "\u00e9"
    assert normalize_unicode("\ufb01le", "NFC") == "\ufb01le"
    assert normalize_unicode("\u00e9", "NFD") == "e\u0301"


# --- fold_typography -------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Pakistan\u2019s \u2018shame\u2019", "Pakistan's 'shame'"),
        ("\u201cMeToo\u201d \u201equoted\u201f", '"MeToo" "quoted"'),
        ("2018\u20132019 \u2014 a\u2212b \u2010x\u2011y", "2018-2019 - a-b -x-y"),
        ("a\u00a0b\u2009c\u202fd", "a b c d"),
        ("zero\u200bwidth\u200c\u200d\ufeff soft\u00adhyphen", "zerowidth softhyphen"),
        ("wait\u2026", "wait..."),
        ("plain ASCII stays", "plain ASCII stays"),
    ],
)
def test_fold_typography(raw: str, folded: str) -> None:
    assert fold_typography(raw) == folded


# --- strip_furniture ---------------------------------------------------------------

SEED_FURNITURE = [
    "Type to search",
    "Facebook Comments",
    "You Might also Like",
    "Leave a Comment",
    "Your email address will not be published. Required fields are marked *",
    " date 2019-10-29 Share:",
    "*Feature Image Source: Dawn*",
]


@pytest.mark.parametrize("line", SEED_FURNITURE)
def test_strip_furniture_blanks_each_seed_furniture_line(line: str) -> None:
    text = f"First paragraph.\n\n{line}\n\nLast paragraph."
    assert strip_furniture(text) == "First paragraph.\n\n\n\nLast paragraph."


@pytest.mark.parametrize(
    "line",
    [
        "  Type to search  ",
        "\tLeave a Reply\t",
        "ADVERTISEMENT",
        "Related Posts",
        "Share this:",
        "Share on WhatsApp",
        "Published: 12 March 2019",
        "Updated 1 Jan 2020",
        "Click here to subscribe",
        "Follow us on Twitter",
        "Featured image: AFP",
        "Required fields are marked *",
    ],
)
def test_strip_furniture_other_patterns_and_spacing(line: str) -> None:
    assert strip_furniture(f"{line}\nBody.") == "\nBody."


@pytest.mark.parametrize(
    "line",
    [
        "Share your story with us.",
        "She chose to share: her account of that night.",
        "Leave a comment about this, he wrote.",
        "No comment, he said.",
        "Facebook comments poured in after the post.",
        "You might also like this film, she said.",
        "Type to search for the truth.",
        "The date 2019-10-29 was set for the hearing.",
        "Survivors were told to share.",
    ],
)
def test_strip_furniture_keeps_article_sentences_with_furniture_words(line: str) -> None:
    text = f"Type to search\n{line}\nLeave a Comment"
    assert strip_furniture(text) == f"\n{line}\n"


def test_strip_furniture_on_seeds_blanks_exactly_the_furniture_lines(seed_texts: dict[str, str]) -> None:
    removed: dict[str, list[str]] = {}
    for name, text in seed_texts.items():
        stripped = strip_furniture(text)
        before, after = text.split("\n"), stripped.split("\n")
        # lines are emptied, not deleted: line count and paragraph breaks are kept
        assert len(after) == len(before)
        assert stripped.count("\n\n") >= text.count("\n\n")
        for old, new in zip(before, after, strict=True):
            assert new in (old, "")
        removed[name[:3]] = [old for old, new in zip(before, after, strict=True) if old != new]
    assert removed == {
        "000": [" date 2019-10-29 Share:"],
        "001": [],
        "002": [
            "Type to search",
            "*Feature Image Source: Dawn*",
            "Facebook Comments",
            "You Might also Like",
            "Leave a Comment",
            "Your email address will not be published. Required fields are marked *",
        ],
        "003": [],
        "004": [],
    }


def test_strip_furniture_custom_patterns_replace_the_defaults() -> None:
    text = "Type to search\nSponsored\nBody."
    assert strip_furniture(text, patterns=[r"sponsored"]) == "Type to search\n\nBody."


def test_strip_furniture_handles_crlf_line_ends() -> None:
    text = "Type to search\r\n\r\nBody text.\r\n\r\nLeave a Comment\r\n"
    assert "search" not in strip_furniture(text)
    assert TextCleaner().tokenize(text) == ["body", "text"]


# --- URLs, e-mails, mentions ----------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("read it at https://example.com/a?b=1 now", "read it at   now"),
        ("see http://x.pk/a now", "see   now"),
        ("visit www.dawn.com/news/1 today", "visit   today"),
        ("on dawn.com and geo.tv", "on   and  "),
        ("no address here.", "no address here."),
    ],
)
def test_remove_urls(raw: str, expected: str) -> None:
    assert remove_urls(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Read it at https://dawn.com/x. Then she left.", "Read it at  . Then she left."),
        ("(see www.dawn.com), then", "(see  ), then"),
    ],
)
def test_remove_urls_keeps_trailing_sentence_punctuation(raw: str, expected: str) -> None:
    assert remove_urls(raw) == expected


def test_remove_emails() -> None:
    assert remove_emails("write to editor@dawn.com.pk today") == "write to   today"
    assert remove_emails("a.b+c@mail.example.org wrote") == "  wrote"
    assert remove_emails("no at sign") == "no at sign"


def test_remove_urls_alone_would_break_an_email_address() -> None:
    # the reason TextCleaner removes e-mails before URLs
    assert remove_urls("editor@dawn.com.pk") != " "
    assert "editor" in remove_urls("editor@dawn.com.pk")


def test_cleaner_removes_an_email_address_wholly() -> None:
    cleaner = TextCleaner()
    assert cleaner.normalize("write to editor@dawn.com.pk today") == "write to   today"
    assert cleaner.tokenize("Write to editor@dawn.com.pk today") == ["write", "today"]


def test_remove_mentions_leaves_email_addresses() -> None:
    assert remove_mentions("@user said to @ali_z and a@b.com") == "  said to   and a@b.com"


# --- hashtags ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "words"),
    [
        ("#MeToo", "metoo"),
        ("#BoycottAliZafar", "boycott ali zafar"),
        ("#AuratMarch", "aurat march"),
        ("#MeTooPakistan", "metoo pakistan"),
        ("#metoo", "metoo"),
        ("#METOO", "metoo"),
        ("#AuratMarch2019", "aurat march 2019"),
        ("#2019", "2019"),
        ("#TimesUp", "times up"),
    ],
)
def test_split_hashtags(tag: str, words: str) -> None:
    assert split_hashtags(tag) == words


def test_split_hashtags_in_text_and_non_hashtags() -> None:
    assert split_hashtags("Support #MeToo, not #BoycottAliZafar!") == "Support metoo, not boycott ali zafar!"
    # not a hashtag: inside a word, an HTML entity, a double hash
    assert split_hashtags("a#b &#39; ##x") == "a#b &#39; ##x"


# --- tokenize ------------------------------------------------------------------------


def test_tokenize_possessives_and_apostrophes() -> None:
    assert tokenize("Pakistan's women's rights, don't can't O'Brien 'quoted'") == [
        "pakistan",
        "women",
        "rights",
        "dont",
        "cant",
        "obrien",
        "quoted",
    ]


def test_tokenize_splits_hyphenated_words() -> None:
    assert tokenize("well-known high-end self--made co-op") == [
        "well",
        "known",
        "high",
        "end",
        "self",
        "made",
        "co",
        "op",
    ]


def test_tokenize_digits_dropped_or_kept() -> None:
    text = "In 2018, 93% of 13 women; covid19"
    assert tokenize(text) == ["in", "of", "women", "covid"]
    assert tokenize(text, digits=True) == ["in", "2018", "93", "of", "13", "women", "covid", "19"]


def test_tokenize_length_limits() -> None:
    assert tokenize("a ab abc abcd", min_length=3) == ["abc", "abcd"]
    assert tokenize("x" * 30 + " " + "y" * 31) == ["x" * 30]
    assert tokenize("abcdef", max_length=5) == []


def test_tokenize_drops_http_remains_only() -> None:
    tokens = tokenize("httpsenwikipediaorgwiki wwwdawncomnews http https www httpx")
    assert tokens == ["http", "https", "www", "httpx"]


def test_tokenize_case_unicode_and_stopwords() -> None:
    assert tokenize("The CAT", lowercase=False) == ["The", "CAT"]
    assert tokenize("The CAT", stopwords=frozenset({"the"})) == ["cat"]
    assert tokenize("Über Café naïve under_score") == ["über", "café", "naïve", "under", "score"]


# --- stop words ---------------------------------------------------------------------


def test_stopword_lists() -> None:
    assert stopword_list("none") == frozenset()
    sk = stopword_list("sklearn")
    gs = stopword_list("gensim")
    assert frozenset(ENGLISH_STOP_WORDS) <= sk
    assert frozenset(GENSIM_STOPWORDS) <= gs
    for contraction in ("dont", "cant", "youre", "isnt"):
        assert contraction in sk
        assert contraction in gs
    assert "metoo" not in sk


def test_stopword_list_extra_words_are_lower_cased() -> None:
    assert stopword_list("none", extra=["MeToo", "Pakistan"]) == frozenset({"metoo", "pakistan"})
    assert "metoo" in stopword_list("sklearn", extra=("MeToo",))


def test_stopword_list_unknown_name() -> None:
    with pytest.raises(ValueError, match="unknown stop word list 'nltk'"):
        stopword_list("nltk")


# --- TextCleaner ---------------------------------------------------------------------


def test_normalize_keeps_stop_words_punctuation_and_case() -> None:
    cleaner = TextCleaner()
    text = "Type to search\n\nHe said: \u201cNo, not her!\u201d but #MeToo\u2019s @user"
    assert cleaner.normalize(text) == '\n\nHe said: "No, not her!" but metoo\'s  '


def test_normalize_options_can_be_switched_off() -> None:
    cleaner = TextCleaner(
        unicode_form="none",
        strip_furniture=False,
        remove_urls=False,
        remove_emails=False,
        remove_mentions=False,
        split_hashtags=False,
    )
    text = "Type to search\n#MeToo @user a@b.com www.x.com \ufb01"
    assert cleaner.normalize(text) == text


def test_tokenize_end_to_end() -> None:
    text = (
        "Type to search\n\n\u201cThe \ufb01rst\u201d court case \u2014 Pakistan\u2019s #MeToo: "
        "editor@dawn.com.pk https://dawn.com/x @ali_z www.geo.tv #BoycottAliZafar in 2018"
    )
    assert TextCleaner().tokenize(text) == ["court", "case", "pakistan", "metoo", "boycott", "ali", "zafar"]
    assert TextCleaner(keep_digits=True, extra_stopwords=("metoo",)).tokenize(text) == [
        "court",
        "case",
        "pakistan",
        "boycott",
        "ali",
        "zafar",
        "2018",
    ]
    assert TextCleaner(min_token_length=4, stopwords="none").tokenize("The old court") == ["court"]


def test_stopword_set_combines_base_and_extra() -> None:
    cleaner = TextCleaner(stopwords="gensim", extra_stopwords=("Zafar",))
    assert cleaner.stopword_set == stopword_list("gensim") | {"zafar"}


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n ",
        "Type to search",
        "Facebook Comments\n\nLeave a Comment",
        " date 2019-10-29 Share:",
        "*Feature Image Source: Dawn*",
        "the of and",
        "https://t.co/x",
    ],
)
def test_is_empty_on_furniture_links_and_stop_words(text: str) -> None:
    assert TextCleaner().is_empty(text)


def test_is_empty_false_for_article_text() -> None:
    assert not TextCleaner().is_empty("Survivors spoke")


def test_seed_002_furniture_leaves_no_tokens(seed_texts: dict[str, str]) -> None:
    text = seed_texts[SEED_002]
    tokens = TextCleaner().tokenize(text)
    furniture_tail = ["feature", "image", "source", "dawn", "facebook", "comments", "like", "leave", "comment"]
    furniture_tail += ["email", "address", "published", "required", "fields", "marked"]
    assert TextCleaner(strip_furniture=False).tokenize(text) == ["type", "search", *tokens, *furniture_tail]
    assert tokens[:4] == ["metoo", "means", "pakistan", "marginalised"]
    assert tokens[-5:] == ["including", "trans", "khawaja", "sira", "women"]


def test_seed_004_passes_through_unharmed(seed_texts: dict[str, str]) -> None:
    text = seed_texts[SEED_004]
    cleaner = TextCleaner()
    stop = cleaner.stopword_set

    def keep(word: str) -> bool:
        too_long_link = word.startswith(("http", "www")) and len(word) > 8
        return word not in stop and len(word) >= 3 and not too_long_link

    words = text.split()
    tokens = cleaner.tokenize(text)
    assert tokens == [w for w in words if keep(w)]
    # the relation is not vacuous: most words are kept, a few are dropped for each reason
    assert (len(words), len(tokens)) == (1691, 1588)
    for dropped in ("dont", "however", "ab", "rw", "httpsenwikipediaorgwikimetoomovementinpakistan"):
        assert dropped in words
        assert dropped not in tokens
    assert tokens[:6] == ["metoo", "movement", "urdu", "meinbhi", "pakistan", "modeled"]
    assert tokens[-2:] == ["official", "website"]
