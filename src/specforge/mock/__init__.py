"""A stateful, variant-faithful mock of an OpenAI-compatible video API (``specforge mock``).

Behaviour is derived from the variant's spec (``derive_profile``), jobs move through their
lifecycle by the clock, and ``GET /__specforge__/stats`` reports how many job-creating requests
reached the server, so a cost-budget test can count on the server side."""

from specforge.mock.app import STATS_PATH, Limits, MockApp
from specforge.mock.media import mp4_bytes
from specforge.mock.profile import ErrorShape, FieldSpec, Operation, Profile, derive_profile
from specforge.mock.server import DEFAULT_TOKEN, MockServer, SpecSource, create_app, load_spec, serve
from specforge.mock.store import Job, JobState, MemoryStore, SqliteStore, state_at

__all__ = [
    "DEFAULT_TOKEN",
    "STATS_PATH",
    "ErrorShape",
    "FieldSpec",
    "Job",
    "JobState",
    "Limits",
    "MemoryStore",
    "MockApp",
    "MockServer",
    "Operation",
    "Profile",
    "SpecSource",
    "SqliteStore",
    "create_app",
    "derive_profile",
    "load_spec",
    "mp4_bytes",
    "serve",
    "state_at",
]
