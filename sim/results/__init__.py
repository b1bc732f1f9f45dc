"""Stage 3, results: tables of what happened, the outcome registry, metrics, summaries and files."""
