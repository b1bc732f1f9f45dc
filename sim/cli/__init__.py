"""The `gpsim` command line: one module per command, on top of every other stage."""
