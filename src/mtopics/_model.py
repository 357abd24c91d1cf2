"""A trained mtopics model: topics and stance for new articles.

:func:`load_model` checks a saved version (every hash) and rebuilds the model
from its JSON and ``.npy`` files; :meth:`MtopicsModel.score` gives each article
its topic mixture and its stance, with probabilities, evidence and warnings.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ._article import NONE_PROBA, ArticleStanceModel, article_inputs, predict_article_proba, target_mentions
from ._corpus import Document
from ._metrics import STANCE_LABELS
from ._preprocess import Preprocessor
from ._stance import StanceClassifier, function_word_share
from ._store import VersionWriter, read_array, read_json, resolve_version, verify_version
from ._target import TargetTerms
from ._topics import LdaTopicModel
from .exceptions import ModelFormatError, ModelIntegrityError

__all__ = ["META_FIELDS", "CorpusSummary", "MtopicsModel", "document_meta", "load_model"]

logger = logging.getLogger("mtopics")

#: Below this share of known tokens, a scored article gets a warning.
MIN_KNOWN_FRACTION = 0.5
#: Below this many tokens, a scored article gets a warning.
MIN_TOKENS = 20
#: Below this share of function words (in a text of at least PRECLEANED_MIN_WORDS words), a
#: scored article gets a warning: it looks pre-cleaned, unlike the running text stance learnt from.
PRECLEANED_SHARE = 0.2
PRECLEANED_MIN_WORDS = 50
_EXCERPT = 280
#: Fields of a :class:`Document` that a scored record carries when the input has them.
META_FIELDS = ("title", "date", "source")


def _excerpt(text: str, n: int = _EXCERPT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + "\u2026"


@dataclass
class CorpusSummary:
    """Topic mixture and stance of every article of the training corpus, saved with the model.

    Attributes
    ----------
    ids : list of str
        Article ids, in corpus order.
    topics : ndarray of shape (n_articles, num_topics)
        Topic mixture of each article (rows sum to 1; passages weighted by their length).
    tokens : ndarray of shape (n_articles,)
        Tokens of each article seen by the topic model.
    stance : ndarray of shape (n_articles, 3) or None
        Article stance probabilities in :data:`STANCE_LABELS` order (favor, against, none);
        ``None`` when the model has no stance classifier.  A row of NaN: nothing to classify;
        ``(0, 0, 1)`` also for an article that uses none of the model's target terms.
    """

    ids: list[str]
    topics: np.ndarray
    tokens: np.ndarray
    stance: np.ndarray | None = None
    meta: dict[str, list[str | None]] = field(default_factory=dict)
    known: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.ids)
        if self.topics.ndim != 2 or self.topics.shape[0] != n or self.tokens.shape != (n,):
            raise ValueError(f"corpus summary: {n} ids but topics {self.topics.shape} and tokens {self.tokens.shape}")
        if self.stance is not None and self.stance.shape != (n, len(STANCE_LABELS)):
            raise ValueError(f"corpus summary: {n} ids but stance {self.stance.shape}")
        for name, values in self.meta.items():
            if name not in META_FIELDS or len(values) != n:
                raise ValueError(f"corpus summary: {n} ids but {len(values)} values of {name!r}")
        if self.known is not None and self.known.shape != (n,):
            raise ValueError(f"corpus summary: {n} ids but known fractions {self.known.shape}")

    def known_floor(self) -> float | None:
        """The share of known tokens that 95% of the training articles reach (``None``: not recorded).

        A scored article below it is less known to the topic model than nearly every article
        it was trained on: that is when "mostly out of vocabulary" means something.

        >>> s = CorpusSummary(["a", "b"], np.ones((2, 1)), np.ones(2), known=np.array([0.3, 0.5]))
        >>> round(s.known_floor(), 2)
        0.31
        """
        ok = self.known[~np.isnan(self.known)] if self.known is not None else np.zeros(0)
        return float(np.quantile(ok, 0.05)) if len(ok) else None

    def stance_by_topic(self) -> np.ndarray | None:
        """Stance share of each topic, shape (num_topics, 3): articles weighted by topic mass.

        Row ``k`` is the mean stance probability of the corpus articles, each article
        weighted by the tokens it gives to topic ``k``; rows sum to 1 (NaN for a topic
        without mass).  ``None`` without stance.

        >>> s = CorpusSummary(["a", "b"], np.array([[1.0, 0.0], [0.5, 0.5]]), np.array([10.0, 10.0]),
        ...                   np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]))
        >>> s.stance_by_topic().round(2).tolist()
        [[0.67, 0.0, 0.33], [0.0, 0.0, 1.0]]
        """
        if self.stance is None:
            return None
        ok = ~np.isnan(self.stance).any(axis=1)
        mass = self.topics[ok] * self.tokens[ok, None]
        totals = mass.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray((mass.T @ self.stance[ok]) / totals[:, None])


def document_meta(doc: Document) -> dict[str, str]:
    """The :data:`META_FIELDS` a document has (JSONL and CSV records may carry them)."""
    return {name: value for name in META_FIELDS if (value := getattr(doc, name)) is not None}


@dataclass
class MtopicsModel:
    """Preprocessing, a topic model and (optionally) a stance classifier.

    Attributes
    ----------
    preprocessor : Preprocessor
    lda : LdaTopicModel
    stance : StanceClassifier or None
        The passage classifier.
    article_model : ArticleStanceModel or None
        Combines passage predictions into the stance of an article.
    topic_info : list of dict
        Per topic: ``id``, ``label``, ``terms`` and evaluation details.
    corpus : CorpusSummary or None
        Topics and stance of the training articles (``None`` for versions of
        format 1, saved by mtopics 0.1).
    manifest : dict
        The manifest of the saved version (empty before saving).
    path : Path or None
        Where the version lives.
    quote_weight : float
        Weight of quoted speech in article stance.
    target : TargetTerms or None
        Words that name the stance target: an article that uses none of them is ``none``
        (see :class:`mtopics.TargetTerms`); ``None``: every article goes to the classifier
        (versions of formats 1 and 2, and experiments without ``[stance].target_terms``).
    """

    preprocessor: Preprocessor
    lda: LdaTopicModel
    stance: StanceClassifier | None = None
    article_model: ArticleStanceModel | None = None
    topic_info: list[dict[str, Any]] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    quote_weight: float = 0.5
    corpus: CorpusSummary | None = None
    target: TargetTerms | None = None

    @property
    def topics(self) -> list[dict[str, Any]]:
        """Each topic as ``{"id", "label", "terms"}``."""
        return [{"id": t["id"], "label": t["label"], "terms": list(t["terms"])} for t in self.topic_info]

    @property
    def metrics(self) -> dict[str, Any]:
        """The evaluation stored with the model."""
        return dict(self.manifest.get("metrics", {}))

    # -- scoring ---------------------------------------------------------------
    def score(
        self,
        texts: str | Document | Iterable[str | Document],
        ids: Sequence[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Topic mixture and stance of each article.

        Parameters
        ----------
        texts : str, Document or iterable of them
            Raw article texts.
        ids : list of str, optional
            Ids for plain strings (default: their position, ``"0"``, ``"1"``, ...).

        Returns
        -------
        list of dict
            One record per article with ``id``; for a :class:`Document` that has them,
            its ``title``, ``date`` and ``source`` (so scores join back to the input
            without a lookup); ``topics`` (``id``, ``label``,
            ``terms``, ``weight``, sorted by weight); ``stance`` (``label``,
            ``probabilities`` of favor/against/none, ``evidence`` with the
            passages and terms that drove it and, when the model has target terms,
            the ones the article uses), or ``None`` when nothing is left
            after cleaning or no stance model was trained; ``passages``;
            ``tokens``; ``warnings``.
        """
        if isinstance(texts, (str, Document)):
            texts = [texts]
        records = []
        for i, item in enumerate(texts):
            if isinstance(item, Document):
                records.append(self.score_one(item.id, item.text, meta=document_meta(item)))
            else:
                records.append(self.score_one(ids[i] if ids is not None else str(i), item))
        return records

    def score_one(
        self, doc_id: str, text: str, warnings: Sequence[str] = (), meta: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """Score one article; ``warnings`` from reading it and ``meta`` (:func:`document_meta`) pass through."""
        notes = list(warnings)
        passages, tokens, lengths = self._passage_tokens(doc_id, text)
        total = int(lengths.sum())
        record: dict[str, Any] = {
            "id": doc_id,
            **(meta or {}),
            "topics": [],
            "stance": None,
            "passages": len(passages),
            "tokens": total,
            "warnings": notes,
        }
        if total == 0:
            notes.append("empty after cleaning: no words left to score")
            return record
        all_tokens = [t for ts in tokens for t in ts]
        known = self.lda.known_fraction(all_tokens)
        floor = self.corpus.known_floor() if self.corpus is not None else None
        if known < MIN_KNOWN_FRACTION and (floor is None or known < floor):
            # the topic vocabulary drops rare and very common words, so even training articles may
            # be half unknown: warn only below what 95% of the training articles reach
            than = "" if floor is None else f"; 95% of the training articles have at most {1 - floor:.0%}"
            notes.append(
                f"mostly out of vocabulary: {1 - known:.0%} of {total} tokens are unknown to the topic model{than}"
            )
        if total < MIN_TOKENS:
            notes.append(f"short text: {total} tokens; topics and stance are unreliable")
        mixture = self._mixture(tokens, lengths)
        order = np.argsort(-mixture, kind="stable")
        record["topics"] = [
            {
                "id": int(k),
                "label": self.topic_info[k]["label"],
                "terms": list(self.topic_info[k]["terms"]),
                "weight": round(float(mixture[k]), 4),
            }
            for k in order
        ]
        if self.stance is not None and self.article_model is not None:
            mentions = target_mentions(self.target, self.preprocessor, text)
            record["stance"] = self._stance(doc_id, text, mentions)
            if mentions == {}:
                assert self.target is not None
                shown = ", ".join(self.target.terms[:4]) + (", ..." if len(self.target.terms) > 4 else "")
                notes.append(
                    f"off target: uses none of the model's {len(self.target.terms)} target terms ({shown}); "
                    "stance set to none without the classifier"
                )
            share, words = function_word_share(text)
            if words >= PRECLEANED_MIN_WORDS and share < PRECLEANED_SHARE:
                notes.append(
                    f"looks pre-cleaned: {share:.0%} of its {words} words are function words (running text has "
                    "40-60%); the stance model learnt from running text, so its stance is less reliable"
                )
        return record

    def _passage_tokens(self, doc_id: str, text: str) -> tuple[list[Any], list[list[str]], np.ndarray]:
        """An article's passages, their topic-model tokens and token counts."""
        passages = self.preprocessor.passages(doc_id, text)
        tokens = [self.preprocessor.tokens(p.text) for p in passages]
        return passages, tokens, np.array([len(t) for t in tokens], dtype=np.float64)

    def _mixture(self, tokens: list[list[str]], lengths: np.ndarray) -> np.ndarray:
        """Topic mixture of an article: its passages' mixtures weighted by their length (zeros if empty)."""
        if lengths.sum() == 0:
            return np.zeros(self.lda.num_topics)
        return np.asarray((lengths / lengths.sum()) @ self.lda.transform(tokens))

    def summarize(self, documents: Iterable[Document], log_every: int = 1000) -> CorpusSummary:
        """Topic mixture and stance probabilities of every article of a corpus.

        What :meth:`score` gives, kept as arrays (no evidence): the input of the topic
        report's prevalence and stance-by-topic views.  Articles with nothing left
        after cleaning get a zero topic row and, with stance, a NaN stance row; articles that
        use none of the model's target terms get the stance row ``(0, 0, 1)``.

        >>> import mtopics
        >>> model = mtopics.load_model("tests/fixtures/format-1/metoo_pk/v1")  # doctest: +SKIP
        >>> model.summarize([mtopics.Document("a", "Court adjourned the hearing.")]).topics.shape  # doctest: +SKIP
        (1, 6)
        """
        ids: list[str] = []
        topics: list[np.ndarray] = []
        tokens: list[float] = []
        stance: list[np.ndarray] = []
        meta: dict[str, list[str | None]] = {name: [] for name in META_FIELDS}
        known: list[float] = []
        nan = np.full(len(STANCE_LABELS), np.nan)
        for n, doc in enumerate(documents, start=1):
            _, token_lists, lengths = self._passage_tokens(doc.id, doc.text)
            ids.append(doc.id)
            for name in META_FIELDS:
                meta[name].append(getattr(doc, name))
            tokens.append(float(lengths.sum()))
            all_tokens = [t for ts in token_lists for t in ts]
            known.append(self.lda.known_fraction(all_tokens) if all_tokens else float("nan"))
            topics.append(self._mixture(token_lists, lengths))
            if self.stance is not None and self.article_model is not None:
                if target_mentions(self.target, self.preprocessor, doc.text) == {}:
                    stance.append(np.array(NONE_PROBA) if lengths.sum() > 0 else nan)
                else:
                    inputs = article_inputs(self.stance, self.preprocessor, doc.id, doc.text, self.quote_weight)
                    stance.append(nan if inputs is None else self.article_model.predict_proba(inputs[3])[0])
            if n % log_every == 0:
                logger.info("summarised %d articles", n)
        k = self.lda.num_topics
        return CorpusSummary(
            ids,
            np.vstack(topics) if topics else np.zeros((0, k)),
            np.asarray(tokens, dtype=np.float64),
            np.vstack(stance) if stance else None,
            meta={name: values for name, values in meta.items() if any(v is not None for v in values)},
            known=np.asarray(known, dtype=np.float64),
        )

    def _stance(self, doc_id: str, text: str, mentions: dict[str, int] | None) -> dict[str, Any] | None:
        """Article stance with evidence; ``mentions``: the target terms the text uses (``None``: no target)."""
        assert self.stance is not None and self.article_model is not None
        if mentions == {}:
            evidence: dict[str, Any] = {"passages": [], "terms": [], "target_terms": {}}
            return {"label": "none", "probabilities": _probs(np.array(NONE_PROBA)), "evidence": evidence}
        inputs = article_inputs(self.stance, self.preprocessor, doc_id, text, self.quote_weight)
        if inputs is None:
            return None
        passages, proba, quotes, features, weights = inputs
        texts = [p.text for p in passages]
        article = self.article_model.predict_proba(features)[0]
        k = int(np.argmax(article))
        label = STANCE_LABELS[k]
        voice = 1.0 - (1.0 - self.quote_weight) * np.asarray(quotes)
        contribution = voice * proba[:, k] if label != "none" else weights * proba[:, k]
        top = np.argsort(-contribution, kind="stable")[:3]
        evidence_passages = [
            {
                "index": int(i),
                "start": passages[i].start,
                "end": passages[i].end,
                "text": _excerpt(passages[i].text),
                "label": STANCE_LABELS[int(np.argmax(proba[i]))],
                "probabilities": _probs(proba[i]),
                "weight": round(float(weights[i]), 4),
                "quoted": round(float(quotes[i]), 2),
            }
            for i in top
        ]
        terms = self.stance.term_contributions(" ".join(texts[i] for i in top), label, n=8)
        evidence = {"passages": evidence_passages, "terms": terms}
        if mentions is not None:
            evidence["target_terms"] = mentions
        return {"label": label, "probabilities": _probs(article), "evidence": evidence}

    def evaluate_stance(self, texts: Sequence[str], labels: Sequence[str], level: str = "article") -> dict[str, Any]:
        """Stance metrics of this model on labelled texts (see :func:`mtopics.stance_report`).

        ``level="article"`` scores each text as an article (passages combined);
        ``"passage"`` classifies each text as a single passage (target terms are not
        looked for: a passage may take a side without naming the target).  The report also has
        ``empty``: how many texts had no words left after cleaning (:meth:`score` gives them no
        stance; here they count as predicted ``none``, so that every example is in the
        metrics); ``off_target``: how many of the others were ``none`` because they use no
        target term (article level with target terms; ``None`` otherwise); and
        ``calibration`` (:func:`mtopics.calibration_report`) of the probabilities the
        classifier gave: empty and off-target texts are left out of it (their 0 / 0 / 1 is a
        rule, not a probability; one wrong would weigh 34.5 in the log loss).
        """
        from ._metrics import calibration_report, stance_report

        if self.stance is None or self.article_model is None:
            raise ModelFormatError(f"{self.path}: this model has no stance classifier")
        if level not in ("article", "passage"):
            raise ValueError(f"level must be 'article' or 'passage'; got {level!r}")
        # score's "empty after cleaning" (no token in any passage): passages only leave out
        # paragraphs with no token, and phrases only join tokens, so the whole text has none either
        empty = np.array([self.preprocessor.cleaner.is_empty(t) for t in texts], dtype=bool)
        on_target = ~empty
        if level == "passage":
            proba = self.stance.predict_proba(list(texts)) if len(texts) else np.zeros((0, len(STANCE_LABELS)))
        else:
            on_target &= np.array([target_mentions(self.target, self.preprocessor, t) != {} for t in texts], dtype=bool)
            rows = [
                predict_article_proba(self.stance, self.article_model, self.preprocessor, text, self.quote_weight)
                if keep
                else np.array(NONE_PROBA)
                for text, keep in zip(texts, on_target, strict=True)
            ]
            proba = np.vstack(rows) if rows else np.zeros((0, len(STANCE_LABELS)))
        proba[empty] = NONE_PROBA
        predicted = [STANCE_LABELS[i] for i in np.argmax(proba, axis=1)]
        report = stance_report(list(labels), predicted)
        report["calibration"] = calibration_report(
            [y for y, k in zip(labels, on_target, strict=True) if k], proba[on_target]
        )
        report["empty"] = int(empty.sum())
        gated = level == "article" and self.target is not None
        report["off_target"] = int((~on_target & ~empty).sum()) if gated else None
        return report

    # -- saving ----------------------------------------------------------------
    def write(self, writer: VersionWriter) -> None:
        """Write every artifact of the model into an open :class:`VersionWriter`."""
        writer.write_json("preprocess.json", self.preprocessor.get_state())
        state, arrays = self.lda.get_state()
        writer.write_json("lda.json", state)
        for name, arr in arrays.items():
            writer.write_array(f"lda/{name}.npy", arr)
        writer.write_json("topics.json", {"topics": self.topic_info})
        if self.corpus is not None:
            # title, date, source and the known fractions are optional keys: readers of format 4
            # that predate them read the rest as before
            cstate: dict[str, Any] = {"ids": self.corpus.ids, "stance": self.corpus.stance is not None}
            cstate.update(self.corpus.meta)
            if self.corpus.known is not None:
                cstate["known_fraction"] = [None if k != k else round(float(k), 4) for k in self.corpus.known]
            writer.write_json("corpus.json", cstate)
            writer.write_array("corpus/topics.npy", self.corpus.topics)
            writer.write_array("corpus/tokens.npy", self.corpus.tokens)
            if self.corpus.stance is not None:
                writer.write_array("corpus/stance.npy", self.corpus.stance)
        if self.stance is not None and self.article_model is not None:
            sstate, sarrays = self.stance.get_state()
            astate, aarrays = self.article_model.get_state()
            sstate["quote_weight"] = self.quote_weight
            sstate["target_terms"] = list(self.target.terms) if self.target is not None else None
            sstate["article"] = astate
            writer.write_json("stance.json", sstate)
            for name, arr in {**sarrays, **aarrays}.items():
                writer.write_array(f"stance/{name}.npy", arr)


def _probs(row: np.ndarray) -> dict[str, float]:
    return {label: round(float(row[i]), 4) for i, label in enumerate(STANCE_LABELS)}


def _arrays(path: Path, folder: str, names: Iterable[str]) -> dict[str, np.ndarray]:
    return {name: read_array(path / folder / f"{name}.npy") for name in names}


def _read_v1(path: Path, manifest: dict[str, Any], *, with_target: bool = False) -> MtopicsModel:
    """Format 1 (mtopics 0.1): preprocessing, LDA, topics, optional stance.

    ``with_target``: also read the target terms of ``stance.json`` (format 3 on).
    """
    pre = Preprocessor.from_state(read_json(path / "preprocess.json"))
    lda = LdaTopicModel.from_state(
        read_json(path / "lda.json"), _arrays(path, "lda", ("lambda", "alpha", "eta", "term_frequency"))
    )
    stance = article = target = None
    quote_weight = 0.5
    if (path / "stance.json").exists():
        sstate = read_json(path / "stance.json")
        quote_weight = float(sstate["quote_weight"])
        if with_target and sstate.get("target_terms") is not None:
            target = TargetTerms(sstate["target_terms"])
        names = StanceClassifier.array_names(sstate)
        stance = StanceClassifier.from_state(sstate, _arrays(path, "stance", names))
        article = ArticleStanceModel.from_state(
            sstate["article"], _arrays(path, "stance", ("article_coef", "article_intercept"))
        )
    topic_info = read_json(path / "topics.json")["topics"]
    return MtopicsModel(pre, lda, stance, article, topic_info, manifest, path, quote_weight, target=target)


def _read_v2(path: Path, manifest: dict[str, Any], *, with_target: bool = False) -> MtopicsModel:
    """Format 2 (mtopics 0.2): format 1, LDA parameters of restarts and start, and the corpus summary."""
    model = _read_v1(path, manifest, with_target=with_target)
    if not (path / "corpus.json").exists():  # optional: a model built in Python may have none
        return model
    cstate = read_json(path / "corpus.json")
    model.corpus = CorpusSummary(
        [str(i) for i in cstate["ids"]],
        read_array(path / "corpus" / "topics.npy"),
        read_array(path / "corpus" / "tokens.npy"),
        read_array(path / "corpus" / "stance.npy") if cstate["stance"] else None,
        meta={name: list(cstate[name]) for name in META_FIELDS if name in cstate},
        known=(
            np.array([np.nan if k is None else k for k in cstate["known_fraction"]], dtype=np.float64)
            if "known_fraction" in cstate
            else None
        ),
    )
    if model.corpus.topics.shape[1] != model.lda.num_topics:
        raise ValueError(
            f"corpus/topics.npy has {model.corpus.topics.shape[1]} columns; the model has {model.lda.num_topics} topics"
        )
    return model


def _read_v3(path: Path, manifest: dict[str, Any]) -> MtopicsModel:
    """Format 3 (mtopics 0.3): format 2, the stance target terms (``stance.json``) and seeded topics.

    Seeded topics (``seed_topics`` in ``lda.json``, a (K, V) ``eta``) are read by
    :meth:`LdaTopicModel.from_state`, which every reader shares.
    """
    return _read_v2(path, manifest, with_target=True)


def _read_v4(path: Path, manifest: dict[str, Any]) -> MtopicsModel:
    """Format 4 (mtopics 0.4): format 3, and the optional embedding classifier of the stance model.

    Its parameters are in ``stance.json`` (``params.embeddings``, ``embedding_model``) and its
    arrays in ``stance/embedding_*.npy``, read by :meth:`StanceClassifier.from_state`.  A
    format-3 reader must not take them: mtopics 0.3 fails on the unknown parameters, and a
    reader that skipped them would score with the n-gram classifier alone.
    """
    return _read_v3(path, manifest)


#: One reader per format version; old readers stay when the format changes.
_READERS = {1: _read_v1, 2: _read_v2, 3: _read_v3, 4: _read_v4}


def load_model(path: str | Path) -> MtopicsModel:
    """Load a saved model version, after checking the hash of every file.

    Parameters
    ----------
    path : str or Path
        A version folder (``models/metoo_pk/v3``), ``models/metoo_pk/latest``
        or the experiment folder (newest version).

    Raises
    ------
    ModelNotFoundError
        No version at ``path``.
    ModelIntegrityError
        A file was changed, is missing or is extra.
    ModelFormatError
        The version was written in a format this mtopics cannot read.
    """
    version = resolve_version(path)
    manifest = verify_version(version)
    reader = _READERS.get(manifest["format_version"])
    if reader is None:  # pragma: no cover - verify_version already refuses these
        raise ModelFormatError(f"{version}: no reader for format {manifest['format_version']}")
    try:
        return reader(version, manifest)
    except (KeyError, ValueError, TypeError) as exc:
        if isinstance(exc, ModelIntegrityError):
            raise
        raise ModelFormatError(f"{version}: model files are inconsistent ({exc})") from exc
