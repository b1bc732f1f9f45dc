"""Stage 1, configuration: the scenario and intervention schema and loading YAML files into it."""
