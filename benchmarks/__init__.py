"""Side-by-side benchmarks of nbvc and DVC (run ``python benchmarks/run.py --help``).

Opt-in and never part of the test suite's timing: ``tests/benchmarks`` only checks that the
harness runs end to end at a tiny scale.
"""
