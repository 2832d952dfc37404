import sys

from tropa.cli import main

sys.exit(main())
