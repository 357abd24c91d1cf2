"""Expected themes of the seed corpus: found by mtopics' LDA and by its peers on the same tokens?

The seed corpus (data/corpus/metoo-pk, 5 articles, 62 passages) is split, cleaned and
phrase-joined exactly as the default experiment does it (experiments/metoo_pk.toml); every
method then trains on those token lists, K in {6, 8, 10, 12}, seeds 0-2:

- mtopics default (``LdaTopicModel``: NMF start, ``no_above=0.2``, 10 passes);
- gensim LdaModel, 10 passes (``filter_extremes(2, 0.5)``, as in bench_topics.py);
- scikit-learn LDA, batch (same vocabulary);
- tomotopy LDA, 1000 Gibbs iterations, terms seen at least twice (only when ``tomotopy`` is
  installed: ``.venv/bin/pip install tomotopy``; it is not a dependency of mtopics);
- mtopics with seeded topics (``LdaTopicModel(seed_topics=...)``, the seeds of
  experiments/metoo_pk_guided.toml: the corpus README's own words for each theme), at
  ``seed_strength`` 1 and 10.  Would telling the model the themes find them?

Each model's top 10 terms are checked against the team's list of expected themes
(data/topics/expected_themes.toml) with :func:`mtopics.theme_coverage` (one topic per theme,
at least two theme words among a topic's top 10 terms); and a second time counting only the
theme words that are *not* seed words, so that a seeded topic must show more of its theme
than the words it was given.  The question it answers: is a theme
the default experiment misses missing because of mtopics' modelling, or because the corpus
barely speaks of it?  It also counts, per theme, the corpus tokens that are theme words.

Run:  .venv/bin/python benchmarks/themes_seed.py
Writes benchmarks/results/themes_seed.json and prints Markdown tables.
"""

from __future__ import annotations

import json
import statistics
import sys
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import mtopics  # noqa: E402
from bench_topics import top_terms_gensim, top_terms_mtopics, top_terms_sklearn  # noqa: E402
from mtopics._corpus import LoadReport  # noqa: E402
from mtopics._experiment import _documents, _preprocessor  # noqa: E402

KS = (6, 8, 10, 12)
SEEDS = (0, 1, 2)

#: Seed topics of the seeded rows: those of experiments/metoo_pk_guided.toml (the corpus
#: README's own words for each theme), in the order of data/topics/expected_themes.toml.
SEED_TOPICS = mtopics.load_config(ROOT / "experiments" / "metoo_pk_guided.toml")["lda.seed_topics"]


def seed_passages() -> list[list[str]]:
    """Token lists of the seed passages, as the default experiment trains on them."""
    return [tokens for _, tokens in seed_passages_with_articles()]


def seed_passages_with_articles() -> list[tuple[str, list[str]]]:
    """(article id, token list) of each seed passage, as the default experiment trains on them."""
    config = mtopics.load_config(ROOT / "experiments" / "metoo_pk.toml")
    pre = _preprocessor(config)
    pairs = [
        (d.id, pre.raw_tokens(p.text)) for d in _documents(config, LoadReport()) for p in pre.passages(d.id, d.text)
    ]
    pairs = [(doc_id, t) for doc_id, t in pairs if t]
    ph = config["phrases"]
    pre.fit_phrases(
        [t for _, t in pairs], min_count=ph["min_count"], threshold=ph["threshold"], max_phrases=ph["max_phrases"]
    )
    assert pre.phrases is not None
    return [(doc_id, pre.phrases.transform(t)) for doc_id, t in pairs]


def theme_support(pairs: list[tuple[str, list[str]]], themes: dict[str, list[str]]) -> dict[str, dict[str, int]]:
    """Per theme: the passages that hold two or more of its words (what a topic's top 10 must show to
    find it), the articles they come from, and how many of its words occur in two passages or more
    (the others cannot enter the vocabulary: ``no_below=2``)."""
    out = {}
    for name, words in themes.items():
        vocabulary = set(words)
        holding = [
            doc_id for doc_id, tokens in pairs if len({w for t in tokens for w in t.split("_")} & vocabulary) >= 2
        ]
        in_passages = Counter(w for _, tokens in pairs for w in {w for t in tokens for w in t.split("_")} & vocabulary)
        out[name] = {
            "passages_with_2_words": len(holding),
            "articles_of_those": len(set(holding)),
            "words_used": len(in_passages),
            "words_in_2_passages": sum(n >= 2 for n in in_passages.values()),
        }
    return out


def top_terms_tomotopy(docs, k, seed):  # type: ignore[no-untyped-def]
    import tomotopy as tp

    m = tp.LDAModel(k=k, seed=seed, min_cf=2)
    for tokens in docs:
        m.add_doc(tokens)
    m.train(1000, workers=1)
    return [[w for w, _ in m.get_topic_words(t, top_n=10)] for t in range(k)]


