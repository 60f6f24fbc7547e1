"""Plain-Python rules of the sync: records, exclusion reasons, eligibility, schedules. No I/O."""
