"""The Target groups tab's widgets, models and dialogs (one small file each)."""
