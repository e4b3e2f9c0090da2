"""JSON API for members (django-ninja)."""
