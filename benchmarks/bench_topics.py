"""Topic quality and speed: mtopics' LDA against gensim LdaModel (10 passes) and scikit-learn LDA.

The same tokens for every method, K = 10 and 20, 3 seeds, on two corpora:

- Lee: gensim's ``lee_background.cor`` (300 news articles), ``simple_preprocess``, gensim stop
  words; vocabulary ``filter_extremes(no_below=2, no_above=0.5)`` for the peers;
- BBC News: ``../shared/data/octis-bbc-news/corpus.tsv`` (2225 articles, OCTIS preprocessed),
  all splits, same vocabulary filtering.

mtopics' default (``LdaTopicModel()``) filters its own vocabulary (``no_above=0.2``) and starts
from NMF topics; the row "gensim LdaModel, 10 passes, no_above 0.2" gives gensim the same
vocabulary filter, to show what the start itself adds.

Reported per corpus, K and method (median over seeds): c_v and NPMI (gensim CoherenceModel on
the training texts, top 10 words), topic diversity (top 25), stability (mean best-match
Jaccard of top-10 terms across the seeds) and training seconds.

Run:  .venv/bin/python benchmarks/bench_topics.py [--quick]
Writes benchmarks/results/topics.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import numpy as np  # noqa: E402

from mtopics import LdaTopicModel, topic_coherence, topic_diversity, topic_stability  # noqa: E402

BBC = ROOT.parent / "shared" / "data" / "octis-bbc-news" / "corpus.tsv"


def lee() -> list[list[str]]:
    from gensim.parsing.preprocessing import STOPWORDS
    from gensim.test.utils import datapath
    from gensim.utils import simple_preprocess

    with open(datapath("lee_background.cor"), encoding="utf-8") as handle:
        return [[w for w in simple_preprocess(line) if w not in STOPWORDS] for line in handle]


def bbc() -> list[list[str]]:
    with BBC.open(encoding="utf-8") as handle:
        return [line.split("\t")[0].split() for line in handle if line.strip()]


def top_terms_gensim(docs, k, seed, no_above=0.5):  # type: ignore[no-untyped-def]
    from gensim.corpora import Dictionary
    from gensim.models import LdaModel

    d = Dictionary(docs)
    d.filter_extremes(no_below=2, no_above=no_above)
    corpus = [d.doc2bow(t) for t in docs]
    m = LdaModel(corpus, id2word=d, num_topics=k, passes=10, random_state=seed)
    return [[w for w, _ in m.show_topic(t, 25)] for t in range(k)]


def top_terms_sklearn(docs, k, seed):  # type: ignore[no-untyped-def]
    from gensim.corpora import Dictionary
    from sklearn.decomposition import LatentDirichletAllocation
    from sklearn.feature_extraction.text import CountVectorizer

    d = Dictionary(docs)
    d.filter_extremes(no_below=2, no_above=0.5)
    vocab = sorted(d.token2id)
    vec = CountVectorizer(analyzer=lambda x: x, vocabulary=vocab)
    X = vec.transform(docs)
    m = LatentDirichletAllocation(n_components=k, learning_method="batch", random_state=seed).fit(X)
    return [[vocab[i] for i in np.argsort(-row)[:25]] for row in m.components_]


def top_terms_mtopics(docs, k, seed):  # type: ignore[no-untyped-def]
    m = LdaTopicModel(num_topics=k, random_state=seed).fit(docs)
    return [m.top_terms(t, 25) for t in range(k)]


def top_terms_gensim_filtered(docs, k, seed):  # type: ignore[no-untyped-def]
    # mtopics' vocabulary filter (no_above=0.2) with gensim's random start: what the start adds
    return top_terms_gensim(docs, k, seed, no_above=0.2)


METHODS = {
    "mtopics default": top_terms_mtopics,
    "gensim LdaModel, 10 passes": top_terms_gensim,
    "gensim LdaModel, 10 passes, no_above 0.2": top_terms_gensim_filtered,
    "sklearn LDA, batch": top_terms_sklearn,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="Lee only, K=10")
    args = parser.parse_args()
    corpora = {"Lee": lee}
    if BBC.is_file() and not args.quick:
        corpora["BBC News"] = bbc
    ks = [10] if args.quick else [10, 20]
    rows = []
    for corpus_name, load in corpora.items():
        docs = load()
        for k in ks:
            for method, fn in METHODS.items():
                runs, secs, cvs, npmis, divs = [], [], [], [], []
                for seed in range(3):
                    start = time.perf_counter()
                    tops = fn(docs, k, seed)
                    secs.append(time.perf_counter() - start)
                    runs.append(tops)
                    cvs.append(topic_coherence([t[:10] for t in tops], docs, "c_v")[0])
                    npmis.append(topic_coherence([t[:10] for t in tops], docs, "c_npmi")[0])
                    divs.append(topic_diversity(tops, 25))
                row = {
                    "corpus": corpus_name,
                    "documents": len(docs),
                    "k": k,
                    "method": method,
                    "c_v": statistics.median(cvs),
                    "c_v_range": [min(cvs), max(cvs)],
                    "npmi": statistics.median(npmis),
                    "diversity": statistics.median(divs),
                    "stability": topic_stability(runs, 10),
                    "seconds": statistics.median(secs),
                }
                rows.append(row)
                print(
                    f"  {corpus_name} K={k} {method}: c_v {row['c_v']:.3f} npmi {row['npmi']:.3f} "
                    f"div {row['diversity']:.2f} stab {row['stability']:.2f} {row['seconds']:.1f}s",
                    file=sys.stderr,
                )
    out = ROOT / "benchmarks" / "results" / "topics.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(rows, indent=2) + "\n")
    print("| corpus | K | method | c_v (min-max) | NPMI | diversity | stability | seconds |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        lo, hi = r["c_v_range"]
        print(
            f"| {r['corpus']} | {r['k']} | {r['method']} | {r['c_v']:.3f} ({lo:.3f}-{hi:.3f}) | {r['npmi']:.3f} "
            f"| {r['diversity']:.2f} | {r['stability']:.2f} | {r['seconds']:.1f} |"
        )
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
