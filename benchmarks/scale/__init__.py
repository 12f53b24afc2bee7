"""Helpers of the scale benchmark (``benchmarks/bench_scale.py``)."""
