"""One module per AMS behind the small protocol in `base`."""
