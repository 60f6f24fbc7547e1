"""The Subscriber look-up tab's widgets: search, results, one subscriber's page."""
