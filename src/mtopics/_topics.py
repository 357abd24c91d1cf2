"""LDA topic models with gensim, and topic inference for new text in numpy.

:class:`LdaTopicModel` trains gensim's ``LdaModel`` (or ``LdaMulticore``) on a
stream of token lists.  Once fitted, the model is three arrays (topic-word
variational parameters ``lambda``, ``alpha``, ``eta``) and a vocabulary, so it
saves as JSON plus ``.npy`` and infers topic mixtures of new documents with the
same variational E-step as gensim, without building a gensim object.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
from scipy.special import psi

from .exceptions import NotFittedError

__all__ = ["SELECTION_RULE", "LdaTopicModel", "evaluate_topics", "select_num_topics"]

logger = logging.getLogger("mtopics")


def _dirichlet_expectation(x: np.ndarray) -> np.ndarray:
    if x.ndim == 1:
        return psi(x) - psi(np.sum(x))
    return psi(x) - psi(np.sum(x, axis=1))[:, np.newaxis]


class _BowStream:
    """Re-iterable bag-of-words view of a re-iterable token corpus (or of the documents ``keep`` marks)."""

    def __init__(self, texts: Iterable[Sequence[str]], dictionary: Any, keep: np.ndarray | None = None):
        self.texts = texts
        self.dictionary = dictionary
        self.keep = keep

    def __len__(self) -> int:
        return int(self.dictionary.num_docs if self.keep is None else self.keep.sum())

    def __iter__(self) -> Iterator[list[tuple[int, int]]]:
        for i, tokens in enumerate(self.texts):
            if self.keep is None or self.keep[i]:
                yield self.dictionary.doc2bow(tokens)


class _Run:
    """The arrays of one trained gensim model (what a worker process sends back)."""

    def __init__(self, model: Any):
        self.lambda_ = np.asarray(model.state.get_lambda(), dtype=np.float64)
        self.alpha = np.asarray(model.alpha, dtype=np.float64)
        self.eta = np.asarray(model.eta, dtype=np.float64)

    def top_term_ids(self, n: int) -> list[list[int]]:
        return [list(np.argsort(-row, kind="stable")[:n]) for row in self.lambda_]


#: One training job: parameters, seed, the starting topics (``None``: gensim's random start),
#: the documents it trains on (``None``: all) and the topic-word prior given to gensim.
_Job = tuple["LdaTopicModel", int, "np.ndarray | None", "np.ndarray | None", Any]


def _train_one(texts: Iterable[Sequence[str]], dictionary: Any, job: _Job) -> _Run:
    from threadpoolctl import threadpool_limits

    params, seed, start, keep, eta = job
    with threadpool_limits(limits=1):
        return _Run(params._train(_BowStream(texts, dictionary, keep), dictionary, seed, start, eta))


def _train_runs(texts: Iterable[Sequence[str]], dictionary: Any, jobs: list[_Job], n_jobs: int) -> list[_Run]:
    """Train one gensim model per job, in parallel when there are several."""
    if len(jobs) == 1 or n_jobs in (0, 1):
        results: Iterable[_Run] = (_train_one(texts, dictionary, job) for job in jobs)
    else:
        from joblib import Parallel, delayed

        results = Parallel(n_jobs=n_jobs, return_as="generator")(
            delayed(_train_one)(texts, dictionary, job) for job in jobs
        )
    runs = []
    for i, (run, job) in enumerate(zip(results, jobs, strict=True), start=1):
        runs.append(run)
        if len(jobs) > 1:  # progress, in this process: seen by Python callers' logging too
            logger.info("trained LDA %d of %d (K=%d, seed %d)", i, len(jobs), job[0].num_topics, job[1])
    return runs


def _tfidf_matrix(texts: Iterable[Sequence[str]], dictionary: Any) -> Any:
    """Sparse documents x terms TF-IDF matrix (rows l2-normalised), read in one pass."""
    from array import array

    import scipy.sparse as sp

    # typed arrays: 8 bytes an entry while reading, not a Python int object each
    indptr, indices, counts = array("q", [0]), array("q"), array("d")
    for tokens in texts:
        bow = dictionary.doc2bow(tokens)
        indices.extend(i for i, _ in bow)
        counts.extend(c for _, c in bow)
        indptr.append(len(indices))
    x = sp.csr_matrix(
        (
            np.frombuffer(counts, dtype=np.float64),
            np.frombuffer(indices, dtype=np.int64),
            np.frombuffer(indptr, dtype=np.int64),
        ),
        shape=(len(indptr) - 1, len(dictionary)),
    )
    df = np.bincount(x.indices, minlength=x.shape[1])
    x = x @ sp.diags(np.log2(max(x.shape[0], 1) / np.maximum(df, 1)))
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1))).ravel()
    return sp.diags(1.0 / np.maximum(norms, 1e-12)) @ x


def _nndsvd_start(tfidf: Any, num_topics: int, total_tokens: float) -> np.ndarray:
    """Starting topic-word statistics from an NMF of the TF-IDF matrix (NNDSVD start: no randomness).

    Rows are the NMF topics, normalised and scaled so that together they hold the
    corpus' token count, as gensim's sufficient statistics do.
    """
    import warnings

    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1), warnings.catch_warnings():
        # only a start for LDA: NMF need not converge; its loss report may take sqrt of a rounding -0
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        # NNDSVD starts from a randomized SVD: a fixed random_state makes the start the same every time
        nmf = NMF(n_components=num_topics, init="nndsvd", solver="cd", max_iter=200, random_state=0)
        h = nmf.fit(tfidf).components_
    h = h + 1e-12
    return np.asarray(h / h.sum(axis=1, keepdims=True) * (total_tokens / num_topics))


def _seed_start(tfidf: Any, seed_ids: list[list[int]], num_topics: int, total_tokens: float) -> np.ndarray:
    """Starting topics of a seeded model: seeded topics first, then NMF topics for the others.

    A seeded topic starts as the TF-IDF centroid of the documents, each weighted by how much
    of its seed terms it holds; the remaining ``num_topics - len(seed_ids)`` topics start as
    in :func:`_nndsvd_start`.  Rows are scaled like gensim's sufficient statistics.
    """
    n_seeded = len(seed_ids)
    rows = np.zeros((num_topics, tfidf.shape[1]))
    for k, ids in enumerate(seed_ids):
        weight = np.asarray(tfidf[:, ids].sum(axis=1)).ravel()
        rows[k] = np.asarray(tfidf.T @ weight).ravel() + 1e-12
    rows[:n_seeded] /= rows[:n_seeded].sum(axis=1, keepdims=True)
    if num_topics > n_seeded:
        # a total of one token per topic: rows that each sum to 1, scaled below with the seeded ones
        rest = _nndsvd_start(tfidf, num_topics - n_seeded, float(num_topics - n_seeded))
        rows[n_seeded:] = rest
    return rows * (total_tokens / num_topics)


def _seed_pairs(seed_topics: Any) -> list[tuple[str, tuple[str, ...]]]:
    """``seed_topics`` (a mapping of name to words, or pairs) as checked ``(name, words)`` pairs."""
    if seed_topics is None:
        return []
    items = list(seed_topics.items()) if isinstance(seed_topics, dict) else [tuple(x) for x in seed_topics]
    pairs = []
    for item in items:
        if len(item) != 2:
            raise ValueError(f"seed_topics must map names to lists of words; got {item!r}")
        name, words = item
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"seed topic names must be non-empty strings; got {name!r}")
        if isinstance(words, str) or not words or not all(isinstance(w, str) and w.strip() for w in words):
            raise ValueError(f"seed topic {name!r} must list at least one word, each a non-empty string; got {words!r}")
        # a phrase may be a seed word too: "khawaja sira" is the term khawaja_sira
        pairs.append((name, tuple("_".join(w.lower().split()) for w in words)))
    if len({name for name, _ in pairs}) != len(pairs):
        raise ValueError(f"seed topic names repeat: {[name for name, _ in pairs]}")
    return pairs


def _is_seed_term(term: str, words: tuple[str, ...]) -> bool:
    """A term stands for a seed word when it is the word or a phrase holding it (``khawaja`` -> ``khawaja_sira``)."""
    return term in words or any(part in words for part in term.split("_"))


class LdaTopicModel:
    """Latent Dirichlet Allocation on token lists (gensim engine).

    Parameters
    ----------
    num_topics : int
        Number of topics K.
    alpha : {"auto", "symmetric", "asymmetric"} or float
        Document-topic prior; ``"auto"`` learns an asymmetric prior from the data.
    eta : {"auto", "symmetric"} or float
        Topic-word prior.
    passes : int
        Passes over the corpus.
    iterations : int
        Maximum E-step iterations per document.
    chunksize : int
        Documents per update.
    no_below : int
        Drop terms in fewer than this many documents.
    no_above : float
        Drop terms in more than this share of documents.
    keep_n : int
        Keep at most this many terms.
    multicore : bool
        Use ``LdaMulticore`` (needs ``alpha`` other than ``"auto"``).
    workers : int
        Worker processes for ``LdaMulticore``.
    random_state : int
        Seed: the same seed and data give the same topics.
    gamma_threshold : float
        E-step convergence threshold.
    restarts : int
        Train this many models (seeds ``random_state``, ``random_state + 1``, ...).  With
        ``subsample = 1`` every run sees all documents and the consensus run is kept: the
        one whose topics best match the other runs' (mean best-match Jaccard of top-10
        terms); their agreement is :attr:`stability_`.  With ``subsample < 1`` the first run
        sees all documents and is kept; the others each see a random share ``subsample``
        of the documents, and :attr:`stability_` is how well their topics match the kept
        run's: whether the topics are borne by the data, not only by the seed.
    subsample : float
        Share of the documents each restart after the first trains on (1.0: all).  With
        the deterministic ``init="nndsvd"`` seeds barely change the topics, so stability
        across seeds is close to 1 whatever K; across subsamples it tells K apart
        (Greene, O'Callaghan and Cunningham 2014, "How many topics? Stability analysis
        for topic models").
    n_jobs : int
        Processes for the restarts (joblib); ``-1`` all cores.
    init : {"nndsvd", "random"}
        Where training starts.  ``"nndsvd"`` (default): from the topics of a non-negative
        factorisation (NMF, NNDSVD start) of the passages' TF-IDF matrix, which is
        deterministic, so every seed finds the same topics, and gives more coherent
        topics (docs/topics.md has the measurements); needs the sparse TF-IDF matrix in
        memory.  ``"random"``: gensim's own random start.
    seed_topics : dict of str to list of str, optional
        Seeded ("guided") topics: a name and seed words for each, given in order, which
        become the first topics (``num_topics`` must be at least their number; the others are
        free).  A seed word also seeds the phrases that hold it (``khawaja`` seeds
        ``khawaja_sira``), and a seed may be a phrase (``"khawaja sira"``); seed terms stay in
        the vocabulary whatever ``no_below`` and ``no_above`` say.  Needs ``init="nndsvd"``.  The
        topic-word prior is then fixed (not learnt): ``eta`` (``1/K`` unless a number is
        given) everywhere, plus ``seed_strength`` for each seed term on its own topic; with
        ``init="nndsvd"`` a seeded topic starts from the passages that hold its seed terms.
        The model is told where to look, so a seeded topic that holds its seed words shows
        what the data put around them, not that the theme was found (docs/topics.md).
    seed_strength : float
        Pseudo-counts added to the prior of each seed term on its topic.

    Attributes
    ----------
    terms_ : list of str
        Vocabulary in column order.
    term_frequency_ : ndarray of shape (n_terms,)
        Corpus frequency of each term.
    lambda_ : ndarray of shape (num_topics, n_terms)
        Variational topic-word parameters.
    alpha_, eta_ : ndarray
        The priors, as learnt or given (``eta_`` has one row per topic when seeded).
    stability_ : float or None
        Agreement of the restarts' topics in [0, 1] (see :func:`mtopics.topic_stability`);
        ``None`` with one run.
    chosen_restart_ : int
        Which restart was kept (0-based; its seed is ``random_state + chosen_restart_``;
        always 0 with ``subsample < 1``).

    Examples
    --------
    >>> docs = [["court", "hearing", "case"], ["song", "album", "singer"]] * 10
    >>> lda = LdaTopicModel(num_topics=2, passes=5, no_below=1, no_above=1.0, random_state=1).fit(docs)
    >>> len(lda.top_terms(0, 3)), lda.transform([["court", "case"]]).shape
    (3, (1, 2))
    """

    def __init__(
        self,
        num_topics: int = 6,
        alpha: str | float = "auto",
        eta: str | float = "auto",
        passes: int = 10,
        iterations: int = 400,
        chunksize: int = 2000,
        no_below: int = 2,
        no_above: float = 0.2,
        keep_n: int = 100_000,
        multicore: bool = False,
        workers: int = 1,
        random_state: int = 0,
        gamma_threshold: float = 0.001,
        restarts: int = 1,
        n_jobs: int = 1,
        init: str = "nndsvd",
        subsample: float = 1.0,
        seed_topics: Any = None,
        seed_strength: float = 10.0,
    ):
        self.num_topics = num_topics
        self.alpha = alpha
        self.eta = eta
        self.passes = passes
        self.iterations = iterations
        self.chunksize = chunksize
        self.no_below = no_below
        self.no_above = no_above
        self.keep_n = keep_n
        self.multicore = multicore
        self.workers = workers
        self.random_state = random_state
        self.gamma_threshold = gamma_threshold
        self.restarts = restarts
        self.n_jobs = n_jobs
        self.init = init
        self.subsample = subsample
        self.seed_topics = seed_topics
        self.seed_strength = seed_strength

    # -- training --------------------------------------------------------------
    def fit(self, texts: Iterable[Sequence[str]]) -> LdaTopicModel:
        """Train on a re-iterable corpus of token lists (a list, or a stream read from disk).

        The corpus is read once to build the vocabulary and then once per pass;
        memory grows with the vocabulary and ``num_topics``, not with the number
        of documents.  Restarts run in parallel on ``n_jobs`` processes.
        """
        dictionary = self._vocabulary(texts)
        runs = _train_runs(texts, dictionary, self._plan(texts, dictionary, {self.num_topics: self}), self.n_jobs)
        self._adopt(runs, dictionary)
        self._warn_empty_seeds()
        return self

    def _vocabulary(self, texts: Iterable[Sequence[str]]) -> Any:
        from gensim.corpora import Dictionary

        if self.multicore and self.alpha == "auto":
            raise ValueError("LdaMulticore cannot learn alpha: set alpha to 'symmetric', 'asymmetric' or a number")
        if self.restarts < 1:
            raise ValueError(f"restarts must be at least 1; got {self.restarts}")
        if self.init not in ("nndsvd", "random"):
            raise ValueError(f"init must be 'nndsvd' or 'random'; got {self.init!r}")
        if not 0.0 < self.subsample <= 1.0:
            raise ValueError(f"subsample must be in (0, 1]; got {self.subsample}")
        seeds = _seed_pairs(self.seed_topics)  # K against their number: in _plan, for every K
        if seeds and self.init != "nndsvd":
            raise ValueError(
                f"seed_topics need init='nndsvd' (a seeded topic starts from the passages holding its words; "
                f"from a random start a prior alone does not hold it); got init={self.init!r}"
            )
        if self.seed_strength <= 0:
            raise ValueError(f"seed_strength must be > 0; got {self.seed_strength}")
        dictionary = Dictionary(texts)
        n_docs = dictionary.num_docs
        kept = [t for t in dictionary.token2id if any(_is_seed_term(t, words) for _, words in seeds)]
        dictionary.filter_extremes(
            no_below=self.no_below, no_above=self.no_above, keep_n=self.keep_n, keep_tokens=kept or None
        )
        dictionary.compactify()
        for name, words in seeds:
            missing = [w for w in words if not any(_is_seed_term(t, (w,)) for t in dictionary.token2id)]
            if len(missing) == len(words):
                raise ValueError(
                    f"seed topic {name!r}: none of its words {list(words)} is among the corpus' tokens after cleaning"
                )
            if missing:
                logger.warning(
                    "seed topic %r: %s not among the corpus' tokens after cleaning", name, ", ".join(missing)
                )
        if seeds and not isinstance(self.eta, (int, float)):
            logger.info("seeded topics: eta is fixed at 1/K plus seed_strength on the seed terms (not %r)", self.eta)
        if len(dictionary) < self.num_topics:
            raise ValueError(
                f"only {len(dictionary)} terms are left after vocabulary filtering of {n_docs} documents; "
                f"LDA with {self.num_topics} topics needs more (lower no_below or raise no_above)"
            )
        logger.info(
            "LDA: %d documents, %d terms, K=%d, %d passes, %d restart(s)",
            n_docs,
            len(dictionary),
            self.num_topics,
            self.passes,
            self.restarts,
        )
        return dictionary

    def _plan(self, texts: Iterable[Sequence[str]], dictionary: Any, models: dict[int, LdaTopicModel]) -> list[_Job]:
        """The training jobs: ``restarts`` runs for each model (one model per K), in order.

        Restart ``i`` has seed ``random_state + i``; with ``subsample < 1``, restarts after
        the first get a random share of the documents (the same for every K) and, with the
        NMF start, a start computed on those documents only.
        """
        n = int(dictionary.num_docs)
        masks: list[np.ndarray | None] = [None]
        for i in range(1, self.restarts):
            drawn = np.random.default_rng(self.random_state + i).random(n) < self.subsample
            masks.append(None if self.subsample >= 1.0 else drawn)
        tfidf = None
        if self.init == "nndsvd":
            tfidf = _tfidf_matrix(texts, dictionary)
            logger.info("NMF start: %d x %d TF-IDF matrix, %d non-zeros", *tfidf.shape, tfidf.nnz)
        total = float(sum(dictionary.cfs.values()))
        seed_ids = self._seed_ids(dictionary)
        if seed_ids and min(models) < len(seed_ids):
            raise ValueError(f"num_topics ({min(models)}) must be at least the number of seed topics ({len(seed_ids)})")
        jobs: list[_Job] = []
        for k, model in models.items():
            eta = model._eta(seed_ids, len(dictionary))
            starts: dict[int, np.ndarray] = {}
            for i, keep in enumerate(masks):
                start = None
                if tfidf is not None:
                    key = 0 if keep is None else i
                    if key not in starts:
                        x = tfidf if keep is None else tfidf[keep]
                        tokens = total * (1.0 if keep is None else float(keep.mean()))
                        if seed_ids:
                            starts[key] = _seed_start(x, seed_ids, k, tokens)
                        else:
                            starts[key] = _nndsvd_start(x, k, tokens)
                    start = starts[key]
                jobs.append((model, self.random_state + i, start, keep, eta))
        return jobs

    def _seed_ids(self, dictionary: Any) -> list[list[int]]:
        """Vocabulary ids of the seed terms of each seed topic (empty without seed topics)."""
        return [
            sorted(i for t, i in dictionary.token2id.items() if _is_seed_term(t, words))
            for _, words in _seed_pairs(self.seed_topics)
        ]

    def _eta(self, seed_ids: list[list[int]], n_terms: int) -> Any:
        """The topic-word prior given to gensim: as configured, or the seeded (K, V) matrix."""
        if not seed_ids:
            return self.eta
        base = float(self.eta) if isinstance(self.eta, (int, float)) else 1.0 / self.num_topics
        eta = np.full((self.num_topics, n_terms), base)
        for k, ids in enumerate(seed_ids):
            eta[k, ids] += self.seed_strength
        return eta

    def _warn_empty_seeds(self) -> None:
        """Say which seeded topics hold none of their seed terms among their top 10 terms."""
        for k, (name, words) in enumerate(_seed_pairs(self.seed_topics)):
            if not any(_is_seed_term(t, words) for t in self.top_terms(k, 10)):
                logger.warning(
                    "seed topic %r holds none of its seed words among its top 10 terms: %s",
                    name,
                    ", ".join(self.top_terms(k, 10)),
                )

    def _adopt(self, runs: list[_Run], dictionary: Any) -> None:
        """Keep one run of several restarts and record their agreement (see ``restarts``)."""
        from ._metrics import topic_stability

        self.stability_: float | None

        tops = [run.top_term_ids(10) for run in runs]
        if len(runs) > 1 and self.subsample < 1.0:
            # the first run saw every document; the others, subsamples: how well do they agree with it?
            chosen = 0
            self.stability_ = round(float(np.mean([topic_stability([tops[0], t], 10) for t in tops[1:]])), 4)
        elif len(runs) > 1:
            agreement = [topic_stability([tops[i], tops[j]], 10) for i in range(len(runs)) for j in range(len(runs))]
            pairwise = np.array(agreement).reshape(len(runs), len(runs))
            np.fill_diagonal(pairwise, np.nan)
            chosen = int(np.argmax(np.nanmean(pairwise, axis=1)))
            self.stability_ = topic_stability(tops, 10)
        else:
            chosen, self.stability_ = 0, None
        run = runs[chosen]
        self.chosen_restart_ = chosen
        self.terms_ = [dictionary[i] for i in range(len(dictionary))]
        cfs = np.zeros(len(dictionary), dtype=np.float64)
        for term_id, count in dictionary.cfs.items():
            cfs[term_id] = count
        self.term_frequency_ = cfs
        self.lambda_ = run.lambda_
        self.alpha_ = run.alpha
        self.eta_ = run.eta.copy() if run.eta.ndim == 2 else np.broadcast_to(run.eta, (len(dictionary),)).copy()
        self.num_documents_ = int(dictionary.num_docs)
        self._prepare()

    def _train(
        self, corpus: _BowStream, dictionary: Any, seed: int, start: np.ndarray | None = None, eta: Any = None
    ) -> Any:
        from gensim.models import LdaModel, LdaMulticore

        common: dict[str, Any] = dict(
            corpus=corpus if start is None else None,
            id2word=dictionary,
            num_topics=self.num_topics,
            eta=self.eta if eta is None else eta,
            passes=self.passes,
            iterations=self.iterations,
            chunksize=self.chunksize,
            random_state=seed,
            gamma_threshold=self.gamma_threshold,
            eval_every=None,
        )
        if self.multicore:
            model = LdaMulticore(alpha=self.alpha, workers=self.workers, **common)
        else:
            model = LdaModel(alpha=self.alpha, update_every=1, **common)
        if start is not None:
            # the starting topics replace gensim's random topic-word statistics; the first
            # update overwrites them, so the topics are learnt by LDA from there
            model.state.sstats[...] = start
            model.sync_state()
            model.update(corpus)
        return model

    def _prepare(self) -> None:
        self.exp_elog_beta_ = np.exp(_dirichlet_expectation(self.lambda_))
        self.topic_word_ = self.lambda_ / self.lambda_.sum(axis=1, keepdims=True)
        self.term_index_ = {t: i for i, t in enumerate(self.terms_)}

    def _check(self) -> None:
        if not hasattr(self, "lambda_"):
            raise NotFittedError("LdaTopicModel is not fitted; call fit() first")

    # -- topics ----------------------------------------------------------------
    def top_terms(self, topic: int, n: int = 10) -> list[str]:
        """The ``n`` most probable terms of a topic."""
        self._check()
        order = np.argsort(-self.topic_word_[topic], kind="stable")[:n]
        return [self.terms_[i] for i in order]

    def relevant_terms(self, topic: int, n: int = 10, lam: float = 0.6, min_count: float = 0) -> list[str]:
        """Terms ranked by LDAvis relevance: ``lam*log p(w|k) + (1-lam)*log(p(w|k)/p(w))``.

        ``lam=1`` is plain probability; lower values favour terms specific to the
        topic.  Terms seen fewer than ``min_count`` times in the corpus rank last
        (rare words are "specific" to any topic that happens to hold them).
        """
        self._check()
        p_w = self.term_frequency_ / self.term_frequency_.sum()
        phi = self.topic_word_[topic]
        with np.errstate(divide="ignore"):
            relevance = lam * np.log(phi) + (1 - lam) * np.log(phi / np.maximum(p_w, 1e-12))
        relevance[self.term_frequency_ < min_count] -= 1e6
        order = np.argsort(-relevance, kind="stable")[:n]
        return [self.terms_[i] for i in order]

    def label(self, topic: int, n: int = 3, min_count: float = 5) -> str:
        """A short readable label: the ``n`` most relevant terms, phrases spelled out.

        Relevance with ``lam=0.6`` (LDAvis' suggested value) among terms seen at
        least ``min_count`` times; a term already contained in a chosen phrase
        is not repeated.  A seeded topic's label is its name and its most relevant terms
        other than its seed terms (``"the law: legal / court / police"``): what the data put
        around the seed words.
        """
        seeds = _seed_pairs(self.seed_topics)
        name, skip = seeds[topic] if topic < len(seeds) else (None, ())
        chosen: list[str] = []
        for term in self.relevant_terms(topic, n=len(self.terms_), min_count=min_count):
            if skip and _is_seed_term(term, skip):
                continue
            words = term.replace("_", " ")
            if any(words in c or c in words for c in chosen):
                continue
            chosen.append(words)
            if len(chosen) == n:
                break
        return " / ".join(chosen) if name is None else f"{name}: " + " / ".join(chosen)

    # -- inference -------------------------------------------------------------
    def transform(self, texts: Iterable[Sequence[str]], max_iter: int = 100) -> np.ndarray:
        """Topic mixtures (rows sum to 1) of token lists; unknown tokens are ignored.

        The variational E-step of gensim's ``LdaModel.inference``, started from
        a uniform ``gamma`` so that the result is deterministic.  A document with
        no known token gets the normalised prior ``alpha``.
        """
        self._check()
        rows = []
        for tokens in texts:
            ids, counts = self._bow(tokens)
            rows.append(self._infer(ids, counts, max_iter))
        return np.vstack(rows) if rows else np.zeros((0, self.num_topics))

    def known_fraction(self, tokens: Sequence[str]) -> float:
        """Share of ``tokens`` that are in the vocabulary (1.0 for an empty list)."""
        self._check()
        if not tokens:
            return 1.0
        return sum(t in self.term_index_ for t in tokens) / len(tokens)

    def _bow(self, tokens: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        counts: dict[int, int] = {}
        for t in tokens:
            i = self.term_index_.get(t)
            if i is not None:
                counts[i] = counts.get(i, 0) + 1
        ids = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        return ids, np.fromiter(counts.values(), dtype=np.float64, count=len(counts))

    def _infer(self, ids: np.ndarray, counts: np.ndarray, max_iter: int) -> np.ndarray:
        alpha = self.alpha_
        if len(ids) == 0:
            return alpha / alpha.sum()
        gamma = np.ones(self.num_topics)
        exp_elog_theta = np.exp(_dirichlet_expectation(gamma))
        exp_elog_beta = self.exp_elog_beta_[:, ids]
        phinorm = exp_elog_theta @ exp_elog_beta + 1e-100
        for _ in range(max_iter):
            last = gamma
            gamma = alpha + exp_elog_theta * ((counts / phinorm) @ exp_elog_beta.T)
            exp_elog_theta = np.exp(_dirichlet_expectation(gamma))
            phinorm = exp_elog_theta @ exp_elog_beta + 1e-100
            if np.mean(np.abs(gamma - last)) < self.gamma_threshold:
                break
        return gamma / gamma.sum()

    # -- persistence -----------------------------------------------------------
    def get_params(self) -> dict[str, Any]:
        """Constructor parameters."""
        return {
            "num_topics": self.num_topics,
            "alpha": self.alpha,
            "eta": self.eta,
            "passes": self.passes,
            "iterations": self.iterations,
            "chunksize": self.chunksize,
            "no_below": self.no_below,
            "no_above": self.no_above,
            "keep_n": self.keep_n,
            "multicore": self.multicore,
            "workers": self.workers,
            "random_state": self.random_state,
            "gamma_threshold": self.gamma_threshold,
            "restarts": self.restarts,
            "n_jobs": self.n_jobs,
            "init": self.init,
            "subsample": self.subsample,
            "seed_topics": self.seed_topics,
            "seed_strength": self.seed_strength,
        }

    def get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """JSON-ready parameters and vocabulary, and the arrays."""
        self._check()
        state = {
            "params": self.get_params(),
            "terms": self.terms_,
            "num_documents": self.num_documents_,
            "stability": self.stability_,
            "chosen_restart": self.chosen_restart_,
        }
        arrays = {
            "lambda": self.lambda_,
            "alpha": self.alpha_,
            "eta": self.eta_,
            "term_frequency": self.term_frequency_,
        }
        return state, arrays

    @classmethod
    def from_state(cls, state: dict[str, Any], arrays: dict[str, np.ndarray]) -> LdaTopicModel:
        """Rebuild a fitted model saved by :meth:`get_state`."""
        # parameters absent from older versions (format 1): one run from gensim's random start
        obj = cls(**{"init": "random", "restarts": 1, "subsample": 1.0, **state["params"]})
        obj.terms_ = [str(t) for t in state["terms"]]
        obj.num_documents_ = int(state["num_documents"])
        obj.stability_ = state.get("stability")  # absent in format 1
        obj.chosen_restart_ = int(state.get("chosen_restart", 0))
        obj.lambda_ = np.asarray(arrays["lambda"], dtype=np.float64)
        obj.alpha_ = np.asarray(arrays["alpha"], dtype=np.float64)
        obj.eta_ = np.asarray(arrays["eta"], dtype=np.float64)
        obj.term_frequency_ = np.asarray(arrays["term_frequency"], dtype=np.float64)
        k, v = obj.num_topics, len(obj.terms_)
        for name, arr, shape in (
            ("lambda", obj.lambda_, (k, v)),
            ("alpha", obj.alpha_, (k,)),
            ("eta", obj.eta_, (k, v) if obj.eta_.ndim == 2 else (v,)),
            ("term_frequency", obj.term_frequency_, (v,)),
        ):
            if arr.shape != shape:
                raise ValueError(f"LDA array `{name}` has shape {arr.shape}; expected {shape}")
        obj._prepare()
        return obj


def evaluate_topics(
    lda: LdaTopicModel, reference: Sequence[Sequence[str]], topn: int = 10, diversity_topn: int = 25
) -> dict[str, Any]:
    """Coherence (c_v, NPMI, u_mass, mean and per topic), diversity and stability of a fitted model.

    Coherence is counted on ``reference`` (token lists, e.g. the training passages) over the
    top ``topn`` terms of each topic; diversity over the top ``diversity_topn``.
    """
    from ._metrics import topic_coherences, topic_diversity

    tops = [lda.top_terms(t, topn) for t in range(lda.num_topics)]
    scores = topic_coherences(tops, reference, ("c_v", "c_npmi", "u_mass"), topn)
    diversity = topic_diversity([lda.top_terms(t, diversity_topn) for t in range(lda.num_topics)], diversity_topn)
    return {
        "num_topics": lda.num_topics,
        "c_v": scores["c_v"][0],
        "npmi": scores["c_npmi"][0],
        "u_mass": scores["u_mass"][0],
        "diversity": diversity,
        "stability": lda.stability_,
        "per_topic_c_v": scores["c_v"][1],
        "per_topic_npmi": scores["c_npmi"][1],
    }


#: How :func:`select_num_topics` chooses K (kept in the manifest with the sweep).
SELECTION_RULE = (
    "highest score = diversity x mean(c_v, stability) (diversity x c_v with one restart); "
    "among scores within 0.005 of the best, the smallest K"
)


def select_num_topics(
    texts: Iterable[Sequence[str]],
    candidates: Sequence[int],
    reference: Sequence[Sequence[str]],
    params: LdaTopicModel | None = None,
    topn: int = 10,
    diversity_topn: int = 25,
) -> tuple[LdaTopicModel, list[dict[str, Any]]]:
    """Train a model for each candidate K and keep the best by coherence and stability.

    Every (K, restart) pair is one job; the jobs run in parallel on ``params.n_jobs``
    processes.  Each candidate is scored on ``reference`` (see :func:`evaluate_topics`);
    the rule (:data:`SELECTION_RULE`): the highest ``diversity * (c_v + stability) / 2``
    (``diversity * c_v`` when ``params.restarts == 1``); among scores within 0.005 of the
    best, the smallest K wins (fewer topics are easier to read).  Coherence says the topics
    read well, stability that they come back with another seed; diversity is there because
    a K too large splits themes into near-copies, which are coherent and stable but say
    the same thing twice.

    Parameters
    ----------
    texts : re-iterable of token lists
        The training corpus.
    candidates : list of int
        Values of K to try.
    reference : list of token lists
        Texts in which coherence is counted.
    params : LdaTopicModel, optional
        Unfitted model whose parameters (but ``num_topics``) every candidate uses.

    Returns
    -------
    model : LdaTopicModel
        The fitted model of the chosen K.
    sweep : list of dict
        Per candidate, in increasing K: the scores of :func:`evaluate_topics` (with the
        per-topic lists), ``score`` and ``chosen``.

    Examples
    --------
    >>> docs = [["court", "judge", "case"], ["song", "album", "singer"], ["film", "actor", "drama"]] * 8
    >>> base = LdaTopicModel(passes=5, no_below=1, no_above=1.0, restarts=2, random_state=0)
    >>> model, sweep = select_num_topics(docs, [2, 3], docs, base)
    >>> [row["num_topics"] for row in sweep], model.num_topics in (2, 3)
    ([2, 3], True)
    """
    base = params if params is not None else LdaTopicModel()
    ks = sorted(set(int(k) for k in candidates))
    if not ks:
        raise ValueError("candidates must name at least one number of topics")
    models = {k: LdaTopicModel(**{**base.get_params(), "num_topics": k}) for k in ks}
    dictionary = models[max(ks)]._vocabulary(texts)
    jobs = base._plan(texts, dictionary, models)
    logger.info("choosing K among %s: %d model(s), n_jobs=%d", ks, len(jobs), base.n_jobs)
    runs = _train_runs(texts, dictionary, jobs, base.n_jobs)
    sweep: list[dict[str, Any]] = []
    for i, k in enumerate(ks):
        model = models[k]
        model._adopt(runs[i * base.restarts : (i + 1) * base.restarts], dictionary)
        row = evaluate_topics(model, reference, topn, diversity_topn)
        stability = row["stability"]
        quality = (row["c_v"] + stability) / 2 if stability is not None else row["c_v"]
        row["score"] = row["diversity"] * quality
        row["chosen"] = False
        sweep.append(row)
        logger.info(
            "K=%d: c_v %.3f, stability %s, score %.3f",
            k,
            row["c_v"],
            "-" if stability is None else f"{stability:.2f}",
            row["score"],
        )
    top = max(row["score"] for row in sweep)
    chosen = next(row for row in sweep if row["score"] >= top - 0.005)
    chosen["chosen"] = True
    models[chosen["num_topics"]]._warn_empty_seeds()
    return models[chosen["num_topics"]], sweep
