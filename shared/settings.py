"""Settings: the environment first (prefix ``TUOYU_``), embedded defaults otherwise.

With nothing set, everything runs on one machine: SQLite files under ``var/`` and the embedded
broker the runner starts. Production sets ``TUOYU_KAFKA_BOOTSTRAP`` and one
``TUOYU_<SERVICE>_DATABASE_URL`` per service.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# How long a service keeps an idle connection open: far longer than its callers' pools keep one
# (HTTP_KEEPALIVE_EXPIRY_S), so a pooled connection is never closed by the server under a request.
SERVER_KEEP_ALIVE_S = 75
# The services' calls to each other (the shared httpx client, the gateway's hop): connect and
# read timeouts, how long an idle pooled connection is kept, and connections per service.
HTTP_CONNECT_TIMEOUT_S = 3.0
HTTP_READ_TIMEOUT_S = 10.0
HTTP_KEEPALIVE_EXPIRY_S = 2.0
HTTP_MAX_CONNECTIONS = 200


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TUOYU_", extra="ignore")

    environment: str = Field("development", description="`production` refuses unsafe defaults")
    data_dir: Path = Path("var")
    kafka_bootstrap: str = "127.0.0.1:9092"
    # How many partitions the suite's topics get when it creates them (keys are USCCs, so order
    # per institution holds whatever the count). One on the embedded broker: a single node with one
    # process per consumer group gains nothing from more, and it works through every partition at
    # every poll (below); deployments on Apache Kafka set their count (deploy/: 12).
    kafka_partitions: int = 1
    kafka_replication_factor: int = 1
    # Topic settings for Apache Kafka (unset on the embedded broker, which keeps no such settings).
    kafka_min_insync_replicas: int | None = None
    kafka_retention_ms: int | None = None
    # The embedded broker sleeps for the whole fetch wait instead of waking on new data (DESIGN §9):
    # the wait is the latency of a consumer that keeps up, and its poll rate. Prompt consumers (the
    # health inbox: same-month push) use the first, the others the second — each poll of a group
    # over many topics costs the broker and the consumer CPU even when nothing is new.
    # Measured at rest: the suite's polls kept the embedded broker 0.26 cores busy with 3
    # partitions a topic and background polls every 100 ms, 0.09 with 1 and 500 ms (aiokafka's
    # default; the background groups are then up to half a second behind).
    kafka_fetch_max_wait_ms: int = 20
    kafka_background_fetch_max_wait_ms: int = 500
    # Under load a consumer fetches at most once per linger (`shared.inbox.Linger`): after a
    # batch of at least this many fresh events, fewer than a full one, it waits this long (or its
    # fetch wait, if longer) before fetching again, so that the next batch holds what arrived
    # meanwhile. Every fetch and every batch's transaction costs the same whatever it holds; a lone
    # event never waits. At 60 ms rather than the health inbox's 20 ms fetch wait, its CPU a
    # registration under the throughput bench went from about 0.5 to 0.36 ms (bench/README.md);
    # what it adds to the push, only under such a load, is that much latency.
    kafka_linger_from_events: int = 4
    kafka_linger_ms: int = 60
    # ... when the batch's newest record is younger than this; an older one is a backlog's,
    # fetched flat out. (A consumer that lingers falls at most about this far behind.)
    kafka_linger_fresh_ms: int = 1000
    # A consumer commits its offsets at most this often while busy (and at once when idle): the
    # inbox makes redelivery harmless, so a commit per batch only cost a broker request each.
    kafka_commit_interval_ms: int = 250
    kafka_session_timeout_ms: int = 3000
    kafka_heartbeat_interval_ms: int = 1000

    # Token signing (gateway) and verification (every service): Ed25519 keys in PEM.
    jwt_private_key: str = ""
    jwt_public_key: str = ""
    jwt_issuer: str = "tuoyu-gateway"
    jwt_audience: str = "tuoyu"
    access_token_ttl_s: int = 900
    # Services fetch their own client-credentials token from the gateway with this secret.
    internal_secret: str = ""
    gateway_url: str = "http://127.0.0.1:8000"

    # Outbox relay: woken on every commit; the poll only covers rows written by other processes.
    relay_poll_s: float = 1.0
    relay_batch: int = 500
    relay_lease_s: float = 10.0
    # After a cycle that published at least kafka_linger_from_events rows, the relay waits this
    # long before the next, so that under load a cycle carries many (as a consumer lingers); a
    # lone commit is published at once.
    relay_linger_ms: int = 20
    # Consumers: how often to catch up from the producers' feeds (anti-entropy).
    feed_follow_interval_s: float = 30.0
    consumer_retry_delays_s: tuple[float, ...] = (0.2, 1.0, 3.0)

    # Registered but not filed (备案) for more working days than this: listed as overdue. The
    # policy says 及时 without a number; the bureau sets it.
    filing_due_working_days: int = 20

    # Credit (守信/失信): how long a serious violation lists an institution, what counts as repeated
    # violations, and how long a clean record takes to earn trustworthy status, in days.
    credit_listing_days: int = 365
    credit_repeat_count: int = 3
    credit_repeat_window_days: int = 365
    credit_clean_days: int = 365
    # Quality evaluations are public after this many working days for objections.
    evaluation_review_working_days: int = 5
    # The lowest quality rating a demonstration unit may have.
    demonstration_min_rating: str = "良好"
    # In-service training each practitioner completes a year (保证…每年完成在职培训: no number given).
    in_service_hours_per_year: int = 20
    # How often each service's periodic jobs run (publishing due evaluations, credit by time).
    jobs_interval_s: float = 300.0

    # The gateway's rate limit per caller (token subject; client address without a token).
    rate_limit_per_minute: int = 1200
    rate_limit_burst: int = 200
    # Failed sign-ins within 15 minutes that lock an account, or an address, for the rest of them.
    sign_in_failures_per_account: int = 5
    sign_in_failures_per_address: int = 50

    # Webhooks (the gateway): a failed delivery is retried after base × 2^(attempts−1) seconds, at
    # most the cap; this many failures in a row pause the endpoint until its bureau resumes it.
    webhook_retry_base_s: float = 2.0
    webhook_retry_cap_s: float = 3600.0
    webhook_pause_after: int = 10
    webhook_timeout_s: float = 10.0
    # Endpoints on loopback or private networks: allowed for development, refused in production
    # unless set (a bureau's system may well sit on the government intranet).
    webhook_private_targets: bool | None = None

    # Request bodies larger than this are refused before they are read (an .xlsx import is at most 5 MB).
    max_body_bytes: int = 6 * 1024 * 1024

    log_level: str = "INFO"

    # Per-service overrides as JSON maps; `TUOYU_<SERVICE>_DATABASE_URL` / `TUOYU_<SERVICE>_URL`
    # name one service at a time and are what deployments usually set.
    database_urls: dict[str, str] = {}
    service_urls: dict[str, str] = {}

    def unsafe_for_production(self, *, signs_tokens: bool) -> list[str]:
        """What keeps this process from starting in production: secrets that are missing, short,
        or meant for demos only."""
        if self.environment != "production":
            return []
        problems = []
        if not self.jwt_public_key:
            problems.append("TUOYU_JWT_PUBLIC_KEY is not set")
        if signs_tokens and not self.jwt_private_key:
            problems.append("TUOYU_JWT_PRIVATE_KEY is not set")
        if len(self.internal_secret) < 32:
            problems.append("TUOYU_INTERNAL_SECRET is missing or shorter than 32 characters")
        if os.environ.get("TUOYU_DEMO_PASSWORD"):
            problems.append("TUOYU_DEMO_PASSWORD is set: demo accounts have no place in production")
        return problems

    @property
    def webhooks_may_target_private(self) -> bool:
        return self.webhook_private_targets if self.webhook_private_targets is not None else self.environment != "production"

    def database_url(self, service: str) -> str:
        """The service's database; by default one SQLite file per service under the data dir."""
        configured = self.database_urls.get(service) or os.environ.get(f"TUOYU_{service.upper()}_DATABASE_URL")
        if configured:
            return configured
        return f"sqlite+aiosqlite:///{(self.data_dir / f'{service}.db').resolve()}"

    def service_url(self, service: str) -> str:
        """Base URL of another process of the suite (set by the runner for every process)."""
        configured = self.service_urls.get(service) or os.environ.get(f"TUOYU_{service.upper()}_URL")
        if not configured:
            raise RuntimeError(f"TUOYU_{service.upper()}_URL is not set: where does {service} run?")
        return configured.rstrip("/")


@lru_cache
def get_settings() -> Settings:
    return Settings()
