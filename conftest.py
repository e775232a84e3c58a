# Doctests in chroma/ get `np` without importing it in every example.
import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _add_np(doctest_namespace):
    doctest_namespace["np"] = np
