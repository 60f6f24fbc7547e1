"""The Bridges tab's parts: the bridge list, the form and its kind-specific fields."""
