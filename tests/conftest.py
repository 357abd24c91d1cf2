"""Shared fixtures of the mtopics test suite."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session", autouse=True)
def _embedding_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep sentence vectors of the test run in a temporary folder, not in the user's cache."""
    import os

    os.environ["MTOPICS_CACHE_DIR"] = str(tmp_path_factory.mktemp("mtopics-cache"))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The project folder (the parent of ``tests/``)."""
    return Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def seed_dir(repo_root: Path) -> Path:
    """The folder of the five seed articles."""
    return repo_root / "data" / "corpus" / "metoo-pk"


@pytest.fixture(scope="session")
def seed_texts(seed_dir: Path) -> dict[str, str]:
    """Seed article id (file name, e.g. ``002_4eebaccbc8e53cc2.txt``) -> text, read as UTF-8."""
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(seed_dir.glob("*.txt"))}


@pytest.fixture(scope="session")
def default_config(repo_root: Path):  # type: ignore[no-untyped-def]
    """The shipped default experiment config, validated."""
    from mtopics import load_config

    return load_config(repo_root / "experiments" / "metoo_pk.toml")


@pytest.fixture(scope="session")
def trained_version(tmp_path_factory: pytest.TempPathFactory, default_config) -> Path:  # type: ignore[no-untyped-def]
    """One version of the default experiment, trained once per test session into a temporary store."""
    from mtopics import run_experiment

    return run_experiment(default_config, models_dir=tmp_path_factory.mktemp("models"))


@pytest.fixture
def version_copy(trained_version: Path, tmp_path: Path) -> Path:
    """A private copy of the trained version, safe to damage."""
    import shutil

    target = tmp_path / "metoo_pk" / "v1"
    shutil.copytree(trained_version, target)
    return target
