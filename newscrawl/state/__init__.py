"""What the crawler remembers between runs: the SQLite state store, incremental decisions, the run lock."""
