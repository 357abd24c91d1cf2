"""Is an article about the stance target at all?

A stance is a position *toward a target* (here, the #MeToo movement and the
survivors who speak out).  An article that never names the target or its
subject (an election report, a cricket score) takes no side on it, whatever
its wording: a word-based classifier still finds "great", "won" or "believe"
in it and may call it ``favor``.  :class:`TargetTerms` holds the words and
phrases that name the target; an article that uses none of them is ``none``
without asking the classifier, and the ones it uses are part of the evidence.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from ._clean import fold_typography, normalize_unicode

__all__ = ["TargetTerms", "check_target_term"]

_RULE = "letters or digits, words joined by single spaces or hyphens, an optional leading '#' and trailing '*'"


def _normal(text: str) -> str:
    """The Unicode form and plain typography every text and term is matched in."""
    return fold_typography(normalize_unicode(text))


def check_target_term(term: str) -> str | None:
    """Why ``term`` is not a valid target term, or ``None`` when it is.

    A term is words of letters or digits separated by single spaces or hyphens, with an
    optional leading ``#`` (which changes nothing: ``#metoo`` matches as ``metoo`` does) and
    an optional trailing ``*`` (any ending of the last word).

    >>> check_target_term("harass*") is None, check_target_term("me too") is None
    (True, True)
    >>> check_target_term("a*b")
    "letters or digits, words joined by single spaces or hyphens, an optional leading '#' and trailing '*'"
    """
    body = _normal(term).removeprefix("#").removesuffix("*")

    def is_word(word: str) -> bool:  # letters, digits and the combining marks of scripts such as Devanagari
        marks = [unicodedata.category(ch).startswith("M") for ch in word]
        return bool(word) and not marks[0] and all(ch.isalnum() or m for ch, m in zip(word, marks, strict=True))

    return None if all(is_word(w) for w in re.split(r"[ -]", body)) else _RULE


def _pattern(term: str) -> str:
    body = _normal(term).lower().lstrip("#")
    prefix = body.endswith("*")
    words = re.split(r"[ -]", body.rstrip("*"))
    # "me too" also matches "metoo", "me-too" and "#MeToo": separators between words are optional
    core = r"[\s_-]*".join(re.escape(w) for w in words)
    return core + (r"\w*" if prefix else "")


class TargetTerms:
    """Words and phrases that name a stance target, and which of them a text uses.

    Matching ignores case and Unicode presentation forms (of the text and of the terms: both
    are put in NFKC form with plain quotes, dashes and spaces); a term matches whole words
    (``rape`` does not match ``grapes``); a trailing ``*`` matches any ending
    (``harass*``: harassed, harassment); the words of a phrase may be written apart, with a
    hyphen or together (``me too``: "Me Too", "me-too", "#MeToo").

    Parameters
    ----------
    terms : sequence of str
        The terms (see :func:`check_target_term`); an empty sequence matches nothing.

    Examples
    --------
    >>> target = TargetTerms(["me too", "harass*", "rape"])
    >>> target.mentions("After #MeToo, two women said he harassed them; he denied harassment.")
    {'harass*': 2, 'me too': 1}
    >>> target.mentions("The team won the final after a great start.")
    {}
    """

    def __init__(self, terms: Sequence[str]):
        if isinstance(terms, str):
            raise TypeError(f"target terms must be a list of strings, not one string; got {terms!r}")
        terms = tuple(terms)
        for term in terms:
            problem = check_target_term(term)
            if problem is not None:
                raise ValueError(f"target term {term!r} is not valid: use {problem}")
        if len({_normal(t).lower().lstrip("#") for t in terms}) != len(terms):
            raise ValueError(f"target terms repeat a term: {list(terms)}")
        self.terms = terms
        # one alternation, longest first so that a phrase wins over a word it starts with
        order = sorted(range(len(terms)), key=lambda i: -len(terms[i]))
        self._groups = [terms[i] for i in order]
        alternation = "|".join(f"({_pattern(terms[i])})" for i in order)
        self._regex = re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", re.IGNORECASE) if terms else None

    def mentions(self, text: str) -> dict[str, int]:
        """How often each term occurs in ``text`` (only terms that occur, most frequent first)."""
        if self._regex is None:
            return {}
        counts: dict[str, int] = {}
        for match in self._regex.finditer(_normal(text)):
            term = self._groups[match.lastindex - 1] if match.lastindex else ""
            counts[term] = counts.get(term, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], self.terms.index(kv[0]))))

    def __repr__(self) -> str:
        return f"TargetTerms({list(self.terms)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TargetTerms) and self.terms == other.terms

    def __hash__(self) -> int:
        return hash(self.terms)
