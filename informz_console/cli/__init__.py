"""The headless CLI: the same services as the GUI, text or JSON output for scripts."""
