"""Tests of the topic report: HTML content, escaping, sections, PNG charts, CLI and a real browser."""

from __future__ import annotations

import copy
import html
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mtopics import (
    CorpusSummary,
    MtopicsModel,
    ReportDependencyError,
    ReportError,
    load_model,
    render_report,
    verify_version,
    write_report,
)
from mtopics._report import MAX_ARTICLES, _date_groups, _date_key, _source_groups, default_report_name
from mtopics.cli import main

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="session")
def old_version(repo_root: Path) -> Path:
    """The committed version saved by mtopics 0.1: no corpus summary, no K sweep."""
    return repo_root / "tests" / "fixtures" / "format-1" / "metoo_pk" / "v1"


@pytest.fixture
def old_model(old_version: Path) -> MtopicsModel:
    return load_model(old_version)


def _corpus(num_topics: int, n: int, seed: int = 0) -> CorpusSummary:
    """A made-up corpus summary: Dirichlet mixtures, stance for all but the last article."""
    rng = np.random.default_rng(seed)
    theta = rng.dirichlet(np.full(num_topics, 0.4), n)
    tokens = rng.integers(40, 900, n).astype(np.float64)
    stance = rng.dirichlet([2.0, 1.0, 1.5], n)
    stance[-1] = np.nan  # an article with nothing to classify
    return CorpusSummary([f"article-{i:05d}.txt" for i in range(n)], theta, tokens, stance)


SWEEP = [
    {"num_topics": 4, "c_v": 0.41, "npmi": -0.2, "u_mass": -4.2, "diversity": 0.8, "stability": 0.83},
    {"num_topics": 6, "c_v": 0.47, "npmi": -0.1, "u_mass": -4.6, "diversity": 0.7, "stability": 0.74},
    {"num_topics": 8, "c_v": 0.44, "npmi": -0.1, "u_mass": -4.9, "diversity": 0.6, "stability": None},
]


def _enrich(model: MtopicsModel, n: int = 9) -> MtopicsModel:
    """Give a model the data of mtopics 0.2 versions: per-article topics and stance, stability, a K sweep."""
    model.corpus = _corpus(len(model.topic_info), n)
    topics = model.manifest.setdefault("metrics", {}).setdefault("topics", {})
    topics["stability"] = 0.7431
    topics["restarts"] = 3
    topics["selection"] = "highest c_v among K with stability >= 0.7"
    topics["sweep"] = [{**row, "chosen": row["num_topics"] == 6} for row in SWEEP]
    return model


@pytest.fixture
def rich_model(trained_version: Path) -> MtopicsModel:
    return _enrich(load_model(trained_version))


def _body_text(page: str) -> str:
    return re.sub(r"<[^>]+>", " ", page)


# -- content ------------------------------------------------------------------------------------
def test_every_topic_label_terms_and_passages_are_in_the_report(old_model: MtopicsModel) -> None:
    page = render_report(old_model)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert len(old_model.topic_info) == 6
    for topic in old_model.topic_info:
        assert html.escape(topic["label"]) in page
        assert f'id="topic-{topic["id"]}"' in page
        for term in topic["terms"][:10]:
            assert f">{html.escape(term)}</text>" in page  # a bar label of the term chart
        for passage in topic["typical_passages"][:3]:
            assert html.escape(passage["text"]) in page
    # header: experiment, version, created, mtopics version, corpus size
    text = _body_text(page)
    for expected in ("metoo_pk", "v1", old_model.manifest["created"], "0.1.0", "5 articles, 62 passages"):
        assert expected in text


def test_term_bars_are_drawn_to_the_topic_word_probability(old_model: MtopicsModel) -> None:
    page = render_report(old_model)
    card = page[page.index('id="topic-3"') : page.index('id="topic-4"')]
    widths = [float(w) for w in re.findall(r'<rect x="\d+" y="\d+" width="([\d.]+)"', card)]
    lda = old_model.lda
    probs = [lda.topic_word_[3, lda.terms_.index(t.replace(" ", "_"))] for t in old_model.topic_info[3]["terms"]]
    assert len(widths) == 10
    assert np.allclose(np.array(widths) / widths[0], np.array(probs) / probs[0], atol=0.01)


