"""Tests of mtopics.cli: every sub-command called through main(argv)."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest

from mtopics import load_model
from mtopics.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_run_prints_the_version_path_last(capsys, repo_root: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cfg = str(repo_root / "experiments" / "metoo_pk.toml")
    code, out, err = run(
        capsys, "run", cfg, "--models-dir", str(tmp_path), "--set", "lda.passes=2", "--set", "stance.enabled=false"
    )
    assert code == 0
    assert out.strip().splitlines()[-1] == str(tmp_path / "metoo_pk" / "v1")
    assert "LDA training done" in err  # progress on standard error
    manifest = json.loads((tmp_path / "metoo_pk" / "v1" / "manifest.json").read_text())
    assert manifest["config"]["lda"]["passes"] == 2
    assert manifest["config"]["stance"]["enabled"] is False


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            '[experiment]\nname = "x"\n[corpus]\npath = "d"\n[lda]\nnum_topic = 5\n',
            "`[lda].num_topic` in {p} is not a known key; did you mean `num_topics`?",
        ),
        (
            '[experiment]\nname = "x"\n[corpus]\npath = "d"\n[lda]\npasses = "many"\n',
            '`[lda].passes` in {p} must be an int in [1, 1000]; got "many"',
        ),
    ],
)
def test_config_errors_are_one_line_and_exit_2(capsys, tmp_path: Path, toml: str, message: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "exp.toml"
    path.write_text(toml)
    code, out, err = run(capsys, "run", str(path), "--models-dir", str(tmp_path))
    assert code == 2
    assert err.startswith("mtopics: error: " + message.format(p=path))
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert out == ""


def test_check_validates_without_training(capsys, repo_root: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cfg = str(repo_root / "experiments" / "metoo_pk.toml")
    code, out, _ = run(capsys, "run", cfg, "--check", "--models-dir", str(tmp_path))
    assert code == 0 and out.strip().endswith(
        ": ok; 5 documents; 1912 labelled stance examples in 11 sources (61 evaluated); 5 labelled articles"
    )
    assert not any(tmp_path.iterdir())


def test_score_jsonl_and_table(capsys, trained_version: Path, seed_dir: Path, repo_root: Path) -> None:  # type: ignore[no-untyped-def]
    sample = repo_root / "data" / "samples" / "hearing_adjourned.txt"
    seed = sorted(seed_dir.glob("*.txt"))[0]
    code, out, _ = run(capsys, "score", "--model", str(trained_version.parent / "latest"), str(seed), str(sample))
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in records] == [seed.name, sample.name]
    for r in records:
        assert r["stance"]["label"] in ("favor", "against", "none")
        assert r["topics"][0]["weight"] >= r["topics"][-1]["weight"]
    code, out, _ = run(capsys, "score", "--model", str(trained_version), "--format", "table", str(sample))
    assert code == 0
    assert out.startswith(f"{sample.name}  (") and "stance" in out and "topics" in out and "evidence" in out


def test_score_csv_one_row_per_article(capsys, trained_version: Path, seed_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]

    k = load_model(trained_version).lda.num_topics
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_text("  ")
    seeds = sorted(seed_dir.glob("*.txt"))
    code, out, _ = run(capsys, "score", "--model", str(trained_version), "--format", "csv", str(seed_dir), str(folder))
    assert code == 0
    reader = csv.DictReader(io.StringIO(out))
    labels = [t["label"] for t in load_model(trained_version).topic_info]
    topic_columns = [f"topic_{i}: {labels[i]}" for i in range(k)]
    assert reader.fieldnames == [
        "id",
        "title",
        "date",
        "source",
        "stance",
        "p_favor",
        "p_against",
        "p_none",
        "passages",
        "tokens",
        "warnings",
        *topic_columns,
    ]
    rows = {row["id"]: row for row in reader}
    assert list(rows) == [p.name for p in seeds] + ["empty.txt"]
    for seed in seeds:
        row = rows[seed.name]
        assert row["stance"] in ("favor", "against", "none")
        assert abs(sum(float(row[f"p_{s}"]) for s in ("favor", "against", "none")) - 1) < 1e-3
        assert abs(sum(float(row[c]) for c in topic_columns) - 1) < 1e-3
        assert int(row["tokens"]) > 0 and int(row["passages"]) > 0
    empty = rows["empty.txt"]
    assert empty["stance"] == "" and empty["p_favor"] == "" and empty["p_none"] == ""
    assert all(empty[c] == "" for c in topic_columns)
    assert "empty input skipped" in empty["warnings"]
    assert empty["tokens"] == "0"


def test_score_carries_title_date_and_source_of_jsonl_records(capsys, trained_version: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = "Lawyers for both sides argued the harassment case in court on Monday. " * 5
    data = tmp_path / "news.jsonl"
    records = [
        {"id": "n1", "text": text, "title": "Case heard", "date": "2019-03-08", "source": "Dawn"},
        {"text": text},
    ]
    data.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "score", "--model", str(trained_version), str(data))
    first, second = (json.loads(line) for line in out.splitlines())
    assert code == 0 and (first["title"], first["date"], first["source"]) == ("Case heard", "2019-03-08", "Dawn")
    assert "date" not in second
    code, out, _ = run(capsys, "score", "--model", str(trained_version), "--format", "csv", str(data))
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["id"], r["title"], r["date"], r["source"]) for r in rows] == [
        ("n1", "Case heard", "2019-03-08", "Dawn"),
        (second["id"], "", "", ""),
    ]


def test_score_folder_keeps_bad_files_visible(capsys, trained_version: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("The court adjourned the harassment hearing. " * 10)
    (folder / "b.txt").write_bytes(b"\x00\x01binary")
    (folder / "c.txt").write_bytes(b"Survivors spoke out about harassment at work. " * 8 + b"\xff")
    code, out, _ = run(capsys, "score", "--model", str(trained_version), str(folder))
    assert code == 0
    records = {r["id"]: r for r in map(json.loads, out.splitlines())}
    assert set(records) == {"a.txt", "b.txt", "c.txt"}
    assert records["b.txt"]["stance"] is None and "binary file skipped" in records["b.txt"]["warnings"][0]
    assert any("not valid UTF-8" in w for w in records["c.txt"]["warnings"])


def test_score_shows_progress_on_a_terminal_only(capsys, monkeypatch, trained_version: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from mtopics.cli import score

    lines = tmp_path / "many.txt"
    lines.write_text("The court adjourned the harassment hearing until next month.\n" * 5)
    monkeypatch.setattr(score, "PROGRESS_EVERY", 2)
    code, out, err = run(capsys, "score", "--model", str(trained_version), "--input-format", "lines", str(lines))
    assert code == 0 and len(out.splitlines()) == 5 and "scored 2 articles" not in err  # not a terminal: no progress
    # but the run always ends with the tally per stance (on standard error)
    assert "scored 5 articles: favor 0, against 0, none 5; 5 with warnings" in err
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, out, err = run(capsys, "score", "--model", str(trained_version), "--input-format", "lines", str(lines))
    assert code == 0 and len(out.splitlines()) == 5  # standard output stays clean
    assert "scored 2 articles" in err and "scored 4 articles" in err and err.endswith("\n")
    code, _, err = run(capsys, "-q", "score", "--model", str(trained_version), "--input-format", "lines", str(lines))
    assert "scored" not in err


def test_score_stdin(capsys, monkeypatch, trained_version: Path) -> None:  # type: ignore[no-untyped-def]
    data = io.TextIOWrapper(io.BytesIO(b"Lawyers for both sides argued the defamation case in court. " * 6))
    monkeypatch.setattr(sys, "stdin", data)
    code, out, _ = run(capsys, "score", "--model", str(trained_version), "-")
    assert code == 0 and json.loads(out)["id"] == "-"


def test_score_errors(capsys, trained_version: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run(capsys, "score", "--model", str(tmp_path / "none" / "latest"), "x.txt")
    assert code == 2 and "no model version" in err
    code, _, err = run(capsys, "score", "--model", str(trained_version), str(tmp_path / "absent.txt"))
    assert code == 2 and "absent.txt: no such file or folder" in err
    # a missing input after a good one: an error before anything is scored, in every format
    good = tmp_path / "good.txt"
    good.write_text("Lawyers for both sides argued the defamation case in court. " * 6, encoding="utf-8")
    for fmt in ("jsonl", "csv"):
        args = ("score", "--model", str(trained_version), "--format", fmt, str(good), str(tmp_path / "absent.txt"))
        code, out, err = run(capsys, *args)
        assert code == 2 and out == "" and "absent.txt: no such file or folder" in err


def test_models_list_latest_verify(capsys, trained_version: Path) -> None:  # type: ignore[no-untyped-def]
    root = trained_version.parent.parent
    code, out, _ = run(capsys, "models", "list", "--models-dir", str(root))
    assert code == 0
    header, row = out.splitlines()[:2]
    assert header.split()[:5] == ["experiment", "version", "created", "K", "c_v"]
    assert row.split()[:3] == ["metoo_pk", "v1", "(latest)"]
    code, out, _ = run(capsys, "models", "latest", "metoo_pk", "--models-dir", str(root))
    assert out.strip() == str(trained_version)
    code, out, _ = run(capsys, "models", "verify", str(trained_version))
    assert code == 0 and out.strip().endswith("format 4)")
    code, _, err = run(capsys, "models", "latest", "nothing", "--models-dir", str(root))
    assert code == 2 and "no model version" in err


def test_models_verify_reports_a_changed_file(capsys, version_copy: Path) -> None:  # type: ignore[no-untyped-def]
    target = version_copy / "topics.json"
    target.write_text(target.read_text().replace("a", "b", 1))
    code, _, err = run(capsys, "models", "verify", str(version_copy))
    assert code == 1 and "topics.json: changed since the version was written" in err


def test_evaluate(capsys, trained_version: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "gold.csv"
    data.write_text(
        'text,label\n"The hearing was adjourned to next month.",none\n'
        '"We stand with the brave survivors who spoke out.",favor\n'
        '"These false allegations are a foreign agenda to defame good men.",against\n'
        '"Type to search",favor\n'
    )
    code, out, _ = run(capsys, "evaluate", "--model", str(trained_version), str(data), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["n"] == 4 and sum(map(sum, report["confusion"]["matrix"])) == 4
    assert report["calibration"]["n"] == 2 and 0 <= report["calibration"]["brier"] <= 2
    code, out, _ = run(capsys, "evaluate", "--model", str(trained_version), str(data))
    assert "macro-F1" in out and "confusion" in out
    # the same file saved as UTF-16 with a named encoding gives the same figures; a bad name stops first
    wide = tmp_path / "gold16.csv"
    wide.write_bytes(data.read_text().encode("utf-16-le"))
    code, again, _ = run(
        capsys, "evaluate", "--model", str(trained_version), str(wide), "--json", "--encoding", "utf-16-le"
    )
    assert code == 0 and json.loads(again) == report
    code, _, err = run(capsys, "evaluate", "--model", str(trained_version), str(data), "--encoding", "utf-9")
    assert code == 2 and "unknown encoding 'utf-9'" in err
    assert f"Brier {report['calibration']['brier']:.3f}" in out and "ECE" in out
    # the adjourned hearing names no target term: counted, and said, as scored none by them; the
    # page furniture has no words left: counted apart (score gives it no stance)
    assert report["off_target"] == 1 and "off target: 1 of 4 use none of the model's target terms" in out
    assert report["empty"] == 1 and "empty: 1 of 4 have no words left after cleaning (scored none)" in out
    assert "probabilities (the 2 the classifier scored): Brier" in out
    bad = tmp_path / "bad.csv"
    bad.write_text("text,label\nhello,maybe\n")
    code, _, err = run(capsys, "evaluate", "--model", str(trained_version), str(bad))
    assert code == 2 and "bad.csv:2: label must be one of favor, against, none; got 'maybe'" in err


def test_evaluate_a_labelled_folder(capsys, trained_version: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "gold"
    folder.mkdir()
    (folder / "a.txt").write_text("The court adjourned the defamation hearing to next month. " * 5)
    (folder / "b.txt").write_text("We salute the courage of the survivors who spoke out against harassment. " * 5)
    (folder / "labels.csv").write_text("id,label\na.txt,none\nb.txt,favor\n")
    code, out, _ = run(capsys, "evaluate", "--model", str(trained_version), str(folder), "--json")
    assert code == 0 and json.loads(out)["n"] == 2
    (folder / "c.txt").write_text("Unlabelled article text. " * 5)
    code, _, err = run(capsys, "evaluate", "--model", str(trained_version), str(folder))
    assert code == 2 and "c.txt: no label in" in err


def test_score_reports_every_skipped_file_once(capsys, trained_version: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "in"
    (folder / "2019").mkdir(parents=True)
    (folder / "a_empty.txt").write_text("  ")
    (folder / "b_scan.txt").write_bytes(b"\x00\x00PDF")
    (folder / "c_ok.txt").write_text("The court adjourned the harassment hearing. " * 10)
    (folder / "2019" / "d_empty.txt").write_text("")
    code, out, _ = run(capsys, "score", "--model", str(trained_version), str(folder))
    ids = [json.loads(line)["id"] for line in out.splitlines()]
    assert code == 0
    assert sorted(ids) == ["2019/d_empty.txt", "a_empty.txt", "b_scan.txt", "c_ok.txt"]


def test_evaluate_text_report_when_a_label_never_occurs(capsys, trained_version: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "gold.csv"
    data.write_text('text,label\n"The hearing was adjourned to next month by the judge.",none\n')
    code, out, _ = run(capsys, "evaluate", "--model", str(trained_version), str(data))
    assert code == 0
    assert "averages over:" in out


def test_check_finds_missing_files_before_training(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cfg = tmp_path / "exp.toml"
    cfg.write_text('[experiment]\nname = "x"\n[corpus]\npath = "nowhere"\n')
    code, _, err = run(capsys, "run", str(cfg), "--check")
    assert code == 2 and "`[corpus].path` in" in err and "nowhere" in err
    (tmp_path / "nowhere").mkdir()
    code, _, err = run(capsys, "run", str(cfg), "--check")
    assert code == 2 and "`[stance].sources`" in err and "`[stance].enabled = false`" in err


def test_score_stdin_reports_undecodable_bytes(capsys, monkeypatch, trained_version: Path) -> None:  # type: ignore[no-untyped-def]
    raw = b"Lawyers for both sides argued the defamation case in court. " * 6 + b"\xff\xfe"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    code, out, _ = run(capsys, "score", "--model", str(trained_version), "-")
    assert code == 0
    assert json.loads(out)["warnings"][0] == "not valid UTF-8: 2 bytes read as Windows-1252"


def test_score_names_the_encoding_of_each_input(capsys, trained_version: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = "Lawyers for both sides argued the \u201cdefamation\u201d case in court. " * 6
    notepad = tmp_path / "notepad.txt"
    notepad.write_bytes(text.encode("utf-16"))
    records = tmp_path / "records.csv"
    records.write_bytes(("id,text\nr1," + text.replace(",", "") + "\n").encode("utf-16"))
    code, out, _ = run(capsys, "score", "--model", str(trained_version), str(notepad), str(records))
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == ["notepad.txt", "r1"]
    assert all(r["warnings"][0] == "read as UTF-16 (byte-order mark)" and r["stance"] for r in rows)
    # the same text named as UTF-16 gives the same scores, with no note
    code, named, _ = run(capsys, "score", "--model", str(trained_version), "--encoding", "utf-16", str(notepad))
    again = json.loads(named)
    assert again["topics"] == rows[0]["topics"] and "read as UTF-16 (byte-order mark)" not in again["warnings"]


def test_score_rejects_an_unknown_encoding_before_reading(capsys, trained_version: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "good.txt"
    good.write_text("Lawyers argued the case in court. " * 6, encoding="utf-8")
    code, out, err = run(capsys, "score", "--model", str(trained_version), "--encoding", "latin-9x", str(good))
    assert code == 2 and out == ""
    assert "unknown encoding 'latin-9x'" in err
