"""Settings for the test suite: development (SQLite unless ``DATABASE_URL`` says otherwise), chosen explicitly.

The application's own default is production (see ``settings``); tests choose development here
rather than relying on a default that would leave a live site open.
"""

import os

os.environ.setdefault("COPRODUCE_ENV", "development")

from .settings import *  # noqa: F403
