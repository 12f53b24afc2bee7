"""Side-by-side benchmarks (``make bench``): each ``bench_*.py`` prints one table."""
