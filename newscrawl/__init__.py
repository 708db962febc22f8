"""newscrawl: a Scrapy news crawler with provenance tracking."""

__version__ = "0.1.0"
