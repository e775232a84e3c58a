"""Benchmark cases: one module per topic, each defining ``CASES = [Case(...), ...]``.

The harness imports every ``chroma/bench/cases/<topic>.py`` (names starting
with ``_`` are skipped). Adding a case for a new method is one declaration::

    from chroma.bench.harness import Case
    from chroma.bench import adapters as metrics

    CASES = [
        Case(
            task="Reinhard transfer, uint8",
            contenders={
                "chroma": lambda img, ref: chroma.transfer(img, ref, method="reinhard"),
                "color_transfer": _jrosebr1,  # imports its peer inside
            },
            requires={"color_transfer": "color_transfer"},
            quality=(metrics.sliced_wasserstein_to_reference, metrics.lightness_ssim_to_image),
        ),
    ]
"""
