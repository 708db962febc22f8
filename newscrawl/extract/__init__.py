"""Small, pure cleaning helpers shared by every parser: text, dates, JSON-LD, URLs, agencies."""
