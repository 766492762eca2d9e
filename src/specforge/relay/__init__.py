"""``specforge relay-check``: check a relay (LiteLLM, new-api, one-api, ...) with a recording
specforge mock as its upstream, and join what the client sent with what the upstream received.
May import check, mock and core; nothing but cli imports it."""

from specforge.relay.harness import (
    DEFAULT_BUDGET,
    DEFAULT_UPSTREAM_KEY,
    DEFAULT_UPSTREAM_PORT,
    UPSTREAM_KEY_ENV,
    RelayOptions,
    RelayResult,
    run_relay_check,
    upstream_key_from_env,
    write_relay_reports,
)
from specforge.relay.join import JoinSummary, RelayFinding, join, request_fields

__all__ = [
    "DEFAULT_BUDGET",
    "DEFAULT_UPSTREAM_KEY",
    "DEFAULT_UPSTREAM_PORT",
    "UPSTREAM_KEY_ENV",
    "JoinSummary",
    "RelayFinding",
    "RelayOptions",
    "RelayResult",
    "join",
    "request_fields",
    "run_relay_check",
    "upstream_key_from_env",
    "write_relay_reports",
]
