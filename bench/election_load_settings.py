"""Settings for bench/election_load.py only: the product's own, with the benchmark's URLs (the
product's plus one bare view to compare against) and no sign-in rate limit, since every
simulated voter signs in from 127.0.0.1. Nothing in the product imports this module."""

from coproduce.config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.election_load_urls"
ACCOUNT_RATE_LIMITS = False
