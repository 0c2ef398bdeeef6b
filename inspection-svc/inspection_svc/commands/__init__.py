"""The writes of the supervision service: each checks the rules of `domain`, then writes the rows,
the audit record and the event in the caller's transaction."""
