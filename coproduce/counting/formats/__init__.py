"""Readers and writers of ballot-file formats used by the counting engines."""
