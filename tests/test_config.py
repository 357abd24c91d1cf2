"""Tests of mtopics._config: the declarative parameter table and validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from mtopics import ConfigError, ExperimentConfig, load_config
from mtopics._config import PARAMS, SOURCE_PARAMS, markdown_reference, parse_override

MINIMAL = '[experiment]\nname = "demo"\n[corpus]\npath = "docs"\n'


def write(tmp_path: Path, text: str, name: str = "exp.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_fill_every_key(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, MINIMAL))
    for p in PARAMS:
        if not p.required:
            assert cfg[p.key] == p.default, p.key
    assert cfg.name == "demo"
    assert cfg.resolve_path("docs") == tmp_path / "docs"


def test_wrong_value_message_names_file_key_allowed_and_given(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + "[lda]\npasses = 0\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value) == f"`[lda].passes` in {path} must be an int in [1, 1000]; got 0"
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("8", 8),
        ("[10, 4, 6, 4]", [4, 6, 10]),
        ("{min = 4, max = 10, step = 3}", [4, 7, 10]),
        ("{min = 5, max = 5}", 5),
    ],
)
def test_num_topics_may_be_a_number_a_list_or_a_range(tmp_path: Path, value: str, expected: object) -> None:
    assert load_config(write(tmp_path, MINIMAL + f"[lda]\nnum_topics = {value}\n"))["lda.num_topics"] == expected


@pytest.mark.parametrize(
    ("value", "detail"),
    [
        ("0", "got 0"),
        ("[4, 1]", "got [4, 1]"),
        ("[]", "got []"),
        ("{min = 4}", "a range needs min and max"),
        ("{min = 8, max = 4}", "min <= max"),
        ("{min = 4, max = 8, step = 0}", "step >= 1"),
        ('"4-8"', 'got "4-8"'),
    ],
)
def test_bad_num_topics_names_the_key_and_what_is_allowed(tmp_path: Path, value: str, detail: str) -> None:
    path = write(tmp_path, MINIMAL + f"[lda]\nnum_topics = {value}\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert message.startswith(f"`[lda].num_topics` in {path} must be an int in [2, 500], a list of such ints")
    assert detail in message


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("[lda]\nnum_topic = 5\n", "`[lda].num_topic` in {p} is not a known key; did you mean `num_topics`?"),
        ("[ldaa]\nnum_topics = 5\n", "table `[ldaa]` in {p} is not a known key; did you mean `lda`?"),
        ('[lda]\npasses = "5"\n', '`[lda].passes` in {p} must be an int in [1, 1000]; got "5"'),
        ("[lda]\npasses = 5.0\n", "`[lda].passes` in {p} must be an int in [1, 1000]; got 5.0"),
        ("[lda]\npasses = true\n", "`[lda].passes` in {p} must be an int in [1, 1000]; got true"),
        ('[lda]\nalpha = "learned"\n', '`[lda].alpha` in {p} must be one of "auto", "symmetric", "asymmetric" or a'),
        ("[lda]\nalpha = -1\n", "`[lda].alpha` in {p} must be one of"),
        ('[clean]\nstopwords = "french"\n', '`[clean].stopwords` in {p} must be one of "sklearn", "gensim", "none"'),
        ("[clean]\nextra_stopwords = [1]\n", "`[clean].extra_stopwords` in {p} must be a list of strings; got [1]"),
        ("[phrases]\nenabled = 1\n", "`[phrases].enabled` in {p} must be true or false; got 1"),
        ("[lda]\nno_above = 2\n", "`[lda].no_above` in {p} must be a float in [0.01, 1]; got 2"),
        ("[stance]\npriors = {favor = 0.5, against = 0.5, none = 0.5}\n", "the shares sum to 1.5"),
        ("[stance]\npriors = {favor = 0.5, none = 0.5}\n", "keys must be favor, against, none"),
        ("[[stance.sources]]\nweight = 1\n", "`[[stance.sources]][1].path` in {p} is required"),
        ('[[stance.sources]]\npath = "a.csv"\nevaluat = true\n', "did you mean `evaluate`?"),
        ('[[stance.sources]]\npath = "a.csv"\nweight = "x"\n', "`[[stance.sources]][1].weight` in {p} must be a float"),
        ("[lda]\nmulticore = true\n", '`[lda].alpha` in {p} must be "symmetric", "asymmetric" or a number when'),
        ("[passages]\nmin_words = 200\n", "`[passages].min_words` in {p} must be at most"),
        (
            '[stance]\ntarget_terms = ["rape", "a*b"]\n',
            '`[stance].target_terms` in {p} must be a list of words or phrases; got ["rape", "a*b"] '
            '(term 2, "a*b": use',
        ),
        ('[stance]\ntarget_terms = ["Rape", "rape"]\n', '(term 2, "rape", repeats an earlier one)'),
        ("[stance]\ntarget_terms = [1]\n", "`[stance].target_terms` in {p} must be a list of words or phrases; got"),
        (
            '[lda]\nseed_topics = {law = "court"}\n',
            "`[lda].seed_topics` in {p} must be a table of topic names, each with a non-empty list of words; got",
        ),
        ("[lda]\nseed_topics = {law = []}\n", '(topic "law" has [])'),
        ('[lda]\nseed_topics = {"  " = ["law"]}\n', "seed topic names must be non-empty strings"),
        ('[lda]\ninit = "random"\nseed_topics = {law = ["law"]}\n', '`[lda].init` in {p} must be "nndsvd" when'),
        (
            'encoding = "utf-9"\n',
            '`[corpus].encoding` in {p} must be "auto" or a Python text codec name such as "cp1256"; got "utf-9"',
        ),
        ('encoding = "base64"\n', '`[corpus].encoding` in {p} must be "auto" or a Python text'),
        (
            '[[stance.sources]]\npath = "a.csv"\nencoding = 1252\n',
            '`[[stance.sources]][1].encoding` in {p} must be "auto" or a Python text codec name',
        ),
        (
            '[lda]\nnum_topics = {min = 2, max = 6}\nseed_topics = {a = ["x"], b = ["y"], c = ["z"]}\n',
            "`[lda].num_topics` in {p} must be at least the number of `[lda].seed_topics` (3); got 2",
        ),
    ],
)
def test_invalid_configs(tmp_path: Path, snippet: str, expected: str) -> None:
    path = write(tmp_path, MINIMAL + snippet)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert expected.format(p=path) in message
    assert "\n" not in message


def test_a_section_that_is_not_a_table(tmp_path: Path) -> None:
    path = write(tmp_path, "lda = 3\n" + MINIMAL)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value) == f"`lda` in {path} must be a table `[lda]`; got 3"


def test_required_keys(tmp_path: Path) -> None:
    path = write(tmp_path, '[corpus]\npath = "x"\n')
    with pytest.raises(ConfigError, match=r"`\[experiment\].name` in .* is required"):
        load_config(path)


def test_bad_names_and_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="must be a name"):
        load_config(write(tmp_path, '[experiment]\nname = "../up"\n[corpus]\npath = "d"\n'))
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(write(tmp_path, "[experiment\n", "bad.toml"))
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "absent.toml")
    (tmp_path / "latin.toml").write_bytes(b'[experiment]\nname = "caf\xe9"\n')
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(tmp_path / "latin.toml")


def test_overrides_apply_and_are_validated(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL)
    cfg = load_config(path, overrides=["lda.num_topics=12", "lda.alpha=0.1", "clean.extra_stopwords=['x']"])
    assert cfg["lda.num_topics"] == 12
    assert cfg["lda.alpha"] == 0.1
    assert cfg["clean.extra_stopwords"] == ["x"]
    with pytest.raises(ConfigError, match=r"`\[lda\].num_topic` in --set lda.num_topic=3 is not a known key"):
        load_config(path, overrides=["lda.num_topic=3"])
    with pytest.raises(ConfigError, match=r"with --set lda.passes=0\) must be an int in \[1, 1000\]; got 0"):
        load_config(path, overrides=["lda.passes=0"])
    with pytest.raises(ConfigError, match=r"must look like section\.key=value"):
        load_config(path, overrides=["lda.passes"])


def test_parse_override_reads_toml_values() -> None:
    assert parse_override("a.b=true") == ("a.b", True)
    assert parse_override("a.b=0.5") == ("a.b", 0.5)
    assert parse_override("a.b=hello world") == ("a.b", "hello world")
    assert parse_override('a.b="12"') == ("a.b", "12")


def test_config_is_immutable_and_hash_is_stable(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, MINIMAL))
    with pytest.raises(AttributeError):
        cfg.source = "x"  # type: ignore[misc]
    copy = cfg.to_dict()
    copy["lda"]["num_topics"] = 99
    assert cfg["lda.num_topics"] == 6
    assert cfg.sha256() == load_config(write(tmp_path, MINIMAL, "again.toml")).sha256()
    assert (
        cfg.sha256()
        != ExperimentConfig.from_dict(
            {"experiment": {"name": "demo"}, "corpus": {"path": "docs"}, "lda": {"num_topics": 7}}
        ).sha256()
    )


def test_shipped_experiments_are_valid(repo_root: Path) -> None:
    configs = sorted((repo_root / "experiments").glob("*.toml"))
    assert any(p.name == "metoo_pk.toml" for p in configs)
    for path in configs:
        cfg = load_config(path)
        assert cfg.resolve_path(cfg["corpus.path"]).exists(), path
        for src in cfg["stance.sources"]:
            assert cfg.resolve_path(src["path"]).is_file(), src["path"]


def test_docs_config_reference_lists_every_key(repo_root: Path) -> None:
    text = (repo_root / "docs" / "config.md").read_text(encoding="utf-8")
    assert markdown_reference() in text, "docs/config.md is out of date: regenerate it (see its header)"
    for p in PARAMS:
        key = p.key.split(".", 1)[1]
        assert f"`{key}`" in text
    for p in SOURCE_PARAMS:
        assert f"`{p.key}`" in text
