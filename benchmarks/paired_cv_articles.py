"""Paired cross-validation of whole stance recipes on the team-written articles (issue 12).

What it measures
----------------
A recipe is what ``mtopics run`` trains for stance: the config's sources, passage classifier,
article model and priors (``fit_stance`` with the config's parameters), then
``predict_article_proba`` with its target terms, as ``score`` scores an article. Recipes compared
(``RECIPES``, built with benchmarks/dev_articles.py's ``config_for``):

1. 0.5.0's default: sets a-e (set F left out), MiniLM pooled by the mean, priors favor .25 /
   against .15 / none .6;
2. the default (experiments/metoo_pk.toml's stance settings since issue 12, spelled out in
   ``STATIC_FAST``): sets a-f, static token vectors distilled from MiniLM (``minilm-static``)
   pooled mean-max-min, embedding C 10, priors .25 / .25 / .5;
3. (``--all``) sets a-f with MiniLM itself pooled mean-max (issue 12's first default), with MiniLM
   pooled by the mean, and with n-grams only.

Held-out units: the 171 team-written full-length articles of sets C (66), D (30), E (30) and F (45),
each with its paragraphs (the paragraph examples share the article's group). Each repeat splits
them into 5 folds, stratified by article label (``StratifiedKFold(5, shuffle=True,
random_state=seed)``, split seeds 0..R-1). For each fold and recipe, the recipe is trained on all
its examples except the held-out articles and their paragraphs; then each held-out article is
scored whole, and each held-out paragraph by the passage classifier. Every recipe sees the same
folds (paired). 0.5.0's recipe never trains on set F; the others train on the other folds of F.
So the figures are also given on sets C-E alone (126 articles, which both recipes train on alike)
and on set F alone (45).

Reported per recipe, each repeat pooling its 5 folds: article macro-F1, F_avg (mean F1 of favor and
against), per-class F1 (``against`` among them), for all 171, C-E and F; the paragraphs' macro-F1
and F_avg (1,320 paragraphs); mean ± sd over repeats and the paired difference against 0.5.0 (mean
± sd, and in how many repeats the recipe is better). All of these articles are team-written
synthetic data (docs/stance.md): they measure the team's idea of news, not real news; the
held-out development sets A and B (benchmarks/dev_articles.py) were written by other helpers.

Run (from the project folder; with the sentence vectors cached in ~/.cache/mtopics):

    nice -n 10 .venv/bin/python benchmarks/paired_cv_articles.py [--repeats 3] [--all]

Writes benchmarks/results/paired_cv_articles.json and prints Markdown tables.
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

import numpy as np  # noqa: E402

import mtopics  # noqa: E402
from bench_core import provenance  # noqa: E402
from dev_articles import MEAN, MEAN_MAX, NO_EMBEDDINGS, PRIORS_050, STATIC_FAST, config_for, git_state  # noqa: E402
from mtopics._article import predict_article_proba  # noqa: E402
from mtopics._experiment import (  # noqa: E402
    _load_stance_data,
    _preprocessor,
    _stance_factory,
    _stance_fit_params,
    _target,
)

LABELS = mtopics.STANCE_LABELS
OUT = ROOT / "benchmarks" / "results" / "paired_cv_articles.json"
COMMAND = "nice -n 10 .venv/bin/python benchmarks/paired_cv_articles.py"
#: (name, set F in the training data, --set overrides); the first is the baseline of the paired differences
RECIPES = [
    ("0.5.0 default: sets a-e, MiniLM mean, priors .25/.15/.6", False, [*MEAN, PRIORS_050]),
    ("default: sets a-f, static mean-max-min C 10, priors .25/.25/.5", True, STATIC_FAST),
]
MORE = [
    ("sets a-f, MiniLM mean-max, priors .25/.25/.5", True, MEAN_MAX),
    ("sets a-f, MiniLM mean, priors .25/.25/.5", True, MEAN),
    ("sets a-f, n-grams only, priors .25/.25/.5", True, [NO_EMBEDDINGS]),
]
#: the article sources whose articles are held out, by set name
POOL = {
    "C": "team_written_articles_c.jsonl",
    "D": "team_written_articles_d.jsonl",
    "E": "team_written_articles_e.jsonl",
    "F": "team_written_articles_f.jsonl",
}
SUBSETS = {"all": ("C", "D", "E", "F"), "C-E": ("C", "D", "E"), "F": ("F",)}
FOLDS = 5


def log(message: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def pool(examples: list[mtopics.LabelledExample]) -> list[tuple[str, mtopics.LabelledExample]]:
    """(set name, article example) of every held-out article, in source order."""
    out = []
    for name, file in POOL.items():
        out.extend((name, e) for e in examples if e.kind == "article" and Path(e.source).name == file)
    return out


def fold_predictions(
    config: mtopics.ExperimentConfig,
    examples: list[mtopics.LabelledExample],
    held: set[str],
    articles: list[mtopics.LabelledExample],
    paragraphs: list[mtopics.LabelledExample],
) -> tuple[list[str], list[str]]:
    """Train the recipe of ``config`` without the groups ``held``; article and paragraph predictions."""
    pre = _preprocessor(config)
    params = _stance_fit_params(config)
    train = [e for e in examples if e.group not in held]
    clf, article_model, _ = mtopics.fit_stance(train, _stance_factory(config, pre.cleaner), pre, **params)
    target = _target(config)
    article_pred = [
        LABELS[int(np.argmax(predict_article_proba(clf, article_model, pre, a.text, params["quote_weight"], target)))]
        for a in articles
    ]
    paragraph_pred = clf.predict([p.text for p in paragraphs]) if paragraphs else []
    return article_pred, paragraph_pred


def scores(truth: list[str], predicted: list[str]) -> dict[str, Any]:
    r = mtopics.stance_report(truth, predicted)
    return {
        "n": r["n"],
        "macro_f1": r["macro_f1"],
        "f_avg": r["f_avg"],
        "f1": {label: r["per_class"][label]["f1"] for label in LABELS},
        "correct": int(sum(t == p for t, p in zip(truth, predicted, strict=True))),
    }


def summarise(per_repeat: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean and sd over repeats of every figure of ``scores``."""
    out: dict[str, Any] = {"n": per_repeat[0]["n"]}
    for key in ("macro_f1", "f_avg", "correct"):
        values = np.array([r[key] for r in per_repeat], dtype=float)
        out[key] = {"mean": float(values.mean()), "sd": float(values.std(ddof=1)) if len(values) > 1 else 0.0}
    out["f1"] = {label: float(np.mean([r["f1"][label] for r in per_repeat])) for label in LABELS}
    return out


