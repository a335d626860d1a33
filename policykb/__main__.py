"""`python -m policykb …`: the same command line as the installed `policykb` script."""

import sys

from policykb.cli import main

sys.exit(main())
