"""The ``osiwire`` command.

Exit codes: 0 success; 1 an error (one line on stderr naming the input and the reason); 2 bad usage;
3 partial success (some sources or items failed; the rest was stored).
"""

from osiwire.cli import (
    alerts,
    db,
    enrichment,
    ingest,
    memory,
    reading,
    serving,
    sources,
    status,
    stories,
    translation,
    workers,
)
from osiwire.cli.base import cli

__all__ = ["cli", "main"]
_COMMANDS = (
    alerts,
    db,
    enrichment,
    ingest,
    memory,
    reading,
    serving,
    sources,
    status,
    stories,
    translation,
    workers,
)  # registered on import


def main() -> None:
    cli(prog_name="osiwire")
