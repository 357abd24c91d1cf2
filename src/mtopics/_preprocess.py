"""From raw article to passages and tokens: cleaning, passage splitting, phrases."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from ._clean import TextCleaner
from ._passages import Passage, split_passages
from ._phrases import PhraseDetector

__all__ = ["PassageParams", "Preprocessor"]


@dataclass(frozen=True)
class PassageParams:
    """How articles are cut into passages (see :func:`mtopics.split_passages`)."""

    mode: str = "auto"
    min_words: int = 30
    max_words: int = 120
    window: int = 100


@dataclass
class Preprocessor:
    """Cleaning, passage splitting and (once fitted) phrase joining, as one object.

    Examples
    --------
    >>> pre = Preprocessor()
    >>> [p.index for p in pre.passages("a", "Type to search\\n\\nOne. " * 3)]
    [0]
    >>> pre.tokens("Sexual harassment at work")
    ['sexual', 'harassment', 'work']
    """

    cleaner: TextCleaner = field(default_factory=TextCleaner)
    passage_params: PassageParams = field(default_factory=PassageParams)
    phrases: PhraseDetector | None = None

    def passages(self, doc_id: str, text: str) -> list[Passage]:
        """Passages of an article; furniture-only paragraphs are dropped."""
        p = self.passage_params
        return split_passages(
            text,
            doc_id,
            mode=p.mode,
            min_words=p.min_words,
            max_words=p.max_words,
            window=p.window,
            skip=self.cleaner.is_empty,
        )

    def stance_units(self, doc_id: str, text: str) -> list[Passage]:
        """The units stance is judged on: like :meth:`passages`, but short paragraphs are not
        joined, so that one evaluative paragraph is not diluted by its neutral neighbours."""
        p = self.passage_params
        return split_passages(
            text,
            doc_id,
            mode=p.mode,
            min_words=0,
            max_words=p.max_words,
            window=p.window,
            skip=self.cleaner.is_empty,
        )

    def raw_tokens(self, text: str) -> list[str]:
        """Cleaned tokens before phrase joining."""
        return self.cleaner.tokenize(text)

    def tokens(self, text: str) -> list[str]:
        """Cleaned tokens with phrases joined (if phrases were fitted)."""
        tokens = self.cleaner.tokenize(text)
        if self.phrases is not None:
            tokens = self.phrases.transform(tokens)
        return tokens

    def fit_phrases(self, token_lists: Iterable[Sequence[str]], **params: Any) -> Preprocessor:
        """Learn phrases from raw token lists (see :class:`PhraseDetector`)."""
        self.phrases = PhraseDetector(**params).fit(token_lists)
        return self

    def get_state(self) -> dict[str, Any]:
        """JSON-ready state."""
        cleaner = asdict(self.cleaner)
        cleaner["extra_stopwords"] = list(cleaner["extra_stopwords"])
        return {
            "cleaner": cleaner,
            "passages": asdict(self.passage_params),
            "phrases": self.phrases.get_state() if self.phrases is not None else None,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Preprocessor:
        """Rebuild from :meth:`get_state`."""
        cleaner = dict(state["cleaner"])
        cleaner["extra_stopwords"] = tuple(cleaner.get("extra_stopwords", ()))
        phrases = PhraseDetector.from_state(state["phrases"]) if state.get("phrases") else None
        return cls(TextCleaner(**cleaner), PassageParams(**state["passages"]), phrases)
