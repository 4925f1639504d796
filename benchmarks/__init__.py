"""Benchmarks: `python -m benchmarks` (or `make bench`) runs every module here with `main()`."""
