"""Consultations in the admin: read-only (every write goes through the services)."""
