"""Stage 2, the model: GPSimModel, its agents and the mechanisms of a simulated day."""
