"""The stance-embedding settings of mtopics, side by side: 0.5.0's, MiniLM mean-max, the default, none (issue 12).

Each variant is the default experiment's passage classifier (experiments/metoo_pk.toml through
``mtopics._experiment._stance_factory``: same n-grams, C, cleaner, seeds, calibration, embedding
weight 0.5) with these ``[stance]`` settings (``VARIANTS``):

(a) 0.5.0's: ``embeddings = "minilm"``, ``embedding_pooling = "mean"`` (all-MiniLM-L6-v2's own
    sentence vectors);
(b) MiniLM, ``embedding_pooling = "mean-max"`` (the mean beside the per-dimension maximum of its
    token vectors; issue 12's first default);
(c) ``embeddings = "minilm-static"``, ``embedding_pooling = "mean-max-min"``, ``embedding_C = 10``:
    static token vectors distilled from MiniLM by :class:`mtopics.StaticEncoder` (the library's own
    distillation, not model2vec's), the default since issue 12;
(d) ``embeddings = "none"``: word and character n-grams only.

Measured, with the functions of benchmarks/static_embeddings.py (which compared model2vec's
static models the same way):

1. SemEval-2016 "Feminist Movement" (TweetEval split, ../shared/data/tweeteval-stance-feminist/):
   stratified 5-fold CV on train (597 tweets), split seeds 0..9 then fresh seeds 100..109; F_avg and
   macro-F1, mean ± sd, and paired differences (mean ± sd over the repeats, and in how many repeats
   the first is better); then train -> val (67 tweets), reported for information: nothing is chosen
   on it.
2. The seed passages and articles, leave one article out as ``mtopics run`` does (with the config's
   sources, set F included since it is in the default experiment).

Article-level figures on the held-out development sets are in benchmarks/dev_articles.py, and
speed in benchmarks/bench_score.py.

Run (from the project folder; about 8 minutes on the 2-core development machine with the sentence
vectors and the static table already cached in ~/.cache/mtopics):

    nice -n 10 .venv/bin/python benchmarks/stance_embeddings.py

``--seeds N`` and ``--fresh-seeds N`` set the repeats (10 each). Writes
benchmarks/results/stance_embeddings.json and prints Markdown tables.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import mtopics  # noqa: E402
from bench_core import provenance  # noqa: E402
from dev_articles import CONFIG, MEAN, MEAN_MAX, STATIC_FAST, git_state  # noqa: E402
from mtopics._experiment import _load_stance_data, _preprocessor, _stance_factory  # noqa: E402
from static_embeddings import seeds_loao, semeval_cv, semeval_val  # noqa: E402

OUT = ROOT / "benchmarks" / "results" / "stance_embeddings.json"
COMMAND = "nice -n 10 .venv/bin/python benchmarks/stance_embeddings.py"
#: label -> --set overrides of the default experiment; the first is the baseline, the third the default
VARIANTS = {
    "a: n-grams + MiniLM mean (0.5.0)": MEAN,
    "b: n-grams + MiniLM mean-max": MEAN_MAX,
    "c: n-grams + static mean-max-min, C 10 (default)": STATIC_FAST,
    "d: n-grams only": ["stance.embeddings=none"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--fresh-seeds", type=int, default=10)
    args = parser.parse_args()
    start = time.perf_counter()
    config = mtopics.load_config(CONFIG)
    pre = _preprocessor(config)
    makers = {
        label: _stance_factory(mtopics.load_config(CONFIG, overrides=overrides), pre.cleaner)
        for label, overrides in VARIANTS.items()
    }
    results: dict[str, Any] = {
        **provenance(COMMAND),
        "git": git_state(),
        "semeval_cv": semeval_cv(makers, list(range(args.seeds))),
        "semeval_cv_fresh": semeval_cv(makers, list(range(100, 100 + args.fresh_seeds))),
        "semeval_val": semeval_val(makers),
    }
    examples, _ = _load_stance_data(config)
    results["seeds_loao"] = seeds_loao(config, pre, examples, makers)
    results["seconds"] = round(time.perf_counter() - start, 1)
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")

    cv, fresh, val = results["semeval_cv"], results["semeval_cv_fresh"], results["semeval_val"]
    print(f"SemEval Feminist, 5-fold CV on train (n = {cv['n']}); mean ± sd over the repeats\n")
    print(
        "| variant | F_avg, seeds 0-9 | macro-F1, seeds 0-9 | F1 against, 0-9 / fresh | F_avg, fresh | macro-F1, fresh "
        "| train -> val F_avg / macro-F1 / F1 against |"
    )
    print("|---|---|---|---|---|---|---|")
    for label in VARIANTS:
        v, f, t = cv["variants"][label], fresh["variants"][label], val[label]
        print(
            f"| {label} | {100 * v['f_avg_mean']:.2f} ± {100 * v['f_avg_sd']:.2f} "
            f"| {100 * v['macro_f1_mean']:.2f} ± {100 * v['macro_f1_sd']:.2f} "
            f"| {100 * v['against_f1_mean']:.2f} / {100 * f['against_f1_mean']:.2f} "
            f"| {100 * f['f_avg_mean']:.2f} ± {100 * f['f_avg_sd']:.2f} "
            f"| {100 * f['macro_f1_mean']:.2f} ± {100 * f['macro_f1_sd']:.2f} "
            f"| {100 * t['f_avg']:.1f} / {100 * t['macro_f1']:.1f} / {100 * t['against_f1']:.1f} |"
        )
    print("\n| paired difference | F_avg, seeds 0-9 | macro-F1, seeds 0-9 | F_avg, fresh | macro-F1, fresh |")
    print("|---|---|---|---|---|")
    for pair, d in cv["paired"].items():
        e = fresh["paired"][pair]
        cells = [
            f"{100 * x[k]['mean']:+.2f} ± {100 * x[k]['sd']:.2f} ({x[k]['better_in']}/{x[k]['repeats']})"
            for x in (d, e)
            for k in ("f_avg", "macro_f1")
        ]
        print(f"| {pair} | {cells[0]} | {cells[1]} | {cells[2]} | {cells[3]} |")
    print("\nSeed passages and articles, leave one article out (as `mtopics run`)\n")
    print("| variant | passages: n | macro-F1 | F_avg | articles: n | macro-F1 | correct |")
    print("|---|---|---|---|---|---|---|")
    for label in VARIANTS:
        s = results["seeds_loao"][label]
        p, a = s["passage"], s["article"]
        print(
            f"| {label} | {p['n']} | {p['macro_f1']:.3f} | {p['f_avg']:.3f} | {a['n']} | {a['macro_f1']:.3f} "
            f"| {a['correct']}/{a['n']} |"
        )
    print(f"\n{results['seconds']} s; written to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
