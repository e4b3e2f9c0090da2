"""Counting engines: STV, participatory budgeting and sortition.

Pure Python: nothing here imports Django or any Coproduce app (checked by import-linter).
Engines are pure functions over frozen dataclasses and record every stage of their work.
"""
