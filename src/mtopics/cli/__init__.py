"""The ``mtopics`` command line: a thin layer over the library, one module per sub-command."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from .._version import __version__
from ..exceptions import ConfigError, CorpusError, ModelNotFoundError, MtopicsError
from . import evaluate, init, models, report, run, score

__all__ = ["main"]

_COMMANDS = (init, run, score, models, evaluate, report)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every sub-command."""
    parser = argparse.ArgumentParser(
        prog="mtopics",
        description="Topics and stance in news about a public movement (#MeToo in Pakistan by default).",
    )
    parser.add_argument("--version", action="version", version=f"mtopics {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="show debug messages")
    parser.add_argument("-q", "--quiet", action="store_true", help="show only warnings and errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in _COMMANDS:
        command.add_parser(sub)
    return parser


def _setup_logging(verbose: bool, quiet: bool, default: int) -> None:
    level = logging.DEBUG if verbose else logging.WARNING if quiet else default
    logger = logging.getLogger("mtopics")
    logger.handlers.clear()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("mtopics: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failure, 2 bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _setup_logging(args.verbose, args.quiet, getattr(args, "log_level", logging.INFO))
    try:
        return int(args.func(args))
    except (ConfigError, CorpusError, ModelNotFoundError) as exc:
        print(f"mtopics: error: {exc}", file=sys.stderr)
        return 2
    except MtopicsError as exc:
        print(f"mtopics: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("mtopics: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
