"""Benchmarks of chroma against peer tools: speed, peak memory and output quality.

Run them with ``chroma bench`` (from a source checkout); see
:mod:`benchmarks.harness` for how cases are declared and measured and
:mod:`benchmarks.report` for the report it writes.
"""
