import sys

from coproduce.cli import main

sys.exit(main())
