"""Shared test configuration: hypothesis profiles.

The default profile is seeded and bounded so the suite is reproducible and
fast; ``FASTLEX_HYPOTHESIS_PROFILE=long`` runs many more random examples.
"""
import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", max_examples=150, deadline=None, derandomize=True, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "long", max_examples=5000, deadline=None, derandomize=False, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("FASTLEX_HYPOTHESIS_PROFILE", "default"))
