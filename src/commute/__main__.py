"""Run the command line as ``python -m commute``."""

from commute.cli import entry

entry()
