"""A topic report for people: one self-contained HTML file, and PNG charts for papers.

:func:`render_report` turns a loaded model into HTML text: a header, the metrics,
the K sweep, topic prevalence, one card per topic (label, top terms as a bar
chart, typical passages), the topics of the training articles, stance by
topic and, when the articles came with dates or sources, stance and topics by
month (or year) and by source.  Charts are inline SVG and the styles are inline CSS, so the file opens
in a browser without network access.  Every piece of text that comes from the
corpus or the model is HTML-escaped.

:func:`write_report` writes the HTML and, on request, PNG charts drawn with
matplotlib (the optional ``report`` extra: ``pip install "mtopics[report]"``).
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path
from typing import Any

import numpy as np

from ._metrics import ONE_ARTICLE_SHARE, STANCE_LABELS
from ._model import META_FIELDS, MtopicsModel
from ._topics import _seed_pairs
from ._version import __version__
from .exceptions import ReportDependencyError, ReportError

__all__ = ["default_report_name", "render_report", "write_report"]

#: Top terms drawn per topic.
TOP_TERMS = 10
#: Typical passages shown per topic.
PASSAGES = 3
#: At most this many articles in the topics-by-article table (the rest is summarised).
MAX_ARTICLES = 60
#: Colours of favor, against and none (distinct in colour and in lightness, so also in grey print).
STANCE_COLOURS = ("#2f6fae", "#e08a2c", "#c4c4c4")
#: Dates spanning more than this many months are grouped by year instead of by month.
MAX_MONTHS = 36
#: Sources shown one per row in the by-source table (the others share one row).
TOP_SOURCES = 15
#: Top topics shown per group of the by-date and by-source tables.
GROUP_TOPICS = 3
#: Characters of a title shown in the article table (the full title is its tooltip).
TITLE_CHARS = 60
#: What the report calls an article whose stance row is NaN (nothing to classify).
UNCLASSIFIED = "unclassified"
_ACCENT = "#2f6fae"


# -- small formatting helpers ------------------------------------------------------------------
def _e(value: object) -> str:
    """HTML-escape anything (quotes too, so the result is safe in attributes)."""
    return escape(str(value), quote=True)


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return None
    x = float(value)
    return x if math.isfinite(x) else None


def _num(value: Any, digits: int = 3) -> str:
    x = _finite(value)
    return "\u2013" if x is None else f"{x:.{digits}f}"


def _pct(value: Any, digits: int = 0) -> str:
    x = _finite(value)
    return "\u2013" if x is None else f"{100 * x:.{digits}f}%"


def _display(term: str) -> str:
    """A vocabulary term as people read it (phrases joined with ``_`` get spaces)."""
    return term.replace("_", " ")


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "\u2026"


def _mix(colour: str, share: float) -> str:
    """``colour`` blended with white; ``share`` 0 gives white, 1 the colour."""
    share = min(max(share, 0.0), 1.0)
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 - (255 - c) * share):02x}" for c in rgb)


# -- what the report shows, gathered from the model ---------------------------------------------
def _topic_metrics(model: MtopicsModel) -> dict[str, Any]:
    return dict(model.manifest.get("metrics", {}).get("topics", {}) or {})


def _sweep(model: MtopicsModel) -> list[dict[str, Any]]:
    rows = _topic_metrics(model).get("sweep")
    if not isinstance(rows, list):
        return []
    good = [r for r in rows if isinstance(r, dict) and isinstance(r.get("num_topics"), int)]
    return sorted(good, key=lambda r: int(r["num_topics"]))


def _term_weights(model: MtopicsModel, topic: int, n: int = TOP_TERMS) -> list[tuple[str, float]]:
    """The top terms of a topic with p(w|k), in the order the model lists them."""
    info = model.topic_info[topic]
    phi = model.lda.topic_word_[topic]
    index = model.lda.term_index_
    out: list[tuple[str, float]] = []
    for term in list(info.get("terms", []))[:n]:
        i = index.get(term, index.get(str(term).replace(" ", "_")))
        if i is not None:
            out.append((_display(str(term)), float(phi[i])))
    if not out:  # topic_info without terms: fall back on the most probable terms
        order = np.argsort(-phi, kind="stable")[:n]
        out = [(_display(model.lda.terms_[i]), float(phi[i])) for i in order]
    return out


def _name(model: MtopicsModel) -> tuple[str, str]:
    """Experiment name and version of the model (from the manifest, else from its path)."""
    experiment = str(model.manifest.get("experiment") or (model.path.parent.name if model.path else "model"))
    version = str(model.manifest.get("version") or (model.path.name if model.path else "unsaved"))
    return experiment, version


def default_report_name(model: MtopicsModel) -> str:
    """The default file name of a model's report: ``<experiment>-<version>-report.html``.

    >>> from types import SimpleNamespace
    >>> default_report_name(SimpleNamespace(manifest={"experiment": "metoo_pk", "version": "v3"}, path=None))
    'metoo_pk-v3-report.html'
    """
    experiment, version = _name(model)
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in f"{experiment}-{version}")
    return f"{safe}-report.html"


# -- SVG pieces ---------------------------------------------------------------------------------
#: Rough width of a character of a 13 px chart label, in pixels (labels are cut with "…" beyond it).
_CHAR = 7.6


def _label_width(names: Sequence[str], least: int, most: int) -> int:
    """Room for the longest label, between ``least`` and ``most`` pixels."""
    longest = max((len(n) for n in names), default=0)
    return int(min(max(longest * _CHAR + 12, least), most))


def _svg(width: int, height: int, body: Iterable[str], label: str) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{_e(label)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{_e(label)}</title>{''.join(body)}</svg>"
    )


def _hbars(
    rows: Sequence[tuple[str, float, str]],
    label: str,
    *,
    width: int = 540,
    label_width: int = 170,
    bar_height: int = 20,
    max_value: float | None = None,
    colour: str = _ACCENT,
    fmt: str = "{:.3f}",
    anchors: Sequence[str] | None = None,
) -> str:
    """A horizontal bar chart: one ``(name, value, tooltip)`` per row, value drawn to scale."""
    gap = 6
    value_width = 64
    top = max((v for _, v, _ in rows), default=0.0)
    scale_max = max_value if max_value else (top or 1.0)
    room = width - label_width - value_width - 8
    height = len(rows) * (bar_height + gap) + gap
    parts = []
    for i, (name, value, tip) in enumerate(rows):
        y = gap + i * (bar_height + gap)
        length = max(room * value / scale_max, 0.0) if scale_max > 0 else 0.0
        mid = y + bar_height / 2
        text = (
            f'<text x="{label_width - 8}" y="{mid:.1f}" text-anchor="end" dominant-baseline="central" '
            f'class="lab">{_e(_short(name, int(label_width / _CHAR)))}</text>'
        )
        if anchors is not None:
            text = f'<a href="#{_e(anchors[i])}">{text}</a>'
        parts.append(
            f"<g><title>{_e(tip)}</title>{text}"
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" rx="2" fill="{colour}"/>'
            f'<text x="{label_width + length + 6:.1f}" y="{mid:.1f}" dominant-baseline="central" class="val">'
            f"{_e(fmt.format(value))}</text></g>"
        )
    return _svg(width, height, parts, label)


def _stance_bars(names: Sequence[str], shares: np.ndarray, counts: Sequence[int], width: int = 1000) -> str:
    """Stacked horizontal bars of favor/against/none shares, one per topic."""
    count_width, bar_height, gap = 190, 24, 8
    label_width = _label_width(names, 240, 420)
    room = width - label_width - count_width - 16
    height = len(names) * (bar_height + gap) + gap
    parts = []
    for k, name in enumerate(names):
        y = gap + k * (bar_height + gap)
        mid = y + bar_height / 2
        parts.append(
            f'<text x="{label_width - 8}" y="{mid:.1f}" text-anchor="end" dominant-baseline="central" '
            f'class="lab">{_e(_short(name, int(label_width / _CHAR)))}</text>'
        )
        row = shares[k]
        if not np.isfinite(row).all():
            parts.append(
                f'<text x="{label_width}" y="{mid:.1f}" dominant-baseline="central" class="val">'
                "no classified article gives tokens to this topic</text>"
            )
        else:
            x = float(label_width)
            for j, stance in enumerate(STANCE_LABELS):
                share = float(row[j])
                w = room * share
                parts.append(
                    f'<rect class="stance-seg" data-topic="{k}" data-stance="{stance}" data-share="{share:.6f}" '
                    f'x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_height}" fill="{STANCE_COLOURS[j]}">'
                    f"<title>{_e(f'{name}: {stance} {100 * share:.1f}%')}</title></rect>"
                )
                if w >= 34:
                    ink = "#ffffff" if j < 2 else "#222222"
                    parts.append(
                        f'<text x="{x + w / 2:.1f}" y="{mid:.1f}" text-anchor="middle" dominant-baseline="central" '
                        f'class="seg" fill="{ink}">{100 * share:.0f}%</text>'
                    )
                x += w
        parts.append(
            f'<text x="{width - count_width}" y="{mid:.1f}" dominant-baseline="central" class="val">'
            f"main topic of {counts[k]} article{'' if counts[k] == 1 else 's'}</text>"
        )
    return _svg(width, height, parts, "Stance by topic: share of favor, against and none")


def _nice_range(values: Sequence[float]) -> tuple[float, float, int]:
    """Axis limits on multiples of 0.1 around ``values``, and a number of ticks (steps of 0.1 or 0.2).

    >>> _nice_range([0.44, 0.74])
    (0.4, 0.8, 4)
    """
    lo = math.floor(round(min(values) * 10, 6)) / 10
    hi = math.ceil(round(max(values) * 10, 6)) / 10
    tenths = max(round((hi - lo) * 10), 2)
    step = 1 if tenths <= 6 else 2
    ticks = math.ceil(tenths / step)
    return lo, round(lo + ticks * step / 10, 6), ticks


def _sweep_chart(rows: Sequence[dict[str, Any]], width: int = 480, height: int = 240) -> str:
    """c_v and stability against K; the chosen K shaded."""
    series = [("c_v", "c_v", _ACCENT, ""), ("stability", "stability", "#b8452f", "6 4")]
    ks = [int(r["num_topics"]) for r in rows]
    values = [v for key, *_ in series for r in rows if (v := _finite(r.get(key))) is not None]
    if not values:
        return ""
    lo, hi, ticks = _nice_range(values)
    left, right, top, bottom = 48, 100, 16, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    k_lo, k_hi = min(ks), max(ks)

    def sx(k: float) -> float:
        return left + (plot_w / 2 if k_hi == k_lo else plot_w * (k - k_lo) / (k_hi - k_lo))

    def sy(v: float) -> float:
        return top + plot_h * (1 - (v - lo) / (hi - lo))

    parts = []
    for r in rows:
        if r.get("chosen"):
            x = sx(int(r["num_topics"]))
            band = max(plot_w / max(len(ks), 1) * 0.6, 14) if len(ks) > 1 else 30
            parts.append(
                f'<rect x="{x - band / 2:.1f}" y="{top}" width="{band:.1f}" height="{plot_h}" fill="#fde9b8"/>'
                f'<text x="{x:.1f}" y="{top + 12}" text-anchor="middle" class="val">chosen</text>'
            )
    for i in range(ticks + 1):
        v = lo + (hi - lo) * i / ticks
        y = sy(v)
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e4e4e4"/>'
            f'<text x="{left - 6}" y="{y:.1f}" text-anchor="end" dominant-baseline="central" class="val">'
            f"{v:.2f}</text>"
        )
    for k in ks:
        parts.append(f'<text x="{sx(k):.1f}" y="{top + plot_h + 16}" text-anchor="middle" class="val">{k}</text>')
    parts.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle" class="lab">number of topics K</text>'
    )
    for i, (key, name, colour, dash) in enumerate(series):
        points = [(sx(int(r["num_topics"])), sy(v)) for r in rows if (v := _finite(r.get(key))) is not None]
        if not points:
            continue
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>')
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>' for x, y in points]
        ly = top + 10 + 20 * i
        lx = left + plot_w + 14
        parts.append(
            f'<line x1="{lx}" x2="{lx + 24}" y1="{ly}" y2="{ly}" stroke="{colour}" stroke-width="2"{dash_attr}/>'
            f'<text x="{lx + 30}" y="{ly}" dominant-baseline="central" class="lab">{_e(name)}</text>'
        )
    return _svg(width, height, parts, "Topic coherence (c_v) and stability for each number of topics K")


# -- HTML sections --------------------------------------------------------------------------------
_CSS = """
:root { --ink: #1f2328; --muted: #59636e; --line: #d8dee4; --soft: #f6f8fa; --accent: #2f6fae; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 32px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 16px; margin: 0 0 6px; }
p { margin: 6px 0; }
.muted, .note { color: var(--muted); }
.warn { color: #9a3412; }
.note { font-size: 14px; font-style: italic; }
.meta { display: flex; flex-wrap: wrap; gap: 4px 24px; color: var(--muted); font-size: 14px; margin: 8px 0 0; }
.meta b { color: var(--ink); font-weight: 600; }
nav { margin: 16px 0 0; font-size: 14px; }
nav a { margin-right: 14px; color: var(--accent); text-decoration: none; }
table { border-collapse: collapse; font-size: 14px; margin: 8px 0; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.chosen td { background: #fdf3d8; font-weight: 600; }
.tables { display: flex; flex-wrap: wrap; gap: 8px 40px; align-items: flex-start; }
.chart { max-width: 100%; height: auto; display: block; }
.chart text { font-family: inherit; }
.chart .lab { font-size: 13px; fill: var(--ink); }
.chart .val { font-size: 12px; fill: var(--muted); }
.chart .seg { font-size: 12px; font-weight: 600; }
.chart a .lab { fill: var(--accent); }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(540px, 1fr)); gap: 20px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 14px 16px; break-inside: avoid; }
.card .stats { font-size: 13px; color: var(--muted); margin-bottom: 6px; }
.card .specific { font-size: 13px; margin: 6px 0; }
blockquote { margin: 8px 0; padding: 6px 10px; border-left: 3px solid var(--line); background: var(--soft);
  font-size: 13.5px; overflow-wrap: anywhere; }
blockquote .src { display: block; color: var(--muted); font-size: 12px; margin-top: 2px; }
.heat { border-collapse: separate; border-spacing: 2px; }
.heat td, .heat th { border: none; padding: 3px 6px; }
.heat thead th { vertical-align: bottom; }
.heat td.id { max-width: 320px; overflow-wrap: anywhere; font-size: 13px; }
.heat th.t { writing-mode: vertical-rl; transform: rotate(180deg); font-size: 12.5px; font-weight: 500;
  text-align: left; vertical-align: bottom; white-space: nowrap; padding: 6px 3px; }
.heat td.h { text-align: right; font-size: 12.5px; font-variant-numeric: tabular-nums; min-width: 46px; }
.heat td.m { font-size: 13px; max-width: 280px; overflow-wrap: anywhere; }
.heat td.s { font-size: 12.5px; white-space: nowrap; font-variant-numeric: tabular-nums; border-left: 4px solid; }
#by-meta h3 { margin: 18px 0 4px; }
.legend { display: flex; gap: 18px; font-size: 14px; margin: 6px 0; }
.legend span::before { content: ""; display: inline-block; width: 14px; height: 14px; margin-right: 6px;
  vertical-align: -2px; background: var(--c); border-radius: 2px;
  -webkit-print-color-adjust: exact; print-color-adjust: exact; }
footer { margin-top: 40px; font-size: 13px; color: var(--muted); }
@media print {
  body { font-size: 12px; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  h2 { break-after: avoid; }
  .cards { display: block; }
  .card { margin-bottom: 12px; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _header(model: MtopicsModel) -> str:
    experiment, version = _name(model)
    m = model.manifest
    metrics = _topic_metrics(model)
    description = (m.get("config", {}).get("experiment", {}) or {}).get("description", "")
    corpus = m.get("data", {}).get("corpus", {}) or {}
    documents = metrics.get("documents", corpus.get("documents"))
    passages = metrics.get("passages", corpus.get("passages"))
    items = [
        ("experiment", experiment),
        ("version", version),
        ("created", m.get("created", "unknown")),
        ("trained with mtopics", m.get("mtopics_version", m.get("versions", {}).get("mtopics", "unknown"))),
        (
            "corpus",
            f"{documents if documents is not None else '?'} articles, "
            f"{passages if passages is not None else '?'} passages",
        ),
        ("topics", metrics.get("num_topics", len(model.topic_info))),
        ("vocabulary", f"{metrics.get('vocabulary', len(model.lda.terms_))} terms"),
    ]
    meta = "".join(f"<span>{_e(k)}: <b>{_e(v)}</b></span>" for k, v in items)
    desc = f'<p class="muted">{_e(description)}</p>' if description else ""
    path = f'<p class="muted">Model: <code>{_e(model.path)}</code></p>' if model.path else ""
    nav = "".join(
        f'<a href="#{a}">{t}</a>'
        for a, t in (
            ("metrics", "Metrics"),
            ("sweep", "Choosing K"),
            ("prevalence", "Prevalence"),
            ("topics", "Topics"),
            ("articles", "Articles"),
            ("stance", "Stance by topic"),
            *([("by-meta", "By date and source")] if _has_meta_section(model) else []),
        )
    )
    return (
        f"<header><h1>Topics of {_e(experiment)} {_e(version)}</h1>{desc}"
        f'<div class="meta">{meta}</div>{path}<nav>{nav}</nav></header>'
    )


def _table(head: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[bool], cls: str = "") -> str:
    """A table of already-escaped cells."""
    th = "".join(f"<th{' class=n' if n else ''}>{h}</th>" for h, n in zip(head, numeric, strict=True))
    body = "".join(
        "<tr>" + "".join(f"<td{' class=n' if n else ''}>{c}</td>" for c, n in zip(r, numeric, strict=True)) + "</tr>"
        for r in rows
    )
    return f'<table class="{cls}"><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>'


def _metrics_section(model: MtopicsModel) -> str:
    t = _topic_metrics(model)
    topic_rows = [
        ("topics K", str(t.get("num_topics", len(model.topic_info))), "number of topics of the model"),
        ("c_v", _num(t.get("c_v")), "coherence of top terms, 0 to 1, higher is better"),
        ("NPMI", _num(t.get("npmi")), "coherence as normalised PMI, -1 to 1"),
        ("UMass", _num(t.get("u_mass")), "coherence by co-occurrence, closer to 0 is better"),
        ("diversity", _num(t.get("diversity")), "share of distinct words among top terms"),
    ]
    if "stability" in t:
        detail = "same topics across restarts, 0 to 1"
        if t.get("restarts"):
            detail += f"; {int(t['restarts'])} restarts"
        topic_rows.append(("stability", _num(t.get("stability")), detail))
    else:
        topic_rows.append(("stability", "\u2013", "not measured when this version was trained"))
    for key, what in (("vocabulary", "terms"), ("passages", "passages"), ("documents", "articles")):
        if key in t:
            topic_rows.append((key, _e(t[key]), f"{what} seen by the topic model"))
    topics_table = _table(
        ("topic metric", "value", "meaning"),
        [(_e(a), b, _e(c)) for a, b, c in topic_rows],
        (False, True, False),
    )
    s = model.manifest.get("metrics", {}).get("stance")
    if isinstance(s, dict) and s:
        stance_rows = []
        for level, report in (("passages", s), ("articles", s.get("article"))):
            if not isinstance(report, dict):
                continue
            # calibration of the held-out probabilities (passages; older versions have none: a dash)
            calibration = report.get("calibration") or {}
            stance_rows.append(
                (
                    level,
                    _num(report.get("macro_f1")),
                    _num(report.get("f_avg")),
                    _num(calibration.get("brier")),
                    _num(calibration.get("ece")),
                    _e(report.get("n", "?")),
                    _e(report.get("scheme", "")),
                )
            )
        stance_table = _table(
            ("stance, by", "macro-F1", "F_avg", "Brier", "ECE", "examples", "evaluation"),
            stance_rows,
            (False, True, True, True, True, True, False),
        )
        few = [(r[0], int(r[5])) for r in stance_rows if r[5].isdigit() and int(r[5]) < 30]
        if few:
            which = " and ".join(f"{n} labelled {level}" for level, n in few)
            stance_table += f'<p class="note">Only {_e(which)}: read these figures as rough.</p>'

    else:
        stance_table = '<p class="note">No stance evaluation in this version (trained without stance).</p>'
    return (
        '<section id="metrics"><h2>Metrics</h2><div class="tables">'
        f"<div>{topics_table}</div><div>{stance_table}</div></div></section>"
    )


def _sweep_section(model: MtopicsModel) -> str:
    rows = _sweep(model)
    t = _topic_metrics(model)
    if not rows:
        return (
            '<section id="sweep"><h2>Choosing K</h2><p class="note">No K sweep in this version: '
            f"it was trained with one number of topics (K = {_e(t.get('num_topics', len(model.topic_info)))}).</p>"
            "</section>"
        )
    rule = t.get("selection")
    rule_html = f"<p>Selection rule: {_e(rule)}</p>" if rule else ""
    with_score = any("score" in r for r in rows)
    columns = [
        ("K", lambda r: _e(r["num_topics"])),
        ("c_v", lambda r: _num(r.get("c_v"))),
        ("NPMI", lambda r: _num(r.get("npmi"))),
        ("UMass", lambda r: _num(r.get("u_mass"))),
        ("diversity", lambda r: _num(r.get("diversity"))),
        ("stability", lambda r: _num(r.get("stability"))),
        *([("score", lambda r: _num(r.get("score")))] if with_score else []),
    ]
    th = "".join(f"<th class=n>{name}</th>" for name, _ in columns) + "<th></th>"
    body = "".join(
        f"<tr{' class=chosen' if r.get('chosen') else ''}>"
        + "".join(f"<td class=n>{cell(r)}</td>" for _, cell in columns)
        + f"<td>{'chosen' if r.get('chosen') else ''}</td></tr>"
        for r in rows
    )
    table = f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"
    if len(rows) < 2:
        return (
            f'<section id="sweep"><h2>Choosing K</h2>{rule_html}{table}<p class="note">Only one number of topics '
            "was tried, so there is nothing to compare; give <code>[lda] num_topics</code> a list of candidates "
            "(e.g. <code>[4, 6, 8]</code>) to choose K.</p></section>"
        )
    return (
        f'<section id="sweep"><h2>Choosing K</h2>{rule_html}<div class="tables"><div>{_sweep_chart(rows)}</div>'
        f"{table}</div></section>"
    )


def _topic_name(info: dict[str, Any]) -> str:
    return f"#{info['id']} {info.get('label', '')}"


def _prevalence_section(model: MtopicsModel) -> str:
    rows = [
        (
            _topic_name(t),
            float(_finite(t.get("prevalence")) or 0.0),
            f"{_topic_name(t)}: {_pct(t.get('prevalence'), 1)}",
        )
        for t in model.topic_info
    ]
    chart = _hbars(
        rows,
        "Topic prevalence: share of the corpus tokens",
        width=900,
        label_width=_label_width([name for name, _, _ in rows], 160, 420),
        fmt="{:.1%}",
        anchors=[f"topic-{t['id']}" for t in model.topic_info],
    )
    return (
        '<section id="prevalence"><h2>Topic prevalence</h2>'
        "<p>Share of all words of the corpus that the model gives to each topic.</p>"
        f"{chart}</section>"
    )


def _card(model: MtopicsModel, info: dict[str, Any]) -> str:
    k = int(info["id"])
    terms = _term_weights(model, k)
    chart = _hbars(
        [(term, p, f"{term}: p(w|k) = {p:.4f}") for term, p in terms],
        f"Top {len(terms)} terms of topic {k} by probability p(w|k)",
        width=520,
        label_width=160,
        bar_height=17,
    )
    specific = [_display(str(x)) for x in info.get("relevant_terms", [])][:TOP_TERMS]
    specific_html = f'<p class="specific"><b>Most specific terms:</b> {_e(", ".join(specific))}</p>' if specific else ""
    seeds = _seed_pairs(model.lda.seed_topics)
    if k < len(seeds):
        specific_html += (
            f'<p class="specific"><b>Seeded with:</b> {_e(", ".join(_display(w) for w in seeds[k][1]))} '
            '<span class="muted">(the model was told to put these words here; the other terms are what the '
            "corpus put around them)</span></p>"
        )
    specific_html += _sources_html(info, _topic_metrics(model).get("documents"))
    quotes = []
    for p in list(info.get("typical_passages", []))[:PASSAGES]:
        weight = _finite(p.get("weight"))
        source = _e(p.get("passage", ""))
        if weight is not None:
            source += f" \u00b7 {weight:.0%} this topic"
        quotes.append(f'<blockquote>{_e(p.get("text", ""))}<span class="src">{source}</span></blockquote>')
    passages = "".join(quotes) or '<p class="note">No typical passage recorded.</p>'
    stats = (
        f"prevalence <b>{_pct(info.get('prevalence'), 1)}</b> \u00b7 c_v <b>{_num(info.get('c_v'))}</b>"
        f" \u00b7 NPMI <b>{_num(info.get('npmi'))}</b>"
    )
    return (
        f'<article class="card" id="topic-{k}"><h3>Topic {k}: {_e(info.get("label", ""))}</h3>'
        f'<div class="stats">{stats}</div>'
        f'<div class="muted" style="font-size:12.5px">Top terms, bar length = probability of the term in the topic'
        f" p(w|k)</div>{chart}{specific_html}<div><b>Typical passages</b>{passages}</div></article>"
    )


def _sources_html(info: dict[str, Any], documents: Any) -> str:
    """The articles a topic's tokens come from (saved since mtopics 0.3.1; nothing for older versions).

    A topic with most of its tokens from one article, in a corpus of 3 or more, is flagged."""
    parts = []
    for a in list(info.get("articles") or [])[:3]:
        share = _finite(a.get("share"))
        if share is not None and share >= 0.005:
            parts.append(f"{_e(str(a.get('id', '')))} ({share:.0%})")
    if not parts:
        return ""
    main = _finite((info.get("articles") or [{}])[0].get("share"))
    flag = (
        ' <span class="warn">most of this topic is one article: it may describe that article rather than a theme</span>'
        if main is not None and main >= ONE_ARTICLE_SHARE and isinstance(documents, int) and documents >= 3
        else ""
    )
    return f'<p class="specific"><b>Tokens mostly from:</b> {", ".join(parts)}{flag}</p>'


def _topics_section(model: MtopicsModel) -> str:
    cards = "".join(_card(model, t) for t in model.topic_info)
    return f'<section id="topics"><h2>Topics</h2><div class="cards">{cards}</div></section>'


def _article_rows(model: MtopicsModel, max_articles: int) -> tuple[list[int], str]:
    """Which articles the table shows, and a sentence saying how they were chosen."""
    assert model.corpus is not None
    theta = model.corpus.topics
    n, k = theta.shape
    if n <= max_articles:
        chosen = list(range(n))
        how = f"All {n} articles."
    else:
        per_topic = max(1, max_articles // max(k, 1))
        picked: list[int] = []
        for topic in range(k):
            for i in np.argsort(-theta[:, topic], kind="stable")[:per_topic]:
                if int(i) not in picked:
                    picked.append(int(i))
        chosen = picked
        how = (
            f"{len(chosen)} of {n} articles are shown: the {per_topic} with the largest share of each topic. "
            "The summary rows above the table count all articles."
        )
    main = theta.argmax(axis=1)
    chosen.sort(key=lambda i: (int(main[i]), -float(theta[i, main[i]])))
    return chosen, how


def _meta(model: MtopicsModel) -> dict[str, list[str | None]]:
    """Titles, dates and sources of the training articles (empty for versions without them)."""
    if model.corpus is None:
        return {}
    return dict(getattr(model.corpus, "meta", None) or {})


def _clean(value: object) -> str | None:
    """A title, date or source as text; ``None`` when missing or blank."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _stance_labels(stance: np.ndarray) -> list[str]:
    """The most probable stance of each article.

    Parameters
    ----------
    stance : ndarray of shape (n_articles, 3)
        Stance probabilities in :data:`STANCE_LABELS` order; a row with NaN had nothing to classify.

    Returns
    -------
    list of str
        ``"favor"``, ``"against"`` or ``"none"`` (the argmax), :data:`UNCLASSIFIED` for a row with NaN.

    Examples
    --------
    >>> _stance_labels(np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [np.nan] * 3]))
    ['favor', 'none', 'unclassified']
    """
    return [STANCE_LABELS[int(np.argmax(row))] if np.isfinite(row).all() else UNCLASSIFIED for row in stance]


def _stance_cell(row: np.ndarray) -> str:
    """The stance cell of an article row: the most probable stance and its probability."""
    if not np.isfinite(row).all():
        return '<td class="s muted" style="border-color:transparent" title="nothing to classify">\u2013</td>'
    j = int(np.argmax(row))
    tip = " \u00b7 ".join(f"{label} {float(p):.2f}" for label, p in zip(STANCE_LABELS, row, strict=True))
    return (
        f'<td class="s" style="border-color:{STANCE_COLOURS[j]}" title="{_e(tip)}">'
        f"{_e(STANCE_LABELS[j])} {float(row[j]):.2f}</td>"
    )


def _meta_cells(meta: dict[str, list[str | None]], i: int) -> str:
    """The title, date and source cells of article ``i`` (only the fields the corpus has)."""
    cells = []
    for name in META_FIELDS:
        if name not in meta:
            continue
        value = _clean(meta[name][i])
        if value is None:
            cells.append('<td class="m"></td>')
        elif name == "date":
            cells.append(f'<td class="m">{_e(value)}</td>')
        else:
            limit = TITLE_CHARS if name == "title" else TITLE_CHARS // 2
            cells.append(f'<td class="m" title="{_e(value)}">{_e(_short(value, limit))}</td>')
    return "".join(cells)


def _articles_section(model: MtopicsModel, max_articles: int) -> str:
    head = '<section id="articles"><h2>Topics across the articles</h2>'
    if model.corpus is None:
        return (
            head + '<p class="note">No per-article topic data in this version (saved by an mtopics before 0.2): '
            "retrain it to see how topics spread over the articles.</p></section>"
        )
    corpus = model.corpus
    theta = corpus.topics
    n, k = theta.shape
    meta = _meta(model)
    fields = [name for name in META_FIELDS if name in meta]
    stance = corpus.stance
    main = theta.argmax(axis=1) if n else np.zeros(0, dtype=int)
    main_counts = np.bincount(main, minlength=k) if n else np.zeros(k, dtype=int)
    weights = corpus.tokens.astype(float)
    token_share = (theta * weights[:, None]).sum(axis=0) / max(float(weights.sum()), 1e-12)
    names = [_topic_name(t) for t in model.topic_info]
    th = "".join(f'<th class="t" title="{_e(name)}">{_e(_short(name, 40))}</th>' for name in names)
    meta_th = "".join(f"<th>{_e(name)}</th>" for name in fields)
    stance_th = "<th>stance</th>" if stance is not None else ""
    blank_meta = "<td></td>" * len(fields)
    blank_tail = "<td></td>" * (2 if stance is not None else 1)
    summary = (
        f'<tr><td class="id"><b>main topic of (articles)</b></td>{blank_meta}'
        + "".join(f'<td class="h"><b>{int(c)}</b></td>' for c in main_counts)
        + f"{blank_tail}</tr>"
        f'<tr><td class="id"><b>share of corpus tokens</b></td>{blank_meta}'
        + "".join(f'<td class="h"><b>{_pct(s)}</b></td>' for s in token_share)
        + f"{blank_tail}</tr>"
    )
    chosen, how = _article_rows(model, max_articles)
    body = []
    for i in chosen:
        cells = "".join(
            f'<td class="h" style="background:{_mix(_ACCENT, float(v) ** 0.6)};'
            f'color:{"#fff" if float(v) ** 0.6 > 0.6 else "#1f2328"}">'
            f"{100 * float(v):.0f}</td>"
            for v in theta[i]
        )
        body.append(
            f'<tr><td class="id">{_e(corpus.ids[i])}</td>{_meta_cells(meta, i)}{cells}'
            f'<td class="h muted">{int(corpus.tokens[i])}</td>'
            f"{_stance_cell(stance[i]) if stance is not None else ''}</tr>"
        )
    table = (
        f'<table class="heat"><thead><tr><th>article</th>{meta_th}{th}<th class="t">tokens</th>{stance_th}</tr>'
        f"</thead><tbody>{summary}{''.join(body)}</tbody></table>"
    )
    stance_note = (
        " The stance column gives the most probable stance of the article and its probability "
        "(\u2013: nothing to classify)."
        if stance is not None
        else ""
    )
    return (
        head + f"<p>Topic mixture of each training article, in percent (rows sum to 100, up to rounding). "
        f"Articles are grouped by their main topic. {_e(how)}{_e(stance_note)}</p>{table}</section>"
    )


# -- stance and topics by date and by source -----------------------------------------------------
_DATE = re.compile(r"(\d{4})(?:-(\d{2}))?(?!\d)")


def _date_key(value: object) -> str:
    """The month (``"YYYY-MM"``) or year (``"YYYY"``) of a date as the corpus gave it.

    Parameters
    ----------
    value : str or None
        A date, usually ISO (``"2018-10-14"``), maybe only ``"2018-10"`` or ``"2018"``.

    Returns
    -------
    str
        ``"YYYY-MM"`` when the text starts with a year, a dash and a month 01 to 12;
        ``"YYYY"`` when it starts with a year only (or a year and no valid month);
        ``""`` when it is missing or does not start with a year.

    Examples
    --------
    >>> [_date_key(v) for v in ("2018-10-14", "2018-10", " 2018 ", "2018-13-01", "14/10/2018", None)]
    ['2018-10', '2018-10', '2018', '2018', '', '']
    """
    text = _clean(value)
    match = _DATE.match(text) if text is not None else None
    if match is None:
        return ""
    year, month = match.groups()
    return f"{year}-{month}" if month is not None and 1 <= int(month) <= 12 else year


def _date_groups(values: Sequence[object], max_months: int = MAX_MONTHS) -> tuple[str, list[tuple[str, list[int]]]]:
    """Group articles by the month of their date, or by year.

    Parameters
    ----------
    values : sequence of str or None
        The date of each article, as the corpus gave it (see :func:`_date_key`).
    max_months : int
        When the dates span more than this many months (a date with only a year
        counts as its whole year), or when no date gives a month, the groups are years.

    Returns
    -------
    unit : str
        ``"month"`` or ``"year"``.
    groups : list of (str, list of int)
        Group name and the indices of its articles, in date order.  By month, the
        articles dated only by a year are in a group ``"YYYY (no month)"`` before the
        months of that year.  Articles without a usable date come last, in ``"no date"``.

    Examples
    --------
    >>> _date_groups(["2018-10-14", "2018-11", None, "2018-10-02", "junk"])
    ('month', [('2018-10', [0, 3]), ('2018-11', [1]), ('no date', [2, 4])])
    >>> _date_groups(["2015-01-01", "2019-06-30", "2019"])
    ('year', [('2015', [0]), ('2019', [1, 2])])
    >>> _date_groups(["2018-03", "2018"])
    ('month', [('2018 (no month)', [1]), ('2018-03', [0])])
    """
    keys = [_date_key(v) for v in values]
    spans = [
        (12 * int(k[:4]) + int(k[5:7]) - 1,) * 2 if len(k) == 7 else (12 * int(k), 12 * int(k) + 11) for k in keys if k
    ]
    by_month = any(len(k) == 7 for k in keys) and (
        max(hi for _, hi in spans) - min(lo for lo, _ in spans) + 1 <= max_months
    )
    unit = "month" if by_month else "year"
    groups: dict[str, list[int]] = {}
    for i, k in enumerate(keys):
        groups.setdefault(k if by_month else k[:4], []).append(i)
    undated = groups.pop("", [])
    out = [(k if len(k) == 7 or not by_month else f"{k} (no month)", idx) for k, idx in sorted(groups.items())]
    if undated:
        out.append(("no date", undated))
    return unit, out


def _source_groups(values: Sequence[object], top: int = TOP_SOURCES) -> list[tuple[str, list[int]]]:
    """Group articles by source: the ``top`` largest sources, then the others together.

    Parameters
    ----------
    values : sequence of str or None
        The source of each article (compared as given, without surrounding spaces).
    top : int
        Sources with a group of their own; the articles of the other sources are in
        one group ``"other sources"``.

    Returns
    -------
    list of (str, list of int)
        Group name and the indices of its articles: the largest sources first (ties
        by name), then ``"other sources"``, then ``"no source"`` for articles without one.

    Examples
    --------
    >>> _source_groups(["Dawn", "BBC", "Dawn", None, "Geo", " "], top=1)
    [('Dawn', [0, 2]), ('other sources', [1, 4]), ('no source', [3, 5])]
    """
    groups: dict[str, list[int]] = {}
    missing: list[int] = []
    for i, value in enumerate(values):
        source = _clean(value)
        if source is None:
            missing.append(i)
        else:
            groups.setdefault(source, []).append(i)
    ranked = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    out = ranked[:top]
    rest = sorted(i for _, idx in ranked[top:] for i in idx)
    if rest:
        out.append(("other sources", rest))
    if missing:
        out.append(("no source", missing))
    return out


def _top_topics(theta: np.ndarray, tokens: np.ndarray, n: int = GROUP_TOPICS) -> list[tuple[int, float]]:
    """The ``n`` topics with the largest token-weighted mean share over some articles.

    Parameters
    ----------
    theta : ndarray of shape (n_articles, num_topics)
        Topic mixtures of the articles.
    tokens : ndarray of shape (n_articles,)
        Tokens of each article: the weights (a plain mean when they sum to 0).
    n : int
        How many topics.

    Returns
    -------
    list of (int, float)
        Topic index and mean share (the share of the articles' tokens the topic has),
        largest first.

    Examples
    --------
    >>> _top_topics(np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]), np.array([300.0, 100.0]), n=2)
    [(0, 0.75), (1, 0.25)]
    """
    weights = tokens.astype(float)
    total = float(weights.sum())
    mean = (theta * weights[:, None]).sum(axis=0) / total if total > 0 else theta.mean(axis=0)
    order = np.argsort(-mean, kind="stable")[:n]
    return [(int(k), float(mean[k])) for k in order]


def _group_table(model: MtopicsModel, first: str, groups: Sequence[tuple[str, list[int]]]) -> str:
    """One row per group: articles, articles by stance (when there is stance) and top topics."""
    assert model.corpus is not None
    corpus = model.corpus
    labels = _stance_labels(corpus.stance) if corpus.stance is not None else None
    columns = (*STANCE_LABELS, UNCLASSIFIED) if labels is not None else ()
    head = [_e(first), "articles", *(_e(c) for c in columns), f"top {GROUP_TOPICS} topics"]
    rows = []
    for name, idx in groups:
        counts = dict.fromkeys(columns, 0)
        for label in [labels[i] for i in idx] if labels is not None else []:
            counts[label] += 1
        tops = _top_topics(corpus.topics[idx], corpus.tokens[idx])
        topics = " \u00b7 ".join(_e(f"{_topic_name(model.topic_info[k])} {share:.0%}") for k, share in tops)
        rows.append([_e(name), str(len(idx)), *(str(counts[c]) for c in columns), topics])
    return _table(head, rows, (False, True, *(True for _ in columns), False), cls="groups")


def _plural(n: int, noun: str) -> str:
    """``n`` and the noun, in the plural unless ``n`` is 1.

    >>> _plural(1, "article"), _plural(3, "article")
    ('1 article', '3 articles')
    """
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _in_row(n: int, which: str, row: str) -> str:
    """Where some articles of a by-date or by-source table are, e.g. ``2 articles without a date are in …``."""
    return f"{_plural(n, 'article')} {which} {'is' if n == 1 else 'are'} in the row \u201c{row}\u201d"


def _how(n: int, grouping: str, notes: Sequence[str], stance: bool) -> str:
    """The sentence above a by-date or by-source table: what was grouped, how, and what the columns are."""
    counted = " and counted by their most probable stance" if stance else ""
    extra = "".join(f"; {note}" for note in notes)
    text = (
        f"All {_plural(n, 'article')}, grouped by {grouping}{counted}, with the {GROUP_TOPICS} topics that have "
        f"the largest share of each group\u2019s tokens (token-weighted mean topic share){extra}."
    )
    return f"<p>{_e(text)}</p>"


def _date_table(model: MtopicsModel, dates: Sequence[str | None]) -> str:
    unit, groups = _date_groups(dates)
    if unit == "month":
        grouping = "the month of their date (its first 7 characters, YYYY-MM)"
    elif any(len(_date_key(d)) == 7 for d in dates):
        grouping = f"the year of their date (the dates span more than {MAX_MONTHS} months)"
    else:
        grouping = "the year of their date (the dates give no months)"
    notes = []
    only_year = sum(len(idx) for name, idx in groups if name.endswith("(no month)"))
    if only_year:
        notes.append(_in_row(only_year, "dated only by a year", "YYYY (no month)"))
    undated = sum(len(idx) for name, idx in groups if name == "no date")
    if undated:
        notes.append(_in_row(undated, "without a usable date", "no date"))
    stance = model.corpus is not None and model.corpus.stance is not None
    return _how(len(dates), grouping, notes, stance) + _group_table(model, unit, groups)


def _source_table(model: MtopicsModel, sources: Sequence[str | None]) -> str:
    groups = _source_groups(sources)
    distinct = len({c for v in sources if (c := _clean(v)) is not None})
    shown = min(distinct, TOP_SOURCES)
    grouping = f"source ({f'the {shown} largest of' if distinct > shown else 'all'} {distinct} sources)"
    notes = []
    other = sum(len(idx) for name, idx in groups[shown:] if name == "other sources")
    if other:
        notes.append(_in_row(other, f"of the {_plural(distinct - shown, 'smaller source')}", "other sources"))
    missing = sum(len(idx) for name, idx in groups[shown:] if name == "no source")
    if missing:
        notes.append(_in_row(missing, "without a source", "no source"))
    stance = model.corpus is not None and model.corpus.stance is not None
    return _how(len(sources), grouping, notes, stance) + _group_table(model, "source", groups)


def _has_meta_section(model: MtopicsModel) -> bool:
    """Whether the report has the by-date and by-source section: articles with dates or sources."""
    return model.corpus is not None and len(model.corpus.ids) > 0 and bool({"date", "source"} & set(_meta(model)))


def _meta_section(model: MtopicsModel) -> str:
    """Stance and topics by month (or year) and by source; ``""`` when the articles have neither."""
    if not _has_meta_section(model):
        return ""
    meta = _meta(model)
    parts = ['<section id="by-meta"><h2>Stance and topics by date and by source</h2>']
    if "date" in meta:
        parts.append(f"<h3>By date</h3>{_date_table(model, meta['date'])}")
    if "source" in meta:
        parts.append(f"<h3>By source</h3>{_source_table(model, meta['source'])}")
    return "".join(parts) + "</section>"


def _stance_section(model: MtopicsModel) -> str:
    head = '<section id="stance"><h2>Stance by topic</h2>'
    if model.corpus is None:
        return (
            head + '<p class="note">No per-article stance data in this version (saved by an mtopics before 0.2).'
            "</p></section>"
        )
    shares = model.corpus.stance_by_topic()
    if shares is None or model.corpus.stance is None:
        return head + '<p class="note">This model has no stance classifier: no stance by topic.</p></section>'
    stance = model.corpus.stance
    ok = ~np.isnan(stance).any(axis=1)
    classified = int(ok.sum())
    theta = model.corpus.topics
    main = theta[ok].argmax(axis=1) if classified else np.zeros(0, dtype=int)
    counts = [int(c) for c in np.bincount(main, minlength=theta.shape[1])]
    names = [_topic_name(t) for t in model.topic_info]
    legend = "".join(
        f'<span style="--c:{c}">{_e(label)}</span>' for label, c in zip(STANCE_LABELS, STANCE_COLOURS, strict=True)
    )
    unclassified = len(ok) - classified
    extra = f" ({unclassified} more had nothing to classify and are left out)" if unclassified else ""
    return (
        head + f"<p>Mean stance probability of the {classified} classified articles{_e(extra)}, each article "
        "counted with the words it gives to the topic. On the right: the number of classified articles whose "
        f'main topic it is.</p><div class="legend">{legend}</div>{_stance_bars(names, shares, counts)}</section>'
    )


def render_report(model: MtopicsModel, max_articles: int = MAX_ARTICLES) -> str:
    """The topic report of a model, as one self-contained HTML page.

    Parameters
    ----------
    model : MtopicsModel
        A loaded model (:func:`mtopics.load_model`).
    max_articles : int
        At most this many rows in the topics-by-article table; with more articles
        the ones with the largest share of each topic are shown, and the summary
        rows still count them all.

    Returns
    -------
    str
        HTML text: inline CSS, inline SVG charts, no script and no reference to
        the network.  Labels, terms, ids and passages are HTML-escaped.

    Examples
    --------
    >>> import mtopics
    >>> model = mtopics.load_model("tests/fixtures/format-1/metoo_pk/v1")  # doctest: +SKIP
    >>> html = render_report(model)  # doctest: +SKIP
    >>> html.startswith("<!DOCTYPE html>")  # doctest: +SKIP
    True
    """
    experiment, version = _name(model)
    now = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")
    sections = [
        _header(model),
        _metrics_section(model),
        _sweep_section(model),
        _prevalence_section(model),
        _topics_section(model),
        _articles_section(model, max_articles),
        _stance_section(model),
        _meta_section(model),
    ]
    footer = (
        f"<footer>Report written by mtopics {_e(__version__)} on {_e(now)}. "
        "This file is self-contained: it loads nothing from the network.</footer>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(f'Topic report: {experiment} {version}')}</title><style>{_CSS}</style></head>"
        f"<body><main>{''.join(sections)}{footer}</main></body></html>\n"
    )


# -- files ----------------------------------------------------------------------------------------
def _inside(path: Path, folder: Path | None) -> bool:
    if folder is None:
        return False
    return path.resolve().is_relative_to(folder.resolve())


def write_report(
    model: MtopicsModel,
    path: str | Path,
    png_dir: str | Path | None = None,
    dpi: int = 200,
) -> list[Path]:
    """Write the HTML report of a model and, if asked, PNG charts.

    Parameters
    ----------
    model : MtopicsModel
        A loaded model.
    path : str or Path
        The HTML file to write (its folder is created if needed).
    png_dir : str or Path, optional
        Also write PNG charts into this folder (needs matplotlib):
        ``topic_terms.png``, ``topic_prevalence.png``, and when the data exists
        ``stance_by_topic.png`` and ``k_sweep.png``.
    dpi : int
        Resolution of the PNG charts.

    Returns
    -------
    list of Path
        The files written, the HTML first.

    Raises
    ------
    ReportError
        ``path`` or ``png_dir`` lies inside the model version (versions are never changed).
    ReportDependencyError
        ``png_dir`` is given but matplotlib is not installed.

    Examples
    --------
    >>> import mtopics, tempfile
    >>> model = mtopics.load_model("tests/fixtures/format-1/metoo_pk/v1")  # doctest: +SKIP
    >>> write_report(model, tempfile.mkdtemp() + "/report.html")  # doctest: +SKIP
    [PosixPath('/tmp/.../report.html')]
    """
    target = Path(path)
    folder = Path(png_dir) if png_dir is not None else None
    for place in (target, folder):
        if place is not None and _inside(place, model.path):
            raise ReportError(
                f"{place}: inside the model version {model.path}; versions are never changed, write elsewhere"
            )
    if folder is not None:
        _matplotlib()  # fail before writing anything
    html = render_report(model)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")
    written = [target]
    if folder is not None:
        written += write_charts(model, folder, dpi=dpi)
    return written


# -- PNG charts -----------------------------------------------------------------------------------
def _matplotlib() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise ReportDependencyError(
            'PNG charts need matplotlib, which is not installed: pip install "mtopics[report]"'
        ) from None
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def write_charts(model: MtopicsModel, folder: str | Path, dpi: int = 200) -> list[Path]:
    """Write the report's charts as PNG files for papers (needs matplotlib); returns their paths.

    ``topic_terms.png`` (top terms of every topic, small multiples),
    ``topic_prevalence.png``, ``stance_by_topic.png`` (when the model has
    per-article stance) and ``k_sweep.png`` (when the version compared several K).
    """
    plt = _matplotlib()
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    style = {"font.size": 9, "axes.spines.top": False, "axes.spines.right": False}
    with plt.rc_context(style):
        written.append(_png_terms(plt, model, out / "topic_terms.png", dpi))
        written.append(_png_prevalence(plt, model, out / "topic_prevalence.png", dpi))
        if model.corpus is not None and model.corpus.stance is not None:
            written.append(_png_stance(plt, model, out / "stance_by_topic.png", dpi))
        if len(_sweep(model)) > 1:
            written.append(_png_sweep(plt, model, out / "k_sweep.png", dpi))
    return written


def _save(plt: Any, fig: Any, path: Path, dpi: int) -> Path:
    fig.savefig(path, dpi=dpi, bbox_inches="tight", facecolor="white")
    plt.close(fig)
    return path


def _png_terms(plt: Any, model: MtopicsModel, path: Path, dpi: int) -> Path:
    from matplotlib import ticker

    k = len(model.topic_info)
    cols = min(3, max(k, 1))
    rows = math.ceil(k / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.4 * cols, 2.6 * rows), squeeze=False)
    for ax in axes.flat[k:]:
        ax.set_visible(False)
    for ax, info in zip(axes.flat, model.topic_info, strict=False):
        terms = _term_weights(model, int(info["id"]))
        names = [_short(t, 22) for t, _ in terms][::-1]
        values = [p for _, p in terms][::-1]
        ax.barh(names, values, color=_ACCENT, height=0.7)
        ax.set_title(_short(_topic_name(info), 42), fontsize=9, loc="left")
        ax.tick_params(axis="y", labelsize=8, length=0)
        ax.tick_params(axis="x", labelsize=7)
        ax.set_xlabel("p(w|k)", fontsize=8)
        ax.xaxis.set_major_locator(ticker.MaxNLocator(nbins=3))
    fig.tight_layout()
    return _save(plt, fig, path, dpi)


def _png_prevalence(plt: Any, model: MtopicsModel, path: Path, dpi: int) -> Path:
    names = [_short(_topic_name(t), 45) for t in model.topic_info][::-1]
    values = [100 * (_finite(t.get("prevalence")) or 0.0) for t in model.topic_info][::-1]
    fig, ax = plt.subplots(figsize=(6.5, 0.35 * len(names) + 0.9))
    bars = ax.barh(names, values, color=_ACCENT, height=0.65)
    ax.bar_label(bars, fmt="%.1f%%", padding=3, fontsize=8)
    ax.set_xlabel("share of corpus tokens (%)")
    ax.set_xlim(0, max(values, default=1) * 1.15 or 1)
    ax.tick_params(axis="y", length=0)
    fig.tight_layout()
    return _save(plt, fig, path, dpi)


def _png_stance(plt: Any, model: MtopicsModel, path: Path, dpi: int) -> Path:
    assert model.corpus is not None
    shares = model.corpus.stance_by_topic()
    assert shares is not None
    names = [_short(_topic_name(t), 45) for t in model.topic_info]
    fig, ax = plt.subplots(figsize=(7, 0.4 * len(names) + 1.2))
    y = np.arange(len(names))[::-1]
    left = np.zeros(len(names))
    clean = np.nan_to_num(shares, nan=0.0)
    for j, label in enumerate(STANCE_LABELS):
        ax.barh(y, 100 * clean[:, j], left=left, color=STANCE_COLOURS[j], height=0.65, label=label)
        for yi, lo, share in zip(y, left, clean[:, j], strict=True):
            if share >= 0.07:
                ink = "white" if j < 2 else "#222222"
                ax.text(lo + 50 * share, yi, f"{100 * share:.0f}%", ha="center", va="center", fontsize=7.5, color=ink)
        left += 100 * clean[:, j]
    ax.set_yticks(y, names)
    ax.set_xlim(0, 100)
    ax.set_xlabel("share of stance (%), articles weighted by topic tokens")
    ax.tick_params(axis="y", length=0)
    ax.legend(ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.22), frameon=False, fontsize=8)
    fig.tight_layout()
    return _save(plt, fig, path, dpi)


def _png_sweep(plt: Any, model: MtopicsModel, path: Path, dpi: int) -> Path:
    rows = _sweep(model)
    ks = [int(r["num_topics"]) for r in rows]
    fig, ax = plt.subplots(figsize=(5.5, 3.2))
    for key, colour, style in (("c_v", _ACCENT, "-"), ("stability", "#b8452f", "--")):
        pts = [(k, v) for k, r in zip(ks, rows, strict=True) if (v := _finite(r.get(key))) is not None]
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], style, marker="o", color=colour, label=key)
    for k, r in zip(ks, rows, strict=True):
        if r.get("chosen"):
            ax.axvspan(k - 0.3, k + 0.3, color="#fde9b8", zorder=0, label=f"chosen K = {k}")
    ax.set_xticks(ks)
    ax.set_xlabel("number of topics K")
    ax.set_ylabel("score")
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return _save(plt, fig, path, dpi)
