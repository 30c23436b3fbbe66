"""Analysis of sixparty runs: metrics, the replay scorecard, comparison and plots.

Reads a run's data files or in-memory tables, never the model's internals.
"""
