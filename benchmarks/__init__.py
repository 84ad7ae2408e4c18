"""Benchmarks at volume (`make bench`). See benchmarks/README.md."""
