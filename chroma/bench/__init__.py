"""The comparison harness behind ``chroma bench``: cases, metric adapters, report."""
