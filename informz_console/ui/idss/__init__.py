"""The iDSS contacts tab's parts: the contacts table, the detail box, following the feed."""
