"""Tests of mtopics.exceptions and the public surface."""

from __future__ import annotations

import mtopics
from mtopics import exceptions


def test_errors_subclass_the_matching_builtin() -> None:
    assert issubclass(exceptions.ConfigError, ValueError)
    assert issubclass(exceptions.CorpusError, ValueError)
    assert issubclass(exceptions.ModelIntegrityError, ValueError)
    assert issubclass(exceptions.ModelNotFoundError, FileNotFoundError)
    for name in exceptions.__all__:
        assert issubclass(getattr(exceptions, name), exceptions.MtopicsError)


def test_public_surface_is_sorted_and_importable() -> None:
    # isort style, as ruff's RUF022 wants it: CONSTANTS, then Classes, then functions
    def key(name: str) -> tuple[int, str]:
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert mtopics.__all__ == sorted(mtopics.__all__, key=key)
    for name in mtopics.__all__:
        assert hasattr(mtopics, name), name
