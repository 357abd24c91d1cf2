"""How the stance embeddings pool a passage's token vectors, and the embedding classifier's C (issue 12).

The study that chose ``[stance].embedding_pooling`` and the fast setting's ``embedding_C``. Each
variant is the default experiment's passage classifier (experiments/metoo_pk.toml through
``mtopics._experiment._stance_factory``) with ``--set`` overrides of ``[stance]``: ``embeddings``
(``minilm`` or ``minilm-static``), ``embedding_pooling`` (``mean``, ``mean-max``,
``mean-max-min``: :func:`mtopics._embed.pool_tokens`), ``embedding_C`` and ``embedding_weight``.

Protocol: choose on SemEval-2016 "Feminist Movement" train (597 tweets; TweetEval split in
../shared/data), stratified 5-fold CV, split seeds 0..9; then check the chosen variants on fresh
split seeds 100..109, which played no part in the choice. F_avg and macro-F1 of the pooled
out-of-fold predictions of each repeat; mean over the repeats; paired differences (mean ± sd, and
in how many of the 10 repeats the variant is better) against 0.5.0's MiniLM mean pooling and,
for the static variants, against static mean pooling with C 1 (the setting of the first
``minilm-static``). Nothing is chosen on SemEval val or test.

Run (from the project folder; about 12 minutes on the 2-core development machine with the
vectors cached):

    nice -n 10 .venv/bin/python benchmarks/pooling_study.py

Writes benchmarks/results/pooling_study.json and prints Markdown tables.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import mtopics  # noqa: E402
from bench_core import provenance  # noqa: E402
from dev_articles import CONFIG, git_state  # noqa: E402
from mtopics._experiment import _preprocessor, _stance_factory  # noqa: E402
from static_embeddings import paired_difference, semeval_cv  # noqa: E402

OUT = ROOT / "benchmarks" / "results" / "pooling_study.json"
COMMAND = "nice -n 10 .venv/bin/python benchmarks/pooling_study.py"
MINILM_MEAN = "MiniLM mean, C 1 (0.5.0)"
STATIC_MEAN = "static mean, C 1"


def settings(model: str, pooling: str, C: float, weight: float = 0.5) -> list[str]:
    return [
        f"stance.embeddings={model}",
        f"stance.embedding_pooling={pooling}",
        f"stance.embedding_C={C}",
        f"stance.embedding_weight={weight}",
    ]


#: name -> overrides; the first is the baseline of every paired difference
CANDIDATES = {
    MINILM_MEAN: settings("minilm", "mean", 1),
    "MiniLM mean-max, C 1": settings("minilm", "mean-max", 1),
    "MiniLM mean-max, C 0.5": settings("minilm", "mean-max", 0.5),
    "MiniLM mean-max-min, C 1": settings("minilm", "mean-max-min", 1),
    "MiniLM mean-max-min, C 3": settings("minilm", "mean-max-min", 3),
    STATIC_MEAN: settings("minilm-static", "mean", 1),
    "static mean, C 3": settings("minilm-static", "mean", 3),
    "static mean, C 10": settings("minilm-static", "mean", 10),
    "static mean-max, C 10": settings("minilm-static", "mean-max", 10),
    "static mean-max-min, C 3": settings("minilm-static", "mean-max-min", 3),
    "static mean-max-min, C 10": settings("minilm-static", "mean-max-min", 10),
    "static mean-max-min, C 30": settings("minilm-static", "mean-max-min", 30),
    "static mean-max-min, C 10, weight 0.4": settings("minilm-static", "mean-max-min", 10, 0.4),
    "static mean-max-min, C 10, weight 0.6": settings("minilm-static", "mean-max-min", 10, 0.6),
}
#: checked on the fresh split seeds: the choice for each model, its runner-up, and the baselines
CHOSEN = [
    MINILM_MEAN,
    "MiniLM mean-max, C 1",
    "MiniLM mean-max-min, C 1",
    STATIC_MEAN,
    "static mean-max-min, C 3",
    "static mean-max-min, C 10",
]


def main() -> None:
    start = time.perf_counter()
    config = mtopics.load_config(CONFIG)
    cleaner = _preprocessor(config).cleaner
    makers = {
        name: _stance_factory(mtopics.load_config(CONFIG, overrides=overrides), cleaner)
        for name, overrides in CANDIDATES.items()
    }
    choose = semeval_cv(makers, list(range(10)))
    check = semeval_cv({name: makers[name] for name in CHOSEN}, list(range(100, 110)))
    results: dict[str, Any] = {
        **provenance(COMMAND),
        "git": git_state(),
        "candidates": CANDIDATES,
        "choose_seeds_0_9": choose,
        "check_seeds_100_109": check,
        "seconds": round(time.perf_counter() - start, 1),
    }
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print_tables(results)


def print_tables(results: dict[str, Any]) -> None:
    for key, title, names in (
        ("choose_seeds_0_9", "split seeds 0-9 (choice)", list(CANDIDATES)),
        ("check_seeds_100_109", "fresh split seeds 100-109 (check)", CHOSEN),
    ):
        cv = results[key]
        print(f"\nSemEval Feminist train (n = {cv['n']}), 5-fold CV, {title}; mean over 10 repeats\n")
        print("| variant | F_avg | macro-F1 | − MiniLM mean: F_avg | macro-F1 | − static mean C 1: F_avg | macro-F1 |")
        print("|---|---|---|---|---|---|---|")
        for name in names:
            v = cv["variants"][name]
            cells = []
            for base in (MINILM_MEAN, STATIC_MEAN):
                if name == base or (base == STATIC_MEAN and not name.startswith("static")):
                    cells += ["", ""]
                    continue
                d = paired_difference(cv["variants"][name]["per_seed"], cv["variants"][base]["per_seed"])
                cells += [
                    f"{100 * d[k]['mean']:+.2f} ± {100 * d[k]['sd']:.2f} ({d[k]['better_in']}/10)"
                    for k in ("f_avg", "macro_f1")
                ]
            print(
                f"| {name} | {100 * v['f_avg_mean']:.2f} | {100 * v['macro_f1_mean']:.2f} | " + " | ".join(cells) + " |"
            )
    print(f"\n{results['seconds']} s; written to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