def test_no_network_resources(rich_model: MtopicsModel) -> None:
    page = render_report(rich_model)
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.IGNORECASE)
    assert not re.search(r"url\(\s*['\"]?\s*(?:https?:)?//|@import", page, re.IGNORECASE)
    assert "<script" not in page.lower() and "<link" not in page.lower() and "<img" not in page.lower()
    # the only URL is the SVG namespace name, which no browser fetches
    assert set(re.findall(r"https?://[^\s\"'<>)]+", page)) == {"http://www.w3.org/2000/svg"}


def test_corpus_text_and_labels_are_escaped(old_model: MtopicsModel) -> None:
    model = copy.deepcopy(old_model)
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    model.topic_info[0]["label"] = evil
    model.topic_info[1]["typical_passages"][0]["text"] = "quote: " + evil + " & more"
    model.topic_info[1]["typical_passages"][0]["passage"] = '"><b>id</b>'
    model.manifest["experiment"] = "<i>exp</i>"
    model.corpus = CorpusSummary(
        ["<script>id</script>", "b"], np.full((2, 6), 1 / 6), np.array([10.0, 20.0]), np.full((2, 3), 1 / 3)
    )
    page = render_report(model)
    low = page.lower()
    assert "<script" not in low and "<img" not in low and "<b>id" not in low and "<i>exp" not in low
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert "quote: &lt;script&gt;" in page and "&amp; more" in page
    assert "&lt;script&gt;id&lt;/script&gt;" in page


def test_old_version_sections_are_omitted_with_a_note(old_model: MtopicsModel) -> None:
    assert old_model.corpus is None and "sweep" not in old_model.manifest["metrics"]["topics"]
    page = render_report(old_model)
    for section in ("metrics", "sweep", "prevalence", "topics", "articles", "stance"):
        assert f'<section id="{section}">' in page
    assert "No K sweep in this version" in page
    assert "No per-article topic data in this version" in page
    assert "No per-article stance data in this version" in page
    assert 'class="heat"' not in page and "stance-seg" not in page and "<polyline" not in page
    assert "not measured when this version was trained" in page  # stability absent from old manifests
    assert ">61</td>" in page and ">5</td>" in page  # stance metrics with the examples they rest on


def test_sections_with_corpus_stance_and_sweep(rich_model: MtopicsModel) -> None:
    page = render_report(rich_model)
    assert "No K sweep" not in page and "No per-article" not in page
    assert "Selection rule: highest c_v among K with stability &gt;= 0.7" in page
    chosen = re.findall(r"<tr class=chosen>(.*?)</tr>", page)
    assert len(chosen) == 1 and chosen[0].startswith("<td class=n>6</td>")
    assert page.count("<polyline") == 2  # c_v and stability
    assert ">0.743<" in page  # stability of the model in the metrics table
    heat = page[page.index('class="heat"') :]
    assert heat.count('<td class="id">article-') == 9
    assert "All 9 articles." in page
    assert "8 classified articles" in page and "1 more had nothing to classify" in page


def test_a_single_k_sweep_has_a_table_but_no_chart(old_model: MtopicsModel, tmp_path: Path) -> None:
    topics = old_model.manifest["metrics"]["topics"]
    topics["sweep"] = [{**SWEEP[1], "score": 0.6, "chosen": True}]
    topics["selection"] = "highest mean of c_v and stability"
    page = render_report(old_model)
    assert "Only one number of topics was tried" in page and "<polyline" not in page
    assert re.findall(r"<tr class=chosen>(.*?)</tr>", page)[0].startswith("<td class=n>6</td><td class=n>0.470</td>")
    assert "<th class=n>score</th>" in page
    pytest.importorskip("matplotlib")
    written = write_report(old_model, tmp_path / "r.html", png_dir=tmp_path)
    assert "k_sweep.png" not in [p.name for p in written]


