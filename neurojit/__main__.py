import sys

from neurojit.cli import main

sys.exit(main())
