"""Talent pool (人才库): scoring, flags and reviews, and the party recruitment pipeline."""
