"""Predicate permissions for consultations."""
