"""Run the command line as ``python -m commute.cli``."""

import sys

from commute.cli import main

sys.exit(main())