def test_report_of_a_freshly_trained_version(trained_version: Path) -> None:
    model = load_model(trained_version)
    page = render_report(model)
    for topic in model.topic_info:
        assert html.escape(topic["label"]) in page
    assert model.corpus is not None  # a version of mtopics >= 0.2 keeps per-article data
    # the chosen K of the sweep is marked
    assert re.search(rf"<td class=n>{model.lda.num_topics}</td>(<td class=n>[^<]*</td>)+<td>chosen</td>", page)
    article_rows = re.findall(r'<td class="id">(?!<b>)', page)  # the two summary rows are bold
    assert len(article_rows) == min(len(model.corpus.ids), MAX_ARTICLES)
    shares = model.corpus.stance_by_topic()
    if shares is not None:
        found = [float(x) for x in re.findall(r'data-share="([\d.]+)"', page)]
        assert np.allclose(found, shares[np.isfinite(shares).all(axis=1)].ravel(), atol=1e-6)
    # the passage row of the stance table carries the calibration of the held-out probabilities
    calibration = model.manifest["metrics"]["stance"]["calibration"]
    assert "<th>Brier</th>" in page or ">Brier<" in page
    assert f"{calibration['brier']:.3f}" in page and f"{calibration['ece']:.3f}" in page


def test_stance_bars_match_stance_by_topic(rich_model: MtopicsModel) -> None:
    page = render_report(rich_model)
    assert rich_model.corpus is not None
    expected = rich_model.corpus.stance_by_topic()
    assert expected is not None
    found = np.full(expected.shape, np.nan)
    segments = re.findall(r'data-topic="(\d+)" data-stance="(\w+)" data-share="([\d.]+)"[^>]*width="([\d.]+)"', page)
    labels = ["favor", "against", "none"]
    for topic, stance, share, _ in segments:
        found[int(topic), labels.index(stance)] = float(share)
    assert np.allclose(found, expected, atol=1e-6)
    # the drawn widths are proportional to the shares, and each bar has full length
    widths = np.array([float(w) for *_, w in segments]).reshape(expected.shape)
    assert np.allclose(widths / widths.sum(axis=1, keepdims=True), expected, atol=0.002)
    for k in range(expected.shape[0]):
        assert f"{100 * expected[k, 0]:.0f}%" in page or expected[k, 0] < 0.05


def test_many_articles_are_capped(old_model: MtopicsModel) -> None:
    old_model.corpus = _corpus(6, 12_000)
    page = render_report(old_model)
    rows = page.count('<td class="id">article-')
    assert 6 <= rows <= MAX_ARTICLES
    assert f"{rows} of 12000 articles are shown" in page
    counts = re.search(r"main topic of \(articles\)</b></td>(.*?)</tr>", page)
    assert counts is not None
    assert sum(int(c) for c in re.findall(r"<b>(\d+)</b>", counts.group(1))) == 12_000
    assert len(page.encode()) < 300_000


def test_default_report_name(old_model: MtopicsModel) -> None:
    assert default_report_name(old_model) == "metoo_pk-v1-report.html"


# -- files and PNG charts -----------------------------------------------------------------------
def _check_png(path: Path) -> None:
    import matplotlib.image

    assert path.read_bytes()[:8] == PNG_SIGNATURE
    image = matplotlib.image.imread(path)
    colours = np.unique(image.reshape(-1, image.shape[-1]), axis=0)
    assert len(colours) > 10, f"{path.name} looks blank"
    assert image.shape[0] > 300 and image.shape[1] > 500