def paired(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> dict[str, Any]:
    """``a`` minus ``b``, repeat by repeat."""
    out = {}
    for key in ("macro_f1", "f_avg"):
        d = np.array([x[key] for x in a]) - np.array([y[key] for y in b])
        out[key] = {
            "mean": float(d.mean()),
            "sd": float(d.std(ddof=1)) if len(d) > 1 else 0.0,
            "better_in": int((d > 0).sum()),
            "worse_in": int((d < 0).sum()),
            "repeats": len(d),
        }
    return out


def main() -> None:
    from joblib import Parallel, delayed
    from sklearn.model_selection import StratifiedKFold

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="split seeds 0..R-1 (default 3)")
    parser.add_argument("--all", action="store_true", help="also the MiniLM and n-gram-only recipes")
    parser.add_argument("--jobs", type=int, default=2, help="folds trained in parallel (default 2)")
    args = parser.parse_args()
    start = time.perf_counter()
    recipes = RECIPES + (MORE if args.all else [])
    configs = {name: config_for(with_f, overrides) for name, with_f, overrides in recipes}
    examples = {name: _load_stance_data(config)[0] for name, config in configs.items()}
    full = examples[RECIPES[1][0]]  # the default's examples hold every article and paragraph of the pool
    held_out = pool(full)
    assert [len([1 for s, _ in held_out if s == name]) for name in POOL] == [66, 30, 30, 45], "unexpected pool"
    ids = [a.group for _, a in held_out]
    labels = [a.label for _, a in held_out]
    sets = [s for s, _ in held_out]
    paragraphs_of: dict[str, list[mtopics.LabelledExample]] = {}
    held_ids = set(ids)
    for e in full:
        if e.kind != "article" and e.group in held_ids:
            paragraphs_of.setdefault(str(e.group), []).append(e)
    # embed every text once, here: the folds then read the vectors from the cache
    for name, config in configs.items():
        pre = _preprocessor(config)
        clf = _stance_factory(config, pre.cleaner)()
        if clf.embeddings is not None:
            texts = [e.text for e in full if e.kind != "article"]
            for e in full:
                if e.kind == "article":
                    texts.extend(u.text for u in pre.stance_units("article", e.text))
            log(f"embedding {len(texts)} texts for {name}")
            clf._encoder().encode(texts)

    results: dict[str, Any] = {
        **provenance(COMMAND),
        "git": git_state(),
        "folds": FOLDS,
        "split_seeds": list(range(args.repeats)),
        "pool": {name: sum(s == name for s in sets) for name in POOL},
        "paragraphs": sum(len(v) for v in paragraphs_of.values()),
        "recipes": {},
    }
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name, _, _ in recipes}
    for seed in range(args.repeats):
        splits = list(StratifiedKFold(FOLDS, shuffle=True, random_state=seed).split(np.zeros(len(ids)), labels))
        jobs = []
        for name, _, _ in recipes:
            for _, test in splits:
                held = {ids[i] for i in test}
                arts = [held_out[i][1] for i in test]
                paras = [p for i in test for p in paragraphs_of.get(ids[i], [])]
                job = delayed(fold_predictions)(configs[name], examples[name], held, arts, paras)
                jobs.append((name, test, paras, job))
        outputs = Parallel(n_jobs=args.jobs)(job[3] for job in jobs)
        for name, _, _ in recipes:
            predicted = [""] * len(ids)
            p_truth: list[str] = []
            p_pred: list[str] = []
            for (job_name, test, paras, _), (art_pred, para_pred) in zip(jobs, outputs, strict=True):
                if job_name != name:
                    continue
                for i, label in zip(test, art_pred, strict=True):
                    predicted[i] = label
                p_truth.extend(p.label for p in paras)
                p_pred.extend(para_pred)
            run = {
                subset: scores(
                    [labels[i] for i in range(len(ids)) if sets[i] in members],
                    [predicted[i] for i in range(len(ids)) if sets[i] in members],
                )
                for subset, members in SUBSETS.items()
            }
            run["paragraphs"] = scores(p_truth, p_pred)
            run["predicted"] = dict(zip(ids, predicted, strict=True))
            runs[name].append(run)
        log(
            f"split seed {seed}: "
            + ", ".join(f"{name.split(':')[0]} {runs[name][-1]['all']['macro_f1']:.3f}" for name, _, _ in recipes)
        )
    base = recipes[0][0]
    for name, with_f, overrides in recipes:
        entry: dict[str, Any] = {"set_f": with_f, "overrides": overrides}
        for subset in [*SUBSETS, "paragraphs"]:
            per = [r[subset] for r in runs[name]]
            entry[subset] = summarise(per)
            entry[subset]["per_repeat"] = [{k: r[k] for k in ("macro_f1", "f_avg", "correct")} for r in per]
            if name != base:
                entry[subset]["minus_050"] = paired(per, [r[subset] for r in runs[base]])
        entry["predicted"] = [r["predicted"] for r in runs[name]]
        results["recipes"][name] = entry
    results["truth"] = dict(zip(ids, labels, strict=True))
    results["seconds"] = round(time.perf_counter() - start, 1)
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print_tables(results)


