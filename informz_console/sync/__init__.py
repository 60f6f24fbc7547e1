"""Runs syncs: trigger + kind -> SyncRun; staging + set-based merge; writeback outbox."""
