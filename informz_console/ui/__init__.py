"""The console window (PySide6). Everything below ui/ runs without Qt."""
