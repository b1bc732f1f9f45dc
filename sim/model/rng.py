"""Named random streams: one numpy Generator per stochastic process, keyed by (seed, replication, name).

Keying by a stable hash of the name (as Starsim does) means adding a new stream never shifts the
others, and a stream's draws never depend on the scenario: the basis of common random numbers.
"""

from __future__ import annotations

import zlib

import numpy as np


def stable_hash(name: str) -> int:
    """A 32-bit hash of ``name`` that is the same on every machine and Python run."""
    return zlib.crc32(name.encode("utf-8")) & 0xFFFFFFFF


def stream(seed: int, replication: int, name: str) -> np.random.Generator:
    """The Generator for process ``name`` in replication ``replication`` of base seed ``seed``."""
    seq = np.random.SeedSequence(entropy=int(seed), spawn_key=(int(replication), stable_hash(name)))
    return np.random.Generator(np.random.PCG64(seq))


class Streams:
    """Factory of named streams for one replication; asking twice for a name is an error."""

    def __init__(self, seed: int, replication: int = 0):
        self.seed = int(seed)
        self.replication = int(replication)
        self._issued: set[str] = set()

    def get(self, name: str) -> np.random.Generator:
        """Return the stream ``name``; each name is issued once so no two processes share draws."""
        if name in self._issued:
            raise ValueError(f"random stream '{name}' was already issued in this run")
        self._issued.add(name)
        return stream(self.seed, self.replication, name)
