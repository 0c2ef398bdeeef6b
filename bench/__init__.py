"""`tuoyu bench`: the suite measured against bare baselines, on this machine only (127.0.0.1).

Each scenario starts what it needs (the embedded broker, fresh databases on SQLite or
PostgreSQL, the suite as `tuoyu up` runs it), measures the suite and a bare baseline doing the
same work without the suite's machinery, for a bounded time, and stops everything it started.
Every figure is reported with its baseline and their ratio; see `bench/README.md`.
"""
