"""What each modelling choice of mtopics' default LDA adds, and the held-out check of no_above.

1. Start x vocabulary filter, K=10, seeds 0-2, on Lee and BBC News (same tokens as
   bench_topics.py): ``init`` in {"nndsvd", "random"} x ``no_above`` in {0.2, 0.5}; c_v and
   NPMI on the training texts (median of seeds), stability across the seeds, seconds.
2. ``no_above`` checked on text the model never saw: each corpus split 80/20 by document
   (2 random splits), the model trained on 80%, c_v and NPMI counted on the other 20%.

Run:  .venv/bin/python benchmarks/ablation_topics.py
Writes benchmarks/results/ablation_topics.json and prints Markdown tables.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from bench_topics import BBC, bbc, lee  # noqa: E402
from mtopics import LdaTopicModel, topic_coherence, topic_stability  # noqa: E402


def main() -> None:
    corpora = {"Lee": lee}
    if BBC.is_file():
        corpora["BBC News"] = bbc
    grid, heldout = [], []
    for name, load in corpora.items():
        docs = load()
        for init in ("nndsvd", "random"):
            for no_above in (0.2, 0.5):
                runs, cvs, npmis, secs = [], [], [], []
                for seed in range(3):
                    start = time.perf_counter()
                    m = LdaTopicModel(num_topics=10, init=init, no_above=no_above, random_state=seed).fit(docs)
                    secs.append(time.perf_counter() - start)
                    tops = [m.top_terms(k, 10) for k in range(10)]
                    runs.append(tops)
                    cvs.append(topic_coherence(tops, docs, "c_v")[0])
                    npmis.append(topic_coherence(tops, docs, "c_npmi")[0])
                row = {
                    "corpus": name,
                    "init": init,
                    "no_above": no_above,
                    "c_v": statistics.median(cvs),
                    "c_v_range": [min(cvs), max(cvs)],
                    "npmi": statistics.median(npmis),
                    "stability": topic_stability(runs, 10),
                    "seconds": statistics.median(secs),
                }
                grid.append(row)
                print(row, file=sys.stderr)
        for split in (0, 1):
            order = list(range(len(docs)))
            random.Random(split).shuffle(order)
            cut = int(0.8 * len(docs))
            train, test = [docs[i] for i in order[:cut]], [docs[i] for i in order[cut:]]
            for no_above in (0.1, 0.2, 0.3, 0.5):
                m = LdaTopicModel(num_topics=10, no_above=no_above, random_state=0).fit(train)
                tops = [m.top_terms(k, 10) for k in range(10)]
                row = {
                    "corpus": name,
                    "split": split,
                    "no_above": no_above,
                    "heldout_documents": len(test),
                    "heldout_c_v": topic_coherence(tops, test, "c_v")[0],
                    "heldout_npmi": topic_coherence(tops, test, "c_npmi")[0],
                }
                heldout.append(row)
                print(row, file=sys.stderr)
    out = HERE / "results" / "ablation_topics.json"
    out.write_text(json.dumps({"grid": grid, "heldout": heldout}, indent=2) + "\n")
    print("| corpus | init | no_above | c_v (min-max) | NPMI | stability | seconds |")
    print("|---|---|---|---|---|---|---|")
    for r in grid:
        lo, hi = r["c_v_range"]
        print(
            f"| {r['corpus']} | {r['init']} | {r['no_above']} | {r['c_v']:.3f} ({lo:.3f}-{hi:.3f}) "
            f"| {r['npmi']:.3f} | {r['stability']:.2f} | {r['seconds']:.1f} |"
        )
    print("\n| corpus | split | held-out docs | " + " | ".join(f"no_above {x}" for x in (0.1, 0.2, 0.3, 0.5)) + " |")
    print("|---|---|---|---|---|---|---|")
    for name in corpora:
        for split in (0, 1):
            rows = [r for r in heldout if r["corpus"] == name and r["split"] == split]
            cells = " | ".join(f"c_v {r['heldout_c_v']:.3f}, NPMI {r['heldout_npmi']:.3f}" for r in rows)
            print(f"| {name} | {split} | {rows[0]['heldout_documents']} | {cells} |")
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
