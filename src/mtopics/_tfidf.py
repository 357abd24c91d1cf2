"""TF-IDF term weighting on token lists, with scikit-learn or gensim as the engine.

The engine fits the document frequencies and IDF weights; after fitting, the
vocabulary and the IDF vector are all that is needed, so transforming is plain
numpy/scipy and the state saves as JSON plus one ``.npy`` array.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import scipy.sparse as sp

from .exceptions import NotFittedError

__all__ = ["TfidfWeighting", "char_ngrams", "ngrams"]


def ngrams(tokens: Sequence[str], ngram_range: tuple[int, int] = (1, 1)) -> list[str]:
    """Tokens plus their n-grams (joined by a space) for n in ``ngram_range``.

    >>> ngrams(["not", "a", "lie"], (1, 2))
    ['not', 'a', 'lie', 'not a', 'a lie']
    """
    low, high = ngram_range
    out: list[str] = list(tokens) if low <= 1 else []
    for n in range(max(low, 2), high + 1):
        out.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return out


def char_ngrams(tokens: Sequence[str], ngram_range: tuple[int, int] = (2, 5)) -> list[str]:
    """Character n-grams inside word boundaries (each word padded with spaces), like
    scikit-learn's ``analyzer="char_wb"``.

    >>> char_ngrams(["lie"], (2, 3))
    [' l', 'li', 'ie', 'e ', ' li', 'lie', 'ie ']
    """
    out: list[str] = []
    for token in tokens:
        out.extend(_token_char_ngrams(token, ngram_range[0], ngram_range[1]))
    return out


@lru_cache(maxsize=100_000)
def _token_char_ngrams(token: str, low: int, high: int) -> tuple[str, ...]:
    padded = f" {token} "
    return tuple(padded[i : i + n] for n in range(low, high + 1) for i in range(len(padded) - n + 1))


class TfidfWeighting:
    """TF-IDF weights for pre-tokenised documents.

    Parameters
    ----------
    engine : {"sklearn", "gensim"}
        ``"sklearn"``: ``TfidfVectorizer`` with smoothed IDF ``ln((1+N)/(1+df)) + 1``;
        ``"gensim"``: ``TfidfModel`` with IDF ``log2(N/df)``.
    ngram_range : tuple of int
        Word n-grams to add to the tokens (``analyzer="word"``) or lengths of
        character n-grams (``analyzer="char_wb"``).
    analyzer : {"word", "char_wb"}
        Terms are word n-grams of the tokens, or character n-grams within words.
    sublinear_tf : bool
        Use ``1 + ln(tf)`` instead of raw counts.
    min_df : int
        Drop terms in fewer documents.
    max_df : float
        Drop terms in a larger share of the documents.
    max_features : int or None
        Keep the most frequent terms only.
    norm : {"l2", "none"}
        Row normalisation.

    Attributes
    ----------
    vocabulary_ : dict of str to int
        Term to column.
    idf_ : ndarray of shape (n_terms,)
        IDF weight of each column.

    Examples
    --------
    >>> docs = [["survivor", "spoke"], ["survivor", "denied"], ["court", "adjourned"]]
    >>> tfidf = TfidfWeighting().fit(docs)
    >>> X = tfidf.transform([["survivor", "court", "unknown"]])
    >>> X.shape, sorted(tfidf.vocabulary_)[:2]
    ((1, 5), ['adjourned', 'court'])
    """

    def __init__(
        self,
        engine: str = "sklearn",
        ngram_range: tuple[int, int] = (1, 1),
        sublinear_tf: bool = True,
        min_df: int = 1,
        max_df: float = 1.0,
        max_features: int | None = None,
        norm: str = "l2",
        analyzer: str = "word",
    ):
        self.analyzer = analyzer
        self.engine = engine
        self.ngram_range = ngram_range
        self.sublinear_tf = sublinear_tf
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.norm = norm

    def _terms(self, tokens: Sequence[str]) -> list[str]:
        if self.analyzer == "char_wb":
            return char_ngrams(tokens, tuple(self.ngram_range))  # type: ignore[arg-type]
        return ngrams(tokens, tuple(self.ngram_range))  # type: ignore[arg-type]

    def fit(self, token_lists: Iterable[Sequence[str]]) -> TfidfWeighting:
        """Learn the vocabulary and IDF weights."""
        self._fit(token_lists)
        return self

    def _check_params(self) -> None:
        if self.engine not in ("sklearn", "gensim"):
            raise ValueError(f"engine must be 'sklearn' or 'gensim'; got {self.engine!r}")
        if self.norm not in ("l2", "none"):
            raise ValueError(f"norm must be 'l2' or 'none'; got {self.norm!r}")
        if self.analyzer not in ("word", "char_wb"):
            raise ValueError(f"analyzer must be 'word' or 'char_wb'; got {self.analyzer!r}")

    def _fit(self, token_lists: Iterable[Sequence[str]]) -> sp.csr_matrix:
        """Fit the vocabulary and IDF; return the term counts of the documents.

        With the sklearn engine (and no ``max_features``), the terms of each document are
        numbered once per process (:class:`_TermIndex`): cross-validation fits again and again
        on subsets of the same documents, and each fit is then a few array operations.  The
        result is that of ``TfidfVectorizer`` (same vocabulary, order and weights).
        """
        self._check_params()
        if self.engine == "sklearn" and self.max_features is None:
            return self._fit_indexed([tuple(tokens) for tokens in token_lists])
        docs = [self._terms(tokens) for tokens in token_lists]
        if not any(docs):
            raise ValueError("TfidfWeighting.fit needs at least one non-empty document")
        if self.engine == "sklearn":
            return self._fit_sklearn(docs)
        self._fit_gensim(docs)
        return self._counts(docs)

    def _fit_sklearn(self, docs: list[list[str]]) -> sp.csr_matrix:
        from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

        vec = CountVectorizer(
            analyzer=_identity,
            min_df=self.min_df,
            max_df=self.max_df,
            max_features=self.max_features,
        )
        counts = vec.fit_transform(docs)
        terms = vec.get_feature_names_out()
        self.vocabulary_ = {str(t): i for i, t in enumerate(terms)}
        self.idf_ = np.asarray(TfidfTransformer(smooth_idf=True).fit(counts).idf_, dtype=np.float64)
        return sp.csr_matrix(counts, dtype=np.float64)

    def _fit_gensim(self, docs: list[list[str]]) -> None:
        from gensim.corpora import Dictionary
        from gensim.models import TfidfModel

        dictionary = Dictionary(docs)
        dictionary.filter_extremes(
            no_below=self.min_df, no_above=self.max_df, keep_n=self.max_features or len(dictionary)
        )
        model = TfidfModel(dictionary=dictionary, wlocal=_identity_weight)
        terms = sorted(dictionary.token2id)
        self.vocabulary_ = {t: i for i, t in enumerate(terms)}
        self.idf_ = np.array([model.idfs.get(dictionary.token2id[t], 0.0) for t in terms], dtype=np.float64)

    def transform(self, token_lists: Iterable[Sequence[str]]) -> sp.csr_matrix:
        """TF-IDF matrix of shape (n_documents, n_terms); unknown terms are ignored."""
        if not hasattr(self, "idf_"):
            raise NotFittedError("TfidfWeighting is not fitted; call fit() first")
        return self._weigh(self._counts([self._terms(tokens) for tokens in token_lists]))

    def _counts(self, term_lists: list[list[str]]) -> sp.csr_matrix:
        """Counts of the known terms of each document (unknown terms are dropped)."""
        lookup = self.vocabulary_.get
        indptr = [0]
        cols: list[int] = []
        for terms in term_lists:
            cols.extend([c for c in map(lookup, terms) if c is not None])
            indptr.append(len(cols))
        X = sp.csr_matrix(
            (np.ones(len(cols)), np.asarray(cols, dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
            shape=(len(term_lists), len(self.idf_)),
        )
        X.sum_duplicates()  # one entry per term and document, holding its count
        return X

    def _weigh(self, X: sp.csr_matrix) -> sp.csr_matrix:
        """TF-IDF weights of a count matrix (changed in place and returned).

        Columns are put in order first: the row norms are then sums in one order, whatever
        order the counts came in, so equal counts give bit-for-bit equal weights.
        """
        X.sort_indices()
        if self.sublinear_tf:
            np.log(X.data, out=X.data)
            X.data += 1.0
        X.data *= self.idf_[X.indices]
        if self.norm == "l2":
            norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
            norms[norms == 0] = 1.0
            X.data /= np.repeat(norms, np.diff(X.indptr))
        return X

    def fit_transform(self, token_lists: Iterable[Sequence[str]]) -> sp.csr_matrix:
        """Fit, then transform the same documents (their terms are computed once)."""
        return self._weigh(self._fit(token_lists))

    def _fit_indexed(self, docs: list[tuple[str, ...]]) -> sp.csr_matrix:
        """Fit the vocabulary and IDF as ``TfidfVectorizer`` does, from the process's term index; return the counts."""
        index = _TERM_INDEX
        key = (self.analyzer, tuple(self.ngram_range))
        index.reserve(len(docs))
        ids = [index.document(key, tokens, self._terms) for tokens in docs]
        if not any(len(d) for d in ids):
            raise ValueError("TfidfWeighting.fit needs at least one non-empty document")
        indptr = np.zeros(len(ids) + 1, dtype=np.int64)
        np.cumsum([len(d) for d in ids], out=indptr[1:])
        counts = sp.csr_matrix(
            (np.ones(int(indptr[-1])), np.concatenate(ids), indptr), shape=(len(ids), len(index.terms))
        )
        counts.sum_duplicates()  # one entry per term and document, holding its count
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        n = len(ids)
        low = self.min_df if isinstance(self.min_df, numbers.Integral) else self.min_df * n
        high = self.max_df if isinstance(self.max_df, numbers.Integral) else self.max_df * n
        if high < low:
            raise ValueError("max_df corresponds to < documents than min_df")
        kept = np.flatnonzero((df > 0) & (df >= low) & (df <= high))
        if not len(kept):
            raise ValueError("After pruning, no terms remain. Try a lower min_df or a higher max_df.")
        terms = index.terms
        kept = np.asarray(sorted(kept.tolist(), key=terms.__getitem__), dtype=np.int64)  # sklearn's column order
        self.vocabulary_ = {terms[i]: col for col, i in enumerate(kept.tolist())}
        self.idf_ = np.log((1.0 + n) / (1.0 + df[kept])) + 1.0  # smoothed, as TfidfVectorizer(smooth_idf=True)
        return sp.csr_matrix(counts[:, kept])

    def get_feature_names(self) -> list[str]:
        """Terms in column order."""
        names = [""] * len(self.vocabulary_)
        for term, col in self.vocabulary_.items():
            names[col] = term
        return names

    # -- persistence -----------------------------------------------------------
    def get_params(self) -> dict[str, Any]:
        """Constructor parameters."""
        return {
            "engine": self.engine,
            "ngram_range": list(self.ngram_range),
            "sublinear_tf": self.sublinear_tf,
            "min_df": self.min_df,
            "max_df": self.max_df,
            "max_features": self.max_features,
            "norm": self.norm,
            "analyzer": self.analyzer,
        }

    def get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """JSON-ready parameters and terms, and the IDF array."""
        return {"params": self.get_params(), "terms": self.get_feature_names()}, {"idf": self.idf_}

    @classmethod
    def from_state(cls, state: dict[str, Any], arrays: dict[str, np.ndarray]) -> TfidfWeighting:
        """Rebuild a fitted weighting saved by :meth:`get_state`."""
        params = dict(state["params"])
        params["ngram_range"] = tuple(params["ngram_range"])
        obj = cls(**params)
        obj.vocabulary_ = {t: i for i, t in enumerate(state["terms"])}
        obj.idf_ = np.asarray(arrays["idf"], dtype=np.float64)
        if obj.idf_.shape != (len(obj.vocabulary_),):
            raise ValueError(f"idf has shape {obj.idf_.shape} for {len(obj.vocabulary_)} terms")
        return obj


