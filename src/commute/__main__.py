"""Run the command line as ``python -m commute``."""

import sys

from commute.cli import main

sys.exit(main())
