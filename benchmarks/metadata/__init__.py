"""The hand-checked metadata dev set (title, authors, published day) and its scorer; see README.md here.

Use it as `from benchmarks.metadata.score import load, score`. Nothing is imported here, so that
`python -m benchmarks.metadata.score` runs the module once, cleanly.
"""
