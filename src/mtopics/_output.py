"""Text renderings of scores and model lists, for people and for tables (the CLI prints them)."""

from __future__ import annotations

import json
import textwrap
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from ._model import META_FIELDS
from ._store import VersionInfo

__all__ = [
    "format_jsonl",
    "format_score_summary",
    "format_score_table",
    "format_versions",
    "score_csv_header",
    "score_csv_row",
]


def format_jsonl(record: dict[str, Any]) -> str:
    """One JSON line."""
    return json.dumps(record, ensure_ascii=False, allow_nan=False)


def _pct(x: float) -> str:
    return f"{100 * x:4.0f}%"


def format_score_table(record: dict[str, Any], width: int = 100, max_topics: int = 3) -> str:
    """A readable block for one scored article.

    >>> rec = {"id": "a.txt", "topics": [{"id": 1, "label": "court / hearing", "terms": [], "weight": 0.6}],
    ...        "stance": None, "passages": 1, "tokens": 40, "warnings": ["short text"]}
    >>> print(format_score_table(rec))
    a.txt  (1 passages, 40 tokens)
      stance    -
      topics     60%  #1 court / hearing
      warning   short text
    """
    lines = [f"{record['id']}  ({record['passages']} passages, {record['tokens']} tokens)"]
    about = " | ".join(str(record[name]) for name in META_FIELDS if record.get(name))
    if about:
        lines.append(f"  {textwrap.shorten(about, width=width - 2, placeholder='...')}")
    stance = record.get("stance")
    if stance:
        probs = stance["probabilities"]
        detail = ", ".join(f"{k} {v:.2f}" for k, v in probs.items())
        lines.append(f"  stance    {stance['label'].upper():8s} ({detail})")
    else:
        lines.append("  stance    -")
    for i, topic in enumerate(record.get("topics", [])[:max_topics]):
        head = "  topics   " if i == 0 else "           "
        lines.append(f"{head}{_pct(topic['weight'])}  #{topic['id']} {topic['label']}")
    if stance:
        named = ", ".join(f"{term} {n}" for term, n in list(stance["evidence"].get("target_terms", {}).items())[:6])
        if named:
            lines.append(f"  target    {named}")
        terms = ", ".join(t["term"] for t in stance["evidence"]["terms"][:6])
        if terms:
            lines.append(f"  terms     {terms}")
        for p in stance["evidence"]["passages"][:2]:
            quote = textwrap.shorten(p["text"], width=width - 24, placeholder="...")
            lines.append(f'  evidence  [{p["label"]} {p["probabilities"][p["label"]]:.2f}] "{quote}"')
    for warning in record.get("warnings", []):
        lines.append(f"  warning   {warning}")
    return "\n".join(lines)


#: The stance columns of the CSV rendering, in order (the keys of ``stance["probabilities"]``).
_CSV_STANCE = ("favor", "against", "none")


def score_csv_header(num_topics: int, labels: Sequence[str] = ()) -> list[str]:
    """The header row of the CSV rendering of scores.

    Parameters
    ----------
    num_topics : int
        Number of topics of the model (``K``); one ``topic_<id>`` column each.
    labels : list of str, optional
        The topics' labels: a column is then ``topic_<id>: <label>``, so a reader of the
        table sees what it holds (a script can still match the ``topic_<id>`` prefix).

    Returns
    -------
    list of str
        ``id, title, date, source, stance, p_favor, p_against, p_none, passages, tokens,
        warnings, topic_0, ..., topic_<K-1>``.

    Examples
    --------
    >>> score_csv_header(2)[:5], score_csv_header(2)[-3:]
    (['id', 'title', 'date', 'source', 'stance'], ['warnings', 'topic_0', 'topic_1'])
    >>> score_csv_header(2, ["court / hearing", "music / singer"])[-1]
    'topic_1: music / singer'
    """
    if labels and len(labels) != num_topics:
        raise ValueError(f"{num_topics} topics but {len(labels)} labels")
    return [
        "id",
        *META_FIELDS,
        "stance",
        *(f"p_{label}" for label in _CSV_STANCE),
        "passages",
        "tokens",
        "warnings",
        *(f"topic_{k}: {labels[k]}" if labels else f"topic_{k}" for k in range(num_topics)),
    ]


def format_score_summary(stances: Counter[str | None], count: int, warned: int) -> str:
    """The closing line of a scoring run: articles per stance, and how many had warnings.

    Parameters
    ----------
    stances : Counter
        Scored articles per stance label; ``None`` (nothing to classify, or no stance
        model) is counted as "no stance".
    count : int
        Articles scored.
    warned : int
        Of them, those with at least one warning.

    Examples
    --------
    >>> format_score_summary(Counter({"favor": 3, "none": 5, None: 1}), 9, 2)
    'scored 9 articles: favor 3, against 0, none 5, no stance 1; 2 with warnings'
    """
    parts = [f"{label} {stances.get(label, 0)}" for label in _CSV_STANCE]
    if stances.get(None):
        parts.append(f"no stance {stances[None]}")
    return f"scored {count} article{'s' * (count != 1)}: {', '.join(parts)}; {warned} with warnings"