class _TermIndex:
    """Every term that TF-IDF fitting met in this process, numbered once, and the numbers of each document.

    Keyed by the analyzer and the document's tokens, so the same passage fitted in several
    folds is split into n-grams and looked up once.  Only fitting adds to it (transforming new
    text does not).  A fit that would take it past ``max_documents`` empties it first, numbers
    and documents together (never during a fit: its documents share one numbering); a
    document keeps about 70 bytes of character n-gram numbers per word (measured on the labelled
    passages: 3.7 kB for their mean of 55 words).
    """

    def __init__(self, max_documents: int = 20_000):
        self.max_documents = max_documents
        self.ids: dict[str, int] = {}
        self.terms: list[str] = []
        self.documents: dict[tuple[Any, tuple[str, ...]], np.ndarray] = {}

    def reserve(self, n: int) -> None:
        """Make room for a fit of ``n`` documents: empty the index if it would pass ``max_documents``."""
        if len(self.documents) + n > self.max_documents:
            self.ids.clear()
            self.terms.clear()
            self.documents.clear()

    def document(self, key: Any, tokens: tuple[str, ...], terms_of: Any) -> np.ndarray:
        """Term numbers of a document (one per occurrence), numbering its new terms."""
        found = self.documents.get((key, tokens))
        if found is not None:
            return found
        ids, terms = self.ids, self.terms
        numbers = []
        for term in terms_of(tokens):
            i = ids.get(term)
            if i is None:
                i = ids[term] = len(terms)
                terms.append(term)
            numbers.append(i)
        out = np.asarray(numbers, dtype=np.int32)
        self.documents[(key, tokens)] = out
        return out


_TERM_INDEX = _TermIndex()


def _identity(doc: list[str]) -> list[str]:
    return doc


def _identity_weight(tf: Any) -> Any:
    return tf
