"""informz_console: run, fix and explain AMS <-> email-marketing subscriber syncs."""

__version__ = "0.1.0"