def score_csv_row(record: dict[str, Any], num_topics: int) -> list[str | float | int]:
    """One scored article as a CSV row matching :func:`score_csv_header`.

    Parameters
    ----------
    record : dict
        A scored article (``id``, optional ``title``, ``date``, ``source``, ``topics``,
        ``stance``, ``passages``, ``tokens``, ``warnings``), as
        :meth:`MtopicsModel.score_one` returns it.
    num_topics : int
        Number of topics of the model.

    Returns
    -------
    list
        The cells: numbers as the record holds them; ``""`` for the stance cells
        when ``stance`` is None and for the topic cells when the record has no
        topics. Topic weights are placed by topic id, not by the record's order
        (which is by weight). Warnings are joined with ``" | "``. Write the row
        with :func:`csv.writer`, which quotes cells as RFC 4180 requires.

    Examples
    --------
    >>> rec = {"id": "a.txt", "topics": [{"id": 1, "weight": 0.6}, {"id": 0, "weight": 0.4}],
    ...        "stance": {"label": "none", "probabilities": {"favor": 0.1, "against": 0.2, "none": 0.7}},
    ...        "passages": 1, "tokens": 40, "warnings": ["short text"]}
    >>> score_csv_row(rec, 2)
    ['a.txt', '', '', '', 'none', 0.1, 0.2, 0.7, 1, 40, 'short text', 0.4, 0.6]
    """
    stance = record.get("stance")
    if stance:
        probs = stance["probabilities"]
        stance_cells: list[str | float | int] = [stance["label"], *(probs[label] for label in _CSV_STANCE)]
    else:
        stance_cells = ["", "", "", ""]
    weights = {int(t["id"]): t["weight"] for t in record.get("topics", [])}
    topic_cells: list[str | float | int] = [weights.get(k, "") for k in range(num_topics)]
    return [
        record["id"],
        *(record.get(name, "") for name in META_FIELDS),
        *stance_cells,
        record["passages"],
        record["tokens"],
        " | ".join(record.get("warnings", [])),
        *topic_cells,
    ]


def _metric(manifest: dict[str, Any], section: str, key: str) -> str:
    value: Any = manifest.get("metrics", {}).get(section, {})
    for part in key.split("."):  # "heldout.c_v" reads metrics[section]["heldout"]["c_v"]
        value = value.get(part) if isinstance(value, dict) else None
    return f"{value:.3f}" if isinstance(value, (int, float)) else "-"


def _stance_basis(manifest: dict[str, Any]) -> str:
    """What a version's stance figures rest on: "61 passages of seed_passages.jsonl" ("-": no figures).

    A model trained on your own corpus keeps the shipped stance data's figures; this says so.
    """
    stance = manifest.get("metrics", {}).get("stance", {})
    n = stance.get("n")
    if not isinstance(n, int) or "macro_f1" not in stance:
        return "-"
    data = stance.get("data", {}).get("passages")
    return f"{n} passages of {data}" if data else f"{n} passages"


def format_versions(infos: Iterable[VersionInfo], latest: Sequence[str] = ()) -> str:
    """A table of model versions with their key metrics ("-" where a version has none)."""
    header = (
        "experiment",
        "version",
        "created",
        "K",
        "c_v",
        "npmi",
        "u_mass",
        "diversity",
        "stability",
        "heldout_c_v",
        "macro_f1",
        "f_avg",
        "stance_evaluated_on",
        "path",
    )
    rows = [header]
    for info in infos:
        m = info.manifest
        k = m.get("metrics", {}).get("topics", {}).get("num_topics", "-")
        version = info.version + (" (latest)" if str(info.path) in latest else "")
        rows.append(
            (
                info.experiment,
                version,
                str(m.get("created", "?"))[:19],
                str(k),
                _metric(m, "topics", "c_v"),
                _metric(m, "topics", "npmi"),
                _metric(m, "topics", "u_mass"),
                _metric(m, "topics", "diversity"),
                _metric(m, "topics", "stability"),
                _metric(m, "topics", "heldout.c_v"),
                _metric(m, "stance", "macro_f1"),
                _metric(m, "stance", "f_avg"),
                _stance_basis(m),
                str(info.path),
            )
        )
    if len(rows) == 1:
        return "no model versions"
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows)
