"""Spiders: discovery only. Each hands article responses to its parser (newscrawl/parsers)."""
