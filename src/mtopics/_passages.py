"""Splitting articles into passages.

On a corpus of a few articles, topic models and the stance classifier work on
passages, not whole articles.  A passage is a paragraph (long paragraphs are cut
at sentence ends into pieces of at most ``max_words`` words; short ones are
joined to the next), or, for text with no punctuation at all, a window of
``window`` words.  Every passage keeps its article id and its character offsets
in the article, so ``text[start:end]`` gives it back.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["PASSAGE_MODES", "Passage", "sentence_spans", "split_passages"]

#: Ways of splitting an article, see :func:`split_passages`.
PASSAGE_MODES = ("auto", "paragraph", "sentence", "window")

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r]*\n")
_WORD = re.compile(r"\S+")
_SENTENCE_END = re.compile(r"[.!?]+[\"')\]\u201d\u2019]*(?=\s+[\"'(\[\u201c\u2018]?[A-Z0-9])")
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "mt",
        "no",
        "vs",
        "etc",
        "inc",
        "ltd",
        "co",
        "corp",
        "gen",
        "col",
        "lt",
        "capt",
        "sgt",
        "rev",
        "hon",
        "justice",
        "e.g",
        "i.e",
    ]
)


@dataclass(frozen=True)
class Passage:
    """A span of an article.

    Parameters
    ----------
    doc_id : str
        Id of the article.
    index : int
        Position of the passage in the article (0, 1, ...).
    start, end : int
        Character offsets in the article text: ``article[start:end]``.
    text : str
        The raw text of the span.
    """

    doc_id: str
    index: int
    start: int
    end: int
    text: str

    @property
    def id(self) -> str:
        """``<doc_id>#<index>``."""
        return f"{self.doc_id}#{self.index}"


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        spans.append(_trim(text, start, match.start()))
        start = match.end()
    spans.append(_trim(text, start, len(text)))
    return [(s, e) for s, e in spans if e > s]


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text[start:end]``.

    A sentence ends at ``.``, ``!`` or ``?`` (and closing quotes) followed by a
    space and a capital letter or digit, except after common abbreviations and
    single initials.

    >>> text = "Dr. Ali spoke. She said: \\"It happened.\\" Then it ended"
    >>> [text[s:e] for s, e in sentence_spans(text)]
    ['Dr. Ali spoke.', 'She said: "It happened."', 'Then it ended']
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _SENTENCE_END.finditer(text, start, end):
        before = text[cursor : match.start()].split()
        last = before[-1].lower().rstrip(".") if before else ""
        if match.group(0).startswith(".") and (last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())):
            continue
        spans.append(_trim(text, cursor, match.end()))
        cursor = match.end()
    spans.append(_trim(text, cursor, end))
    return [(s, e) for s, e in spans if e > s]


def _word_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _WORD.finditer(text, start, end)]


def _windows(text: str, start: int, end: int, window: int) -> list[tuple[int, int]]:
    words = _word_spans(text, start, end)
    out = []
    for i in range(0, len(words), window):
        chunk = words[i : i + window]
        out.append((chunk[0][0], chunk[-1][1]))
    # a last window much shorter than the others joins the previous one
    if len(out) > 1 and len(words) % window and len(words) % window < window // 3:
        last = out.pop()
        out[-1] = (out[-1][0], last[1])
    return out


def _n_words(text: str, span: tuple[int, int]) -> int:
    return len(_WORD.findall(text, span[0], span[1]))


def _group(text: str, spans: list[tuple[int, int]], max_words: int) -> list[tuple[int, int]]:
    """Join consecutive spans into groups of at most ``max_words`` words."""
    groups: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    count = 0
    for span in spans:
        n = _n_words(text, span)
        if current is not None and count + n > max_words:
            groups.append(current)
            current, count = None, 0
        current = span if current is None else (current[0], span[1])
        count += n
    if current is not None:
        groups.append(current)
    return groups


def _is_unpunctuated(text: str, span: tuple[int, int], window: int) -> bool:
    words = _n_words(text, span)
    ends = len(re.findall(r"[.!?]", text[span[0] : span[1]]))
    return words > window and ends <= words / 200


