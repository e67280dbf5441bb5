"""The demo's demand plan: published to three partners, answered in part (one with a substitute)."""

from apps.partners.demo import register_seeder


def seed() -> str:
    return "demand plans: none yet"


register_seeder("allocations", seed)
