"""WSGI entry point (granian serves it: ``granian --interface wsgi coproduce.config.wsgi:application``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coproduce.config.settings")
application = get_wsgi_application()
