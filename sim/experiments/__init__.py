"""Stage 4, experiments: one run, replications in parallel, comparisons, sweeps and sensitivity."""
