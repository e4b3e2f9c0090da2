"""Predicate permissions for panels."""
