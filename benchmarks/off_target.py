"""Does the default model take sides on news that is not about #MeToo?

A folder of scraped news holds articles on other subjects too.  Their true stance toward
the #MeToo movement is ``none``; a word-based classifier may still find "great", "won" or
"believe" in them.  This benchmark trains the default experiment (experiments/metoo_pk.toml)
into a temporary folder and scores, with and without its ``[stance] target_terms``:

- gensim's Lee corpus (``lee_background.cor``, 300 raw news articles, Australian, 2000s:
  none is about #MeToo or sexual harassment in Pakistan; ships with gensim);
- BBC News (``../shared/data/octis-bbc-news/corpus.tsv``, 2225 articles, 2004-2005, business,
  entertainment, politics, sport, tech; OCTIS preprocessed: lemmatised, without function
  words, so unlike the running text the classifier learnt from; skipped when absent);
- as a check that the target terms do not shut out articles that *are* about the target:
  the 5 seed articles and the 156 labelled team-written articles (how many use at
  least one target term).

Run:  .venv/bin/python benchmarks/off_target.py
Writes benchmarks/results/off_target.json and prints a Markdown table.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import gensim  # noqa: E402

import mtopics  # noqa: E402
from mtopics._article import predict_article, target_mentions  # noqa: E402

LEE = Path(gensim.__file__).parent / "test" / "test_data" / "lee_background.cor"
BBC = ROOT.parent / "shared" / "data" / "octis-bbc-news" / "corpus.tsv"


def sides(model: mtopics.MtopicsModel, texts: list[str], target: Any) -> dict[str, Any]:
    """Article labels of ``texts`` with the given target terms (``None``: every text classified)."""
    assert model.stance is not None and model.article_model is not None
    start = time.perf_counter()
    labels = [
        predict_article(model.stance, model.article_model, model.preprocessor, t, model.quote_weight, target)
        for t in texts
    ]
    counts = Counter(labels)
    taken = counts["favor"] + counts["against"]
    return {
        "n": len(texts),
        "favor": counts["favor"],
        "against": counts["against"],
        "none": counts["none"],
        "takes_a_side": round(taken / len(texts), 4),
        "seconds": round(time.perf_counter() - start, 1),
    }


def main() -> None:
    config = ROOT / "experiments" / "metoo_pk.toml"
    with tempfile.TemporaryDirectory() as tmp:
        version = mtopics.run_experiment(mtopics.load_config(config), models_dir=tmp)
        model = mtopics.load_model(version)
    target = model.target
    assert target is not None, "the default experiment has no [stance] target_terms"
    corpora = {"Lee (gensim test data), raw news": LEE.read_text(encoding="latin-1").splitlines()}
    if BBC.is_file():
        corpora["BBC News (OCTIS), preprocessed"] = [
            line.split("\t")[0] for line in BBC.read_text(encoding="utf-8").splitlines()
        ]
    results: dict[str, Any] = {"target_terms": list(target.terms), "off_target": {}, "on_target": {}}
    for name, texts in corpora.items():
        results["off_target"][name] = {
            "without target terms": sides(model, texts, None),
            "with target terms": sides(model, texts, target),
            "uses a target term": sum(bool(target_mentions(target, model.preprocessor, t)) for t in texts),
        }
    seeds = [d.text for d in mtopics.load_documents(ROOT / "data" / "corpus" / "metoo-pk")[0]]
    team = [
        e.text
        for path in sorted((ROOT / "data" / "stance" / "synthetic").glob("*.jsonl"))
        for e in mtopics.iter_labelled(path)
        if e.kind == "article"
    ]
    for name, texts in {"seed articles": seeds, "team-written articles (labelled)": team}.items():
        results["on_target"][name] = {
            "n": len(texts),
            "uses a target term": sum(bool(target_mentions(target, model.preprocessor, t)) for t in texts),
        }
    out = ROOT / "benchmarks" / "results" / "off_target.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"{len(target.terms)} target terms; {os.cpu_count()} cores\n")
    print("| off-target news | articles | uses a target term | target terms | favor | against | takes a side |")
    print("|---|---|---|---|---|---|---|")
    for name, r in results["off_target"].items():
        for mode in ("without target terms", "with target terms"):
            s = r[mode]
            print(
                f"| {name} | {s['n']} | {r['uses a target term']} | {mode.split()[0]} | {s['favor']} | "
                f"{s['against']} | {100 * s['takes_a_side']:.1f}% |"
            )
    print("\n| about the target | articles | uses a target term |")
    print("|---|---|---|")
    for name, r in results["on_target"].items():
        print(f"| {name} | {r['n']} | {r['uses a target term']} |")
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