def _split_long(text: str, span: tuple[int, int], max_words: int, window: int) -> list[tuple[int, int]]:
    if _n_words(text, span) <= max_words:
        return [span]
    if _is_unpunctuated(text, span, window):
        return _windows(text, span[0], span[1], window)
    pieces: list[tuple[int, int]] = []
    for sentence in sentence_spans(text, *span):
        if _n_words(text, sentence) > max_words:
            pieces.extend(_windows(text, sentence[0], sentence[1], window))
        else:
            pieces.append(sentence)
    return _group(text, pieces, max_words)


def _merge_short(text: str, spans: list[tuple[int, int]], min_words: int) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    pending: tuple[int, int] | None = None
    for span in spans:
        if pending is not None:
            span = (pending[0], span[1])
            pending = None
        if _n_words(text, span) < min_words:
            pending = span
        else:
            merged.append(span)
    if pending is not None:
        if merged:
            merged[-1] = (merged[-1][0], pending[1])
        else:
            merged.append(pending)
    return merged


def split_passages(
    text: str,
    doc_id: str = "",
    *,
    mode: str = "auto",
    min_words: int = 30,
    max_words: int = 120,
    window: int = 100,
    skip: Callable[[str], bool] | None = None,
) -> list[Passage]:
    """Split an article into passages with character offsets.

    Parameters
    ----------
    text : str
        The article.
    doc_id : str
        The article id, stored in every passage.
    mode : {"auto", "paragraph", "sentence", "window"}
        ``"auto"`` and ``"paragraph"`` split at blank lines, cut paragraphs longer
        than ``max_words`` at sentence ends and use windows for unpunctuated
        text; ``"sentence"`` groups sentences up to ``max_words`` ignoring
        paragraphs; ``"window"`` cuts windows of ``window`` words.
    min_words : int
        A shorter paragraph is joined to the next one (or to the previous one at
        the end of the article).  ``"window"`` mode ignores it.
    max_words : int
        Longest passage, in words, when cutting at sentences.
    window : int
        Window size, in words, for text with no sentence punctuation.
    skip : callable, optional
        ``skip(paragraph_text)`` true drops the paragraph (used for page
        furniture).  A paragraph equal to the previous one (a repeated headline)
        is always dropped.  Short paragraphs are never joined across a dropped
        one, so a passage never contains dropped text.

    Returns
    -------
    list of Passage

    Examples
    --------
    >>> article = "Title\\n\\n" + "One two three. " * 20 + "\\n\\nEnd."
    >>> [(p.index, p.start) for p in split_passages(article, "a", min_words=10)]
    [(0, 0)]
    """
    if mode not in PASSAGE_MODES:
        raise ValueError(f"unknown passage mode {mode!r}; expected one of {', '.join(PASSAGE_MODES)}")
    if mode == "window":
        spans = _windows(text, 0, len(text), window) if text.strip() else []
    elif mode == "sentence":
        pieces: list[tuple[int, int]] = []
        for sentence in sentence_spans(text):
            if _n_words(text, sentence) > max_words:
                pieces.extend(_windows(text, sentence[0], sentence[1], min(window, max_words)))
            else:
                pieces.append(sentence)
        spans = _group(text, pieces, max_words)
    else:
        # runs of consecutive kept paragraphs; a dropped paragraph (furniture, a
        # repeated headline) ends a run, so no passage spans text that was dropped
        runs: list[list[tuple[int, int]]] = [[]]
        previous = None
        for span in _paragraph_spans(text):
            chunk = text[span[0] : span[1]]
            if (skip is not None and skip(chunk)) or (previous is not None and " ".join(chunk.split()) == previous):
                runs.append([])
                continue
            previous = " ".join(chunk.split())
            runs[-1].append(span)
        spans = []
        for run in runs:
            for span in _merge_short(text, run, min_words):
                spans.extend(_split_long(text, span, max_words, window))
    return [Passage(doc_id, i, s, e, text[s:e]) for i, (s, e) in enumerate(spans)]
