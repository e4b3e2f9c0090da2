"""Settings for the test suite: development (SQLite unless ``DATABASE_URL`` says otherwise), chosen explicitly.

The application's own default is production (see ``settings``); tests choose development here
rather than relying on a default that would leave a live site open.
"""

import os

os.environ.setdefault("COPRODUCE_ENV", "development")

from .settings import *  # noqa: F403

# Uploads made by tests (the demo's pictures, photos in forms) go to a folder of their own,
# removed when the run ends, never into the developer's data directory.
if "COPRODUCE_MEDIA_ROOT" not in os.environ:
    import atexit
    import shutil
    import tempfile
    from pathlib import Path

    MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="coproduce-test-media-"))
    atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