def print_tables(results: dict[str, Any]) -> None:
    repeats = len(results["split_seeds"])
    print(
        f"Team-written articles, paired {results['folds']}-fold CV x {repeats} split seeds "
        f"(pool {results['pool']}; {results['paragraphs']} paragraphs); mean ± sd over the repeats\n"
    )
    print(
        "| recipe | subset | n | macro-F1 | F_avg | F1 favor / against / none | correct "
        "| Δ macro-F1 vs 0.5.0 | Δ F_avg |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, entry in results["recipes"].items():
        for subset in [*SUBSETS, "paragraphs"]:
            s = entry[subset]
            f1 = " / ".join(f"{s['f1'][label]:.3f}" for label in LABELS)
            deltas = ["", ""]
            if "minus_050" in s:
                deltas = [
                    f"{d['mean']:+.3f} ± {d['sd']:.3f} "
                    f"(better {d['better_in']}, worse {d['worse_in']} of {d['repeats']})"
                    for d in (s["minus_050"]["macro_f1"], s["minus_050"]["f_avg"])
                ]
            print(
                f"| {name} | {subset} | {s['n']} | {s['macro_f1']['mean']:.3f} ± {s['macro_f1']['sd']:.3f} "
                f"| {s['f_avg']['mean']:.3f} ± {s['f_avg']['sd']:.3f} | {f1} | {s['correct']['mean']:.1f} "
                f"| {deltas[0]} | {deltas[1]} |"
            )
    print(f"\n{results['seconds']} s; written to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
