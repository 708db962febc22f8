"""What the crawler remembers between runs (the SQLite state store, incremental decisions, the run lock) and,
within a run, the requests it already scheduled (seen.py)."""
