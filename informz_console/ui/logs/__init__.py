"""The Sync logs tab's widgets and models: the runs, one run's detail, the writeback outbox."""
