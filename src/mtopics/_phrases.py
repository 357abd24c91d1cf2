"""Multi-word terms: gensim ``Phrases`` learnt on the training passages.

After fitting, only the accepted phrases are kept (a plain dict), so applying
them needs no gensim object and they are saved as JSON.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .exceptions import NotFittedError

__all__ = ["PhraseDetector"]


class PhraseDetector:
    """Join frequent word pairs into single terms (``sexual harassment`` -> ``sexual_harassment``).

    Parameters
    ----------
    min_count : int
        A pair must occur at least this many times.
    threshold : float
        Minimum normalised PMI score, in (-1, 1].
    max_phrases : int
        Keep at most this many phrases (the highest scoring).
    delimiter : str
        Joins the words of a phrase.

    Attributes
    ----------
    phrases_ : dict of str to float
        Accepted phrases (words joined by ``delimiter``) and their scores.

    Examples
    --------
    >>> docs = [["sexual", "harassment", "case"], ["sexual", "harassment", "law"], ["law", "case"]] * 3
    >>> det = PhraseDetector(min_count=2, threshold=0.3).fit(docs)
    >>> det.transform(["new", "sexual", "harassment", "law"])
    ['new', 'sexual_harassment', 'law']
    """

    def __init__(self, min_count: int = 3, threshold: float = 0.5, max_phrases: int = 5000, delimiter: str = "_"):
        self.min_count = min_count
        self.threshold = threshold
        self.max_phrases = max_phrases
        self.delimiter = delimiter

    def fit(self, token_lists: Iterable[Sequence[str]]) -> PhraseDetector:
        """Learn phrases from an iterable of token lists (it may be a stream)."""
        from gensim.models.phrases import Phrases

        model = Phrases(
            (list(tokens) for tokens in token_lists),
            min_count=self.min_count,
            threshold=self.threshold,
            scoring="npmi",
            delimiter=self.delimiter,
        )
        frozen = model.freeze()
        best = sorted(frozen.phrasegrams.items(), key=lambda kv: (-kv[1], kv[0]))[: self.max_phrases]
        self.phrases_ = {k: float(v) for k, v in best}
        self._pairs = self._index(self.phrases_)
        return self

    def _index(self, phrases: dict[str, float]) -> dict[tuple[str, str], str]:
        pairs = {}
        for phrase in phrases:
            left, _, right = phrase.partition(self.delimiter)
            pairs[(left, right)] = phrase
        return pairs

    def transform(self, tokens: Sequence[str]) -> list[str]:
        """Join the learnt pairs in one token list, left to right."""
        if not hasattr(self, "phrases_"):
            raise NotFittedError("PhraseDetector is not fitted; call fit() first")
        out: list[str] = []
        i = 0
        n = len(tokens)
        while i < n:
            if i + 1 < n and (tokens[i], tokens[i + 1]) in self._pairs:
                out.append(self._pairs[(tokens[i], tokens[i + 1])])
                i += 2
            else:
                out.append(tokens[i])
                i += 1
        return out

    # -- persistence -----------------------------------------------------------
    def get_state(self) -> dict[str, Any]:
        """Parameters and fitted phrases, as JSON-ready data."""
        return {
            "params": {
                "min_count": self.min_count,
                "threshold": self.threshold,
                "max_phrases": self.max_phrases,
                "delimiter": self.delimiter,
            },
            "phrases": getattr(self, "phrases_", None),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> PhraseDetector:
        """Rebuild a detector saved by :meth:`get_state`."""
        det = cls(**state["params"])
        if state.get("phrases") is not None:
            det.phrases_ = {str(k): float(v) for k, v in state["phrases"].items()}
            det._pairs = det._index(det.phrases_)
        return det
