"""The co-operative core: organisations, places, people, roles and the audit trail.

Feature apps plug into ``core`` through :mod:`coproduce.core.registry`; ``core`` never
imports a feature app.
"""
