"""Cleaning raw web news text, one step at a time.

Every step is a plain function ``str -> str`` (or ``str -> list[str]`` for
tokenisation) that can be used and tested on its own; :class:`TextCleaner`
chains them with the options of the ``[clean]`` table of an experiment config.

Two views of a text come out of a cleaner:

* :meth:`TextCleaner.normalize` keeps words, punctuation and stop words (the
  stance model needs "not", "no", "but" and quotation marks);
* :meth:`TextCleaner.tokenize` gives the bag-of-words tokens for TF-IDF and LDA.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

__all__ = [
    "FURNITURE_PATTERNS",
    "TextCleaner",
    "fold_typography",
    "normalize_unicode",
    "remove_emails",
    "remove_mentions",
    "remove_urls",
    "split_hashtags",
    "stopword_list",
    "strip_furniture",
    "tokenize",
]

# --- Unicode -----------------------------------------------------------------

_TYPOGRAPHY: Final = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u2010": "-",
        "\u2011": "-",
        "\u00a0": " ",
        "\u2009": " ",
        "\u200a": " ",
        "\u202f": " ",
        "\u200b": "",
        "\u200c": "",
        "\u200d": "",
        "\ufeff": "",
        "\u00ad": "",
        "\u2026": "...",
    }
)


def normalize_unicode(text: str, form: str = "NFKC") -> str:
    """Apply a Unicode normal form (``NFC``, ``NFKC``, ``NFD``, ``NFKD``).

    >>> normalize_unicode("\ufb01le")  # the "fi" ligature
    'file'
    """
    if form not in ("NFC", "NFKC", "NFD", "NFKD"):
        raise ValueError(f"unknown Unicode normal form {form!r}")
    return unicodedata.normalize(form, text)  # type: ignore[arg-type]


def fold_typography(text: str) -> str:
    """Turn curly quotes, dashes, non-breaking and zero-width spaces into plain ASCII.

    >>> fold_typography("Pakistan\u2019s \u201cMeToo\u201d \u2013 2018")
    'Pakistan\\'s "MeToo" - 2018'
    """
    return text.translate(_TYPOGRAPHY)


# --- Page furniture ------------------------------------------------------------

#: Regular expressions of the page furniture removed by :func:`strip_furniture`.
#: Each matches a whole line (surrounding spaces allowed), case-insensitively.
FURNITURE_PATTERNS: Final[tuple[str, ...]] = (
    r"type to search",
    r"facebook comments",
    r"leave a (comment|reply)",
    r"you might also like",
    r"related (posts|articles|stories)",
    r"(share|share this|share on (facebook|twitter|whatsapp))\s*:?",
    r"date\s+\d{4}-\d{2}-\d{2}(\s+share\s*:?)?",
    r"(published|updated)\s*:?\s*\d{1,2}\s+\w+\s+\d{4}",
    r"your email address will not be published\.?(\s*required fields are marked\s*\*?)?",
    r"required fields are marked\s*\*?",
    r"\*?\s*feature(d)? image( source)?\s*:.*",
    r"(click|tap) here to .*",
    r"follow us on .*",
    r"advertisement",
)

_FURNITURE_LINE = re.compile(r"^[ \t]*(?:" + "|".join(FURNITURE_PATTERNS) + r")[ \t\r]*$", re.IGNORECASE | re.MULTILINE)


def strip_furniture(text: str, patterns: Iterable[str] | None = None) -> str:
    """Blank out the lines that are page furniture, not article text.

    Lines are emptied rather than deleted so that the line structure and
    paragraph breaks are kept.

    >>> strip_furniture("Type to search\\n\\nSurvivors spoke out.\\n\\nLeave a Comment")
    '\\n\\nSurvivors spoke out.\\n\\n'
    """
    regex = _FURNITURE_LINE
    if patterns is not None:
        regex = re.compile(r"^[ \t]*(?:" + "|".join(patterns) + r")[ \t\r]*$", re.IGNORECASE | re.MULTILINE)
    return regex.sub("", text)


# --- URLs, e-mails, mentions, hashtags ------------------------------------------

_URL = re.compile(
    r"\b(?:https?://|www\.)[^\s<>\"']*[^\s<>\"'.,;:!?)\]]"
    r"|\b(?:[a-z0-9-]+\.)+(?:com|pk|org|net|tv)\b(?:/[^\s<>\"']*[^\s<>\"'.,;:!?)\]])?",
    re.I,
)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_MENTION = re.compile(r"(?<![\w@])@\w{1,30}")
_HASHTAG = re.compile(r"(?<![\w#&])#(\w+)")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def remove_urls(text: str) -> str:
    """Replace web addresses by a space.

    >>> remove_urls("read it at https://example.com/a?b=1 now")
    'read it at   now'
    """
    return _URL.sub(" ", text)


def remove_emails(text: str) -> str:
    """Replace e-mail addresses by a space.

    >>> remove_emails("write to editor@dawn.com.pk today")
    'write to   today'
    """
    return _EMAIL.sub(" ", text)


def remove_mentions(text: str) -> str:
    """Replace ``@user`` mentions by a space (e-mail addresses are left alone).

    >>> remove_mentions("@user said so")
    '  said so'
    """
    return _MENTION.sub(" ", text)


def _hashtag_words(tag: str) -> str:
    if tag.islower() or tag.isupper() or tag.isdigit():
        return tag.lower()
    parts = _CAMEL.findall(tag)
    words: list[str] = []
    short_run = ""
    for part in parts:
        if len(part) <= 3 and not part.isdigit():
            short_run += part
            continue
        if short_run:
            words.append(short_run)
            short_run = ""
        words.append(part)
    if short_run:
        words.append(short_run)
    return " ".join(w.lower() for w in words)


def split_hashtags(text: str) -> str:
    """Keep hashtags as words: drop the ``#`` and split CamelCase.

    Runs of short parts (three letters or fewer) stay together, so that
    ``#MeToo`` is one word while ``#BoycottAliZafar`` is three.

    >>> split_hashtags("#MeToo and #BoycottAliZafar trended with #AuratMarch2019")
    'metoo and boycott ali zafar trended with aurat march 2019'
    """
    return _HASHTAG.sub(lambda m: _hashtag_words(m.group(1)), text)


# --- Tokens --------------------------------------------------------------------

_POSSESSIVE = re.compile(r"(?<=[A-Za-z])'s\b", re.I)
_APOSTROPHE = re.compile(r"(?<=[A-Za-z])'(?=[A-Za-z])")
_WORD = re.compile(r"[^\W\d_]+(?:[-][^\W\d_]+)*|\d+", re.UNICODE)

_CONTRACTIONS: Final = frozenset(
    [
        "dont",
        "doesnt",
        "didnt",
        "cant",
        "couldnt",
        "wont",
        "wouldnt",
        "shouldnt",
        "isnt",
        "arent",
        "wasnt",
        "werent",
        "hasnt",
        "havent",
        "hadnt",
        "im",
        "ive",
        "id",
        "ill",
        "youre",
        "youve",
        "youd",
        "youll",
        "hes",
        "shes",
        "theyre",
        "theyve",
        "theyd",
        "theyll",
        "weve",
        "were",
        "wed",
        "lets",
        "thats",
        "whats",
        "theres",
        "heres",
        "whos",
        "ain",
        "aint",
    ]
)


def stopword_list(name: str = "sklearn", extra: Iterable[str] = ()) -> frozenset[str]:
    """The stop words of ``name`` (``"sklearn"``, ``"gensim"`` or ``"none"``) plus ``extra``.

    The ``sklearn`` and ``gensim`` lists also get the apostrophe-less
    contractions ("dont", "cant", "youre") that tokenisation produces.

    >>> "the" in stopword_list("sklearn")
    True
    >>> "metoo" in stopword_list("sklearn", extra=["metoo"])
    True
    """
    if name == "none":
        base: frozenset[str] = frozenset()
    elif name == "sklearn":
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        base = frozenset(ENGLISH_STOP_WORDS) | _CONTRACTIONS
    elif name == "gensim":
        from gensim.parsing.preprocessing import STOPWORDS

        base = frozenset(STOPWORDS) | _CONTRACTIONS
    else:
        raise ValueError(f"unknown stop word list {name!r}; expected 'sklearn', 'gensim' or 'none'")
    return base | frozenset(w.lower() for w in extra)


def tokenize(
    text: str,
    *,
    lowercase: bool = True,
    digits: bool = False,
    stopwords: frozenset[str] = frozenset(),
    min_length: int = 1,
    max_length: int = 30,
) -> list[str]:
    """Split text into word tokens, dropping punctuation.

    Possessive ``'s`` is dropped and inner apostrophes are removed
    (``Pakistan's`` -> ``pakistan``, ``don't`` -> ``dont``); hyphenated words
    are split.  Numbers are kept only when ``digits`` is true.  Tokens longer
    than ``max_length`` and ``http...`` remains of links whose punctuation was
    already stripped are dropped.

    >>> tokenize("Pakistan's #MeToo: 93% of women, don't they?", stopwords=frozenset({"of"}))
    ['pakistan', 'metoo', 'women', 'dont', 'they']
    """
    text = _APOSTROPHE.sub("", _POSSESSIVE.sub("", text))
    tokens: list[str] = []
    for match in _WORD.finditer(text):
        for word in match.group(0).split("-"):
            if word.isdigit() and not digits:
                continue
            if lowercase:
                word = word.lower()
            if len(word) < min_length or len(word) > max_length or word in stopwords:
                continue
            if word.startswith(("http", "www")) and len(word) > 8:
                continue
            tokens.append(word)
    return tokens


@dataclass(frozen=True)
class TextCleaner:
    """A configurable cleaning pipeline for raw web news text.

    Parameters
    ----------
    unicode_form : {"NFKC", "NFC", "NFKD", "NFD", "none"}
        Unicode normal form; typographic quotes and dashes are also folded to ASCII.
    strip_furniture : bool
        Remove page furniture lines (see :data:`FURNITURE_PATTERNS`).
    remove_urls, remove_emails, remove_mentions : bool
        Remove web addresses, e-mail addresses and ``@user`` mentions.
    split_hashtags : bool
        Keep hashtags as words (``#MeToo`` -> ``metoo``); if false the ``#`` is
        simply dropped by tokenisation.
    lowercase : bool
        Lower-case tokens.
    keep_digits : bool
        Keep numbers as tokens.
    stopwords : {"sklearn", "gensim", "none"}
        Base English stop word list.
    extra_stopwords : tuple of str
        More words to drop.
    min_token_length : int
        Shorter tokens are dropped.

    Examples
    --------
    >>> cleaner = TextCleaner()
    >>> cleaner.tokenize("Type to search\\n\\nSingers backed the #MeToo survivors: https://t.co/x")
    ['singers', 'backed', 'metoo', 'survivors']
    """

    unicode_form: str = "NFKC"
    strip_furniture: bool = True
    remove_urls: bool = True
    remove_emails: bool = True
    remove_mentions: bool = True
    split_hashtags: bool = True
    lowercase: bool = True
    keep_digits: bool = False
    stopwords: str = "sklearn"
    extra_stopwords: tuple[str, ...] = ()
    min_token_length: int = 3

    def normalize(self, text: str) -> str:
        """Clean text but keep its words, punctuation and case as readable text."""
        if self.unicode_form != "none":
            text = normalize_unicode(text, self.unicode_form)
        text = fold_typography(text)
        if self.strip_furniture:
            text = strip_furniture(text)
        if self.remove_emails:
            text = remove_emails(text)
        if self.remove_urls:
            text = remove_urls(text)
        if self.remove_mentions:
            text = remove_mentions(text)
        if self.split_hashtags:
            text = split_hashtags(text)
        return text

    @property
    def stopword_set(self) -> frozenset[str]:
        """The full stop word set (base list plus extra words)."""
        return _cached_stopwords(self.stopwords, self.extra_stopwords)

    def tokenize(self, text: str) -> list[str]:
        """Normalise ``text`` and return its bag-of-words tokens."""
        return tokenize(
            self.normalize(text),
            lowercase=self.lowercase,
            digits=self.keep_digits,
            stopwords=self.stopword_set,
            min_length=self.min_token_length,
        )

    def is_empty(self, text: str) -> bool:
        """True when nothing but furniture, links or stop words is left."""
        return not self.tokenize(text)


@lru_cache(maxsize=64)
def _cached_stopwords(name: str, extra: tuple[str, ...]) -> frozenset[str]:
    return stopword_list(name, extra)
