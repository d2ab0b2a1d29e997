"""Benchmark harness: seeds a college-scale database and load-tests signed-in pages against a floor.

Run it with ``python -m bench.run``; see bench/README.md.
"""