def top_terms_seeded(docs, k, seed, strength):  # type: ignore[no-untyped-def]
    lda = mtopics.LdaTopicModel(num_topics=k, random_state=seed, seed_topics=SEED_TOPICS, seed_strength=strength)
    lda.fit(docs)
    return [lda.top_terms(t, 25) for t in range(k)]


def main() -> None:
    spec = tomllib.loads((ROOT / "data" / "topics" / "expected_themes.toml").read_text(encoding="utf-8"))
    themes = {t["name"]: t["words"] for t in spec["theme"]}
    pairs = seed_passages_with_articles()
    docs = [tokens for _, tokens in pairs]
    support = theme_support(pairs, themes)
    methods = {
        "mtopics default": top_terms_mtopics,
        "gensim LdaModel, 10 passes": top_terms_gensim,
        "sklearn LDA, batch": top_terms_sklearn,
    }
    try:
        import tomotopy  # noqa: F401

        methods["tomotopy LDA, 1000 iterations"] = top_terms_tomotopy
    except ImportError:
        print("tomotopy not installed: its row is left out", file=sys.stderr)
    for strength in (1.0, 10.0):
        methods[f"mtopics, seeded topics, strength {strength:g}"] = lambda docs, k, seed, strength=strength: (
            top_terms_seeded(docs, k, seed, strength)
        )
    seed_parts = {w for words in SEED_TOPICS.values() for w in words}
    unseeded = {name: [w for w in words if w not in seed_parts] for name, words in themes.items()}
    # how much the corpus says of each theme: tokens that are (or contain) a theme word
    counts = Counter(w for tokens in docs for term in tokens for w in term.split("_"))
    usage = {name: {w: counts[w] for w in words if counts[w]} for name, words in themes.items()}
    rows: list[dict[str, Any]] = []
    for method, fn in methods.items():
        for k in KS:
            found, found_unseeded = [], []
            missed: Counter[str] = Counter()
            for seed in SEEDS:
                tops = fn(docs, k, seed)
                coverage = mtopics.theme_coverage(tops, themes)
                found.append(sum(v is not None for v in coverage.values()))
                missed.update(name for name, v in coverage.items() if v is None)
                found_unseeded.append(sum(v is not None for v in mtopics.theme_coverage(tops, unseeded).values()))
            rows.append(
                {
                    "method": method,
                    "K": k,
                    "found": found,
                    "median": statistics.median(found),
                    "missed": dict(missed),
                    "found_without_seed_words": found_unseeded,
                    "median_without_seed_words": statistics.median(found_unseeded),
                }
            )
            print(f"  {method} K={k}: {found}, without seed words {found_unseeded}", file=sys.stderr)
    out = ROOT / "benchmarks" / "results" / "themes_seed.json"
    out.write_text(
        json.dumps(
            {"passages": len(docs), "seeds": list(SEEDS), "rows": rows, "theme_words": usage, "support": support},
            indent=2,
        )
        + "\n"
    )
    short = {name: name.split(" and ")[0].replace("allegations in ", "") for name in themes}
    print(f"Themes found (of {len(themes)}) on the {len(docs)} seed passages, seeds {list(SEEDS)}:\n")
    print("| method | " + " | ".join(f"K={k}" for k in KS) + " | themes never found |")
    print("|---|" + "---|" * len(KS) + "---|")
    for method in methods:
        mine = [r for r in rows if r["method"] == method]
        cells = [f"{r['median']:g} ({min(r['found'])}-{max(r['found'])})" for r in mine]
        never = [short[n] for n in themes if all(r["missed"].get(n, 0) == len(SEEDS) for r in mine)]
        print(f"| {method} | " + " | ".join(cells) + f" | {', '.join(never) or '-'} |")
    print("\nThe same, counting only theme words that are not seed words of metoo_pk_guided.toml:\n")
    print("| method | " + " | ".join(f"K={k}" for k in KS) + " |")
    print("|---|" + "---|" * len(KS))
    for method in methods:
        mine = [r for r in rows if r["method"] == method]
        cells = [
            f"{r['median_without_seed_words']:g} ({min(r['found_without_seed_words'])}-"
            f"{max(r['found_without_seed_words'])})"
            for r in mine
        ]
        print(f"| {method} | " + " | ".join(cells) + " |")
    print("\n| theme | theme-word tokens in the corpus | most used |")
    print("|---|---|---|")
    for name, words in usage.items():
        top = ", ".join(f"{w} {n}" for w, n in Counter(words).most_common(4))
        print(f"| {name} | {sum(words.values())} | {top} |")
    print(
        f"\n| theme | passages with 2+ of its words (of {len(docs)}) | their articles | its words in the corpus | "
        "of which in 2+ passages |"
    )
    print("|---|---|---|---|---|")
    for name, row in support.items():
        print(
            f"| {name} | {row['passages_with_2_words']} | {row['articles_of_those']} | {row['words_used']} | "
            f"{row['words_in_2_passages']} |"
        )
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
