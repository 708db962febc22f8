"""Operating newscrawl: read the run reports the runner writes and show them (`newscrawl status`, `newscrawl report`).

Nothing here crawls or writes state; these modules only read `output/<spider>/<crawl_id>.report.json`.
"""
