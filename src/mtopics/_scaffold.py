"""A new experiment for your own corpus in one step: ``mtopics init NAME --corpus PATH``.

The config written is the default experiment's (``experiments/metoo_pk.toml``, or another
template), with its own name and corpus, and every other path rewritten relative to the new
file: topics are trained on your corpus, stance on the labelled data shipped with mtopics,
whose figures stay those of the seed articles (``[stance].article_corpus``).  The config is
checked, corpus read and labelled data included, before it is written.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from ._config import load_config
from ._corpus import FORMATS, _detect_format
from ._stance import check_embeddings_installed
from .exceptions import ConfigError, EmbeddingDependencyError

__all__ = ["default_template", "init_experiment"]

#: Keys whose string values are paths relative to the config file.
_PATH_KEYS = ("path", "article_labels", "article_corpus")
_LINE = re.compile(r'^(?P<key>[A-Za-z_]+)\s*=\s*"(?P<value>[^"]*)"(?P<rest>.*)$')
_TABLE = re.compile(r"^\[\[?(?P<name>[A-Za-z_.]+)\]\]?\s*$")


def default_template() -> Path:
    """The default experiment of a source checkout (where ``pip install -e .`` puts mtopics).

    Raises
    ------
    ConfigError
        When mtopics was installed without its repository (the labelled data ship there).
    """
    path = Path(__file__).resolve().parents[2] / "experiments" / "metoo_pk.toml"
    if not path.is_file():
        raise ConfigError(
            "mtopics init copies experiments/metoo_pk.toml and the labelled stance data of the mtopics repository, "
            "which this installation does not have: install from a clone (pip install -e .), or pass "
            "--template with a config whose [[stance.sources]] exist"
        )
    return path


def _embeddings_installed(model: str) -> bool:
    try:
        check_embeddings_installed(model)
    except EmbeddingDependencyError:
        return False
    return True


def _rel(target: Path, folder: Path) -> str:
    """``target`` relative to ``folder``, with ``/``; absolute when they share only the root (or 3+ ``..``).

    >>> _rel(Path("/a/b/data/x.jsonl"), Path("/a/b/experiments"))
    '../data/x.jsonl'
    >>> _rel(Path("/usr/share/corpus.txt"), Path("/home/me/work/exp"))
    '/usr/share/corpus.txt'
    """
    try:
        rel = Path(os.path.relpath(target.resolve(), folder.resolve()))
    except ValueError:  # pragma: no cover - Windows, another drive
        return target.resolve().as_posix()
    shared = Path(os.path.commonpath([target.resolve(), folder.resolve()]))
    far = shared == Path(shared.anchor) or rel.parts[:3] == ("..", "..", "..")
    return target.resolve().as_posix() if far else rel.as_posix()


def init_experiment(
    name: str,
    corpus: str | Path,
    output: str | Path | None = None,
    *,
    format: str = "auto",
    text_field: str = "text",
    template: str | Path | None = None,
    overwrite: bool = False,
) -> Path:
    """Write an experiment config for a corpus of your own, checked before it is written.

    Parameters
    ----------
    name : str
        Experiment name: models go to ``models/<name>/v<N>``.
    corpus : str or Path
        A folder of ``.txt`` files, or a ``.txt`` (one article per line), ``.jsonl`` or
        ``.csv`` file (a ``text`` field, and ``id``, ``title``, ``date``, ``source`` when
        it has them).
    output : str or Path, optional
        The config to write (default: ``experiments/<name>.toml`` when ``experiments/``
        exists here, else ``<name>.toml``).  An existing file is kept unless ``overwrite``.
    format : str
        How to read the corpus (``auto``: by its extension; a ``.txt`` file is one
        article per line).
    text_field : str
        Field with the text in JSONL and CSV.
    template : str or Path, optional
        The config copied (default: :func:`default_template`).
    overwrite : bool
        Replace an existing ``output``.

    Returns
    -------
    Path
        The config written.

    Raises
    ------
    ConfigError
        Naming the problem (a bad name, a corpus that does not exist or has no text
        field, an existing output); nothing is written then.
    CorpusError
        A corpus record or labelled file that cannot be read, with its file and line.

    Examples
    --------
    >>> path = init_experiment("lee", "lee.txt", "lee.toml")  # doctest: +SKIP
    >>> load_config(path)["corpus.format"]  # doctest: +SKIP
    'lines'
    """
    from ._experiment import check_data

    corpus = Path(corpus)
    if not corpus.exists():
        raise ConfigError(f"--corpus {corpus}: no such file or folder")
    if format not in FORMATS:
        raise ConfigError(f"--format must be one of {', '.join(FORMATS)}; got {format!r}")
    fmt = format
    if fmt == "auto":
        fmt = "folder" if corpus.is_dir() else _detect_format(corpus)
        if fmt == "text":  # a single .txt file as a corpus: one article per line, like gensim's Lee corpus
            fmt = "lines"
    if output is None:
        output = Path("experiments") / f"{name}.toml" if Path("experiments").is_dir() else Path(f"{name}.toml")
    output = Path(output)
    if output.exists() and not overwrite:
        raise ConfigError(f"{output} exists: choose another --output, or --force to replace it")
    template_path = Path(template) if template is not None else default_template()
    text = _rewrite(template_path, output.parent, name, corpus, fmt, text_field)
    output.parent.mkdir(parents=True, exist_ok=True)
    # checked where it will live (its paths are relative to its folder), then put in place whole
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=output.parent, prefix=f".{output.name}.", suffix=".tmp", delete=False
    ) as handle:
        handle.write(text)
    tmp = Path(handle.name)
    try:
        config = load_config(tmp)
        check_data(config)
    except Exception:
        tmp.unlink()
        raise
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o666 & ~umask)  # a temporary file is private (0600); a config is an ordinary file
    os.replace(tmp, output)
    return output


def _rewrite(template: Path, folder: Path, name: str, corpus: Path, fmt: str, text_field: str) -> str:
    """The template's text with a new name and corpus, and its other paths relative to ``folder``."""
    try:
        source = template.read_text(encoding="utf-8")
        parsed: dict[str, Any] = tomllib.loads(source)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"--template {template}: cannot read it as a TOML config ({exc})") from None
    base = template.parent
    seed_corpus = parsed.get("corpus", {}).get("path")
    stance = parsed.get("stance", {})
    embeddings = stance.get("embeddings", "none")
    lines_out: list[str] = []
    table = ""
    for line in source.splitlines():
        head = _TABLE.match(line.strip())
        if head:
            table = head.group("name")
            lines_out.append(line)
            if table == "corpus":
                lines_out += [
                    f"path = {json.dumps(_rel(corpus, folder))}",
                    f"format = {json.dumps(fmt)}",
                ]
                if text_field != "text":
                    lines_out.append(f"text_field = {json.dumps(text_field)}")
            continue
        if not table:
            continue  # the template's own header comment: the new file has its own
        match = _LINE.match(line.strip())
        key = match.group("key") if match else None
        if table == "experiment" and key in ("name", "description"):
            value = name if key == "name" else f"{name}: topics of {corpus.name}, stance from the shipped labelled data"
            lines_out.append(f"{key} = {json.dumps(value)}")
            continue
        if table == "corpus" and re.match(r"^[A-Za-z_]+\s*=", line.strip()):
            continue  # the corpus keys were written with the table head
        if match and key in _PATH_KEYS and table.startswith("stance"):
            value = _rel(base / match.group("value"), folder)
            lines_out.append(f"{key} = {json.dumps(value)}{match.group('rest')}")
            if key == "article_labels" and "article_corpus" not in stance and seed_corpus:
                lines_out.append("# the labelled articles are the seed articles, read from the seed corpus")
                lines_out.append(f"article_corpus = {json.dumps(_rel(base / seed_corpus, folder))}")
            continue
        if table == "stance" and key == "embeddings" and embeddings != "none" and not _embeddings_installed(embeddings):
            lines_out.append('embeddings = "none"  # the embeddings extra is not installed: n-grams only')
            continue
        lines_out.append(line)
    header = (
        f"# Written by `mtopics init {name}` from {template.name}, for the corpus {corpus.name}: topics are\n"
        "# trained on it; stance is trained and evaluated on the labelled data shipped with mtopics (its\n"
        "# figures are those of the seed passages and articles, not of this corpus). Every key is in\n"
        "# docs/config.md; after an edit, `mtopics run THIS_FILE --check` reads it all again.\n"
    )
    return header + "\n".join(lines_out) + "\n"
