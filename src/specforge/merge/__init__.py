"""Merge the variants' sources into one canonical OpenAPI 3.1 spec plus one OAI Overlay per
variant, with a merge report and a compatibility matrix."""