def test_write_report_with_png_charts(rich_model: MtopicsModel, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    written = write_report(rich_model, tmp_path / "out" / "report.html", png_dir=tmp_path / "png", dpi=150)
    assert written[0] == tmp_path / "out" / "report.html"
    assert written[0].read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    names = sorted(p.name for p in written[1:])
    assert names == ["k_sweep.png", "stance_by_topic.png", "topic_prevalence.png", "topic_terms.png"]
    for path in written[1:]:
        _check_png(path)


def test_png_charts_of_an_old_version(old_model: MtopicsModel, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    written = write_report(old_model, tmp_path / "r.html", png_dir=tmp_path / "png")
    assert [p.name for p in written] == ["r.html", "topic_terms.png", "topic_prevalence.png"]
    for path in written[1:]:
        _check_png(path)


def test_png_without_matplotlib_fails_clearly(
    old_model: MtopicsModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now raises ImportError
    with pytest.raises(ReportDependencyError, match=r'pip install "mtopics\[report\]"'):
        write_report(old_model, tmp_path / "r.html", png_dir=tmp_path / "png")
    assert not (tmp_path / "r.html").exists()  # failed before writing anything
    assert write_report(old_model, tmp_path / "r.html") == [tmp_path / "r.html"]  # HTML needs no matplotlib


def test_never_writes_inside_the_model_version(old_version: Path, tmp_path: Path) -> None:
    copy_ = tmp_path / "metoo_pk" / "v1"
    shutil.copytree(old_version, copy_)
    model = load_model(copy_)
    with pytest.raises(ReportError, match="inside the model version"):
        write_report(model, copy_ / "report.html")
    with pytest.raises(ReportError, match="inside the model version"):
        write_report(model, tmp_path / "r.html", png_dir=copy_ / "charts")
    verify_version(copy_)  # still intact: nothing was added


# -- command line -------------------------------------------------------------------------------
def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_report(capsys: pytest.CaptureFixture[str], old_version: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "report.html"
    code, out, err = _run(capsys, "report", str(old_version), "-o", str(out_file))
    assert code == 0 and err == ""
    assert out.strip() == str(out_file)
    assert "suicide / case / allegedly" in out_file.read_text(encoding="utf-8")


def test_cli_report_default_name_and_latest(
    capsys: pytest.CaptureFixture[str], old_version: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "models"
    shutil.copytree(old_version, store / "metoo_pk" / "v1")
    monkeypatch.chdir(tmp_path)
    code, out, _ = _run(capsys, "report", str(store / "metoo_pk" / "latest"))
    assert code == 0 and out.strip() == "metoo_pk-v1-report.html"
    assert (tmp_path / "metoo_pk-v1-report.html").is_file()
    verify_version(store / "metoo_pk" / "v1")


def test_cli_report_png(capsys: pytest.CaptureFixture[str], old_version: Path, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    code, out, _ = _run(capsys, "report", str(old_version), "-o", str(tmp_path / "r.html"), "--png", str(tmp_path))
    assert code == 0
    paths = [Path(line) for line in out.splitlines()]
    assert paths[0] == tmp_path / "r.html" and len(paths) == 3
    for path in paths[1:]:
        _check_png(path)


def test_cli_report_errors(
    capsys: pytest.CaptureFixture[str], old_version: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "nothing" / "v3"
    code, out, err = _run(capsys, "report", str(missing), "-o", str(tmp_path / "r.html"))
    assert code == 2 and out == ""
    assert err == f"mtopics: error: {missing}: no such model version\n"
    copy_ = tmp_path / "m" / "v1"
    shutil.copytree(old_version, copy_)
    code, _, err = _run(capsys, "report", str(copy_), "-o", str(copy_ / "r.html"))
    assert code == 2 and "inside the model version" in err and len(err.strip().splitlines()) == 1
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    code, _, err = _run(capsys, "report", str(old_version), "-o", str(tmp_path / "r.html"), "--png", str(tmp_path))
    assert code == 1
    assert err.strip().splitlines() == [
        'mtopics: error: PNG charts need matplotlib, which is not installed: pip install "mtopics[report]"'
    ]


# -- a real browser -----------------------------------------------------------------------------
def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("chromium")
    assert exe is not None
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
    ]
    return subprocess.run([exe, *flags, *args], capture_output=True, text=True, timeout=180, check=False)


def test_report_renders_in_a_real_browser(rich_model: MtopicsModel, tmp_path: Path) -> None:
    if shutil.which("chromium") is None:
        pytest.skip("chromium is not installed (apt-get install chromium): no real-browser check")
    report = write_report(rich_model, tmp_path / "report.html")[0]
    url = report.resolve().as_uri()
    dom = _chromium("--dump-dom", url, profile=tmp_path / "profile-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    for topic in rich_model.topic_info:
        assert html.escape(topic["label"], quote=False) in dom.stdout
    assert dom.stdout.count('class="stance-seg"') == 3 * len(rich_model.topic_info)
    shot = tmp_path / "shot.png"
    run = _chromium("--window-size=1280,2000", f"--screenshot={shot}", url, profile=tmp_path / "profile-shot")
    assert run.returncode == 0 and shot.is_file(), run.stderr[-2000:]
    data: Any = shot.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    pytest.importorskip("matplotlib")
    import matplotlib.image

    image = matplotlib.image.imread(shot)
    assert image.shape[:2] == (2000, 1280)
    assert len(np.unique(image.reshape(-1, image.shape[-1]), axis=0)) > 50  # text and charts, not a blank page


def test_seeded_topics_say_what_they_were_seeded_with(old_model: MtopicsModel) -> None:
    old_model.lda.seed_topics = {"the courts": ["court", "case hearing"]}  # a fresh load per test
    html = render_report(old_model)
    cards = html.split('<article class="card"')[1:]
    assert "<b>Seeded with:</b> court, case hearing" in cards[0]
    assert all("Seeded with" not in card for card in cards[1:])


def test_cards_say_which_articles_a_topic_comes_from(old_model: MtopicsModel) -> None:
    # a version of mtopics < 0.3.1 has no source articles: no line
    assert "Tokens mostly from" not in render_report(old_model)
    old_model.manifest["metrics"]["topics"]["documents"] = 5
    old_model.topic_info[0]["articles"] = [{"id": "a<1>.txt", "share": 0.93}, {"id": "b.txt", "share": 0.07}]
    old_model.topic_info[1]["articles"] = [{"id": "b.txt", "share": 0.55}, {"id": "c.txt", "share": 0.45}]
    cards = render_report(old_model).split('<article class="card"')[1:]
    assert "<b>Tokens mostly from:</b> a&lt;1&gt;.txt (93%), b.txt (7%)" in cards[0]
    assert "most of this topic is one article" in cards[0]
    assert "<b>Tokens mostly from:</b> b.txt (55%), c.txt (45%)</p>" in cards[1]
    # with two articles every topic is mostly one of them: no flag
    old_model.manifest["metrics"]["topics"]["documents"] = 2
    assert "most of this topic is one article" not in render_report(old_model)


# -- titles, dates and sources ------------------------------------------------------------------
#: Six articles: 0 and 1 mostly topic 0, 2 mostly topic 1, 3 topic 2, 4 topic 3, 5 topic 4.
META_THETA = np.eye(6)[[0, 0, 1, 2, 3, 4]] * 0.7 + 0.05
META_TOKENS = np.array([100.0, 300.0, 50.0, 80.0, 10.0, 20.0])
#: favor, favor, against, none, favor, nothing to classify
META_STANCE = np.array(
    [[0.71, 0.2, 0.09], [0.6, 0.3, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8], [0.5, 0.2, 0.3], [np.nan] * 3]
)
META_DATES: list[str | None] = ["2018-10-14", "2018-10-02", "2018-10", "2018-11-01", None, "junk"]


def _with_meta(
    model: MtopicsModel, meta: dict[str, list[str | None]], stance: np.ndarray | None = META_STANCE
) -> MtopicsModel:
    n = len(next(iter(meta.values()))) if meta else len(META_TOKENS)
    if n == len(META_TOKENS):
        theta, tokens = META_THETA, META_TOKENS
    else:  # any other size: every article mostly topic 0
        theta, tokens = np.tile(META_THETA[0], (n, 1)), np.full(n, 50.0)
    model.corpus = CorpusSummary([f"a{i}" for i in range(n)], theta, tokens, stance, meta=meta)
    return model


def _group_table(page: str, heading: str) -> tuple[list[str], list[tuple[str, dict[str, str]]]]:
    """The header and the rows (group name, cell by column) of a table of the by-date/by-source section."""
    section = page[page.index('<section id="by-meta">') :]
    part = section[section.index(f"<h3>{heading}</h3>") :]
    table = part[: part.index("</table>")]
    head = re.findall(r"<th(?: [^>]*)?>(.*?)</th>", table)
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1]):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
        rows.append((cells[0], dict(zip(head[1:], cells[1:], strict=True))))
    return head, rows


def _article_row(page: str, article: str) -> str:
    found = re.search(rf'<tr><td class="id">{re.escape(article)}</td>(.*?)</tr>', page)
    assert found is not None, article
    return found.group(1)


def test_stance_and_topics_by_month(old_model: MtopicsModel) -> None:
    page = render_report(_with_meta(old_model, {"date": META_DATES}))
    assert page.index('<section id="stance">') < page.index('<section id="by-meta">') < page.index("<footer>")
    assert "<h2>Stance and topics by date and by source</h2>" in page and '<a href="#by-meta">' in page
    assert "<h3>By source</h3>" not in page  # no sources in this corpus
    head, rows = _group_table(page, "By date")
    assert head == ["month", "articles", "favor", "against", "none", "unclassified", "top 3 topics"]
    assert [name for name, _ in rows] == ["2018-10", "2018-11", "no date"]
    october, november, undated = (cells for _, cells in rows)
    assert (october["articles"], october["favor"], october["against"], october["none"]) == ("3", "2", "1", "0")
    assert october["unclassified"] == "0"
    assert (november["articles"], november["none"], november["favor"]) == ("1", "1", "0")
    # the missing and the unparseable date are counted, not dropped; one of them had nothing to classify
    assert (undated["articles"], undated["favor"], undated["unclassified"]) == ("2", "1", "1")
    # top topics weighted by tokens: (100 * .75 + 300 * .75 + 50 * .05) / 450 = 67% (unweighted it would be 52%)
    names = [f"#{t['id']} {html.escape(t['label'])}" for t in old_model.topic_info]
    assert october["top 3 topics"].startswith(f"{names[0]} 67% \u00b7 {names[1]} 13% \u00b7 ")
    assert november["top 3 topics"].startswith(f"{names[2]} 75% \u00b7 ")
    assert len(october["top 3 topics"].split(" \u00b7 ")) == 3
    text = _body_text(page)
    assert "All 6 articles, grouped by the month of their date" in text
    assert "2 articles without a usable date are in the row \u201cno date\u201d" in text


def test_dates_over_many_months_or_only_years_are_grouped_by_year(old_model: MtopicsModel) -> None:
    dates: list[str | None] = ["2015-03-01", "2019-06-30", "2019", "2015-12", None, " "]
    head, rows = _group_table(render_report(_with_meta(old_model, {"date": dates})), "By date")
    assert head[0] == "year"
    assert [(name, cells["articles"]) for name, cells in rows] == [("2015", "2"), ("2019", "2"), ("no date", "2")]
    page = render_report(_with_meta(old_model, {"date": ["2018", "2017", "2018", "2018", "x", None]}))
    assert "grouped by the year of their date (the dates give no months)" in page
    assert [(n, c["articles"]) for n, c in _group_table(page, "By date")[1]] == [
        ("2017", "1"),
        ("2018", "3"),
        ("no date", "2"),
    ]
    # 36 months are still shown by month, 37 by year
    assert _date_groups(["2016-01-05", "2018-12-31"])[0] == "month"
    assert _date_groups(["2016-01-05", "2019-01-01"]) == ("year", [("2016", [0]), ("2019", [1])])


def test_date_keys() -> None:
    assert [_date_key(v) for v in ("2018-10-14", "2018-10", "2018", "2018-10-14T08:00", "2018-00-01")] == [
        "2018-10",
        "2018-10",
        "2018",
        "2018-10",
        "2018",
    ]
    assert [_date_key(v) for v in (None, "", "junk", "14/10/2018", "20181014", "Oct 2018")] == [""] * 6


def test_sources_largest_fifteen_then_other_and_missing(old_model: MtopicsModel) -> None:
    sources: list[str | None] = ["S00"] * 3 + ["S01"] * 2 + [f"S{j:02d}" for j in range(16, 1, -1)] + [None, ""]
    page = render_report(_with_meta(old_model, {"source": sources}, stance=None))
    assert "<h3>By date</h3>" not in page
    head, rows = _group_table(page, "By source")
    assert head == ["source", "articles", "top 3 topics"]  # no stance model: no stance columns
    expected = [("S00", "3"), ("S01", "2"), *((f"S{j:02d}", "1") for j in range(2, 15))]
    assert [(name, cells["articles"]) for name, cells in rows] == [
        *expected,
        ("other sources", "2"),
        ("no source", "2"),
    ]
    text = _body_text(page)
    assert "All 22 articles, grouped by source (the 15 largest of 17 sources)" in text
    assert "2 articles of the 2 smaller sources are in the row \u201cother sources\u201d" in text
    assert "2 articles without a source are in the row \u201cno source\u201d" in text
    assert _source_groups(["b", "a", "b", None, "c"], top=2) == [
        ("b", [0, 2]),
        ("a", [1]),
        ("other sources", [4]),
        ("no source", [3]),
    ]


def test_article_table_shows_title_date_source_and_stance(old_model: MtopicsModel) -> None:
    long_title = "A long title about the movement " * 4
    titles: list[str | None] = ['<b>Big</b> & "quoted"', long_title, None, "c", "d", "e"]
    sources: list[str | None] = ["<i>Dawn</i>", "Geo", "Geo", None, "BBC", "Geo"]
    page = render_report(_with_meta(old_model, {"title": titles, "date": META_DATES, "source": sources}))
    assert "<th>article</th><th>title</th><th>date</th><th>source</th>" in page and "<th>stance</th>" in page
    first = _article_row(page, "a0")
    assert "&lt;b&gt;Big&lt;/b&gt; &amp; &quot;quoted&quot;" in first and ">2018-10-14<" in first
    assert ">&lt;i&gt;Dawn&lt;/i&gt;<" in first
    assert "<b>Big" not in page and "<i>Dawn" not in page
    assert first.endswith(">favor 0.71</td>")
    assert _article_row(page, "a2").endswith(">against 0.80</td>")
    assert _article_row(page, "a5").endswith(">\u2013</td>")  # nothing to classify
    second = _article_row(page, "a1")
    assert f'title="{long_title.strip()}"' in second  # the full title as a tooltip
    shown = re.findall(r'<td class="m" title="[^"]*">([^<]*)</td>', second)[0]
    assert shown.endswith("\u2026") and len(shown) <= 60 and long_title.startswith(shown[:-1])
    # the summary rows still line up with the topic columns
    assert '<td></td><td></td><td></td><td class="h"><b>' in page
    # and the by-source table escapes the source name too
    assert [name for name, _ in _group_table(page, "By source")[1]] == [
        "Geo",
        "&lt;i&gt;Dawn&lt;/i&gt;",
        "BBC",
        "no source",
    ]


def test_no_dates_or_sources_no_section(old_model: MtopicsModel) -> None:
    with_stance = copy.deepcopy(old_model)
    with_stance.corpus = _corpus(6, 9)  # meta == {}, as in versions saved before titles, dates and sources
    for model in (_with_meta(copy.deepcopy(old_model), {}), with_stance):
        page = render_report(model)
        assert 'id="by-meta"' not in page and "Stance and topics by date" not in page
        assert "<th>title</th>" not in page and "<th>date</th>" not in page
        assert "<th>stance</th>" in page  # the stance column comes with a stance model, not with meta
    page = render_report(_with_meta(old_model, {"title": ["t"] * 6}, stance=None))
    assert 'id="by-meta"' not in page and 'href="#by-meta"' not in page  # titles alone make no section
    assert "<th>title</th>" in page and "<th>stance</th>" not in page
    assert 'id="by-meta"' not in render_report(load_model(old_model.path))  # corpus None (mtopics < 0.2)
