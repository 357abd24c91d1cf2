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
from mtopics._report import MAX_ARTICLES, default_report_name
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
