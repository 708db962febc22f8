"""Watching runs: field coverage, the layout-drift alarm and the run report written at the end of every crawl."""
