"""Scrapy command overrides (settings.COMMANDS_MODULE)."""
