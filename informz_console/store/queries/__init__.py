"""Read queries over the mirror: counts, explain, the sync log. No AMS needed."""
