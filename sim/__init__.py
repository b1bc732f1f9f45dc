"""gpsim: agent-based simulation of general-practice workforce and demand in England."""

__version__ = "0.1.0"
