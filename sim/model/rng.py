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

    def keyed(self, *key: int | str) -> np.random.Generator:
        """A generator for one decision, keyed by what it concerns (a staff key, a month, a request).

        The same key gives the same draws in every scenario (common random numbers), so unlike
        :meth:`get` a key may be asked for again. Strings are keyed by their :func:`stable_hash`.
        """
        ints = [k if isinstance(k, int) else stable_hash(str(k)) for k in key]
        return np.random.default_rng([self.seed, self.replication, *ints])

    def rank(self, name: str) -> int:
        """A stable pseudo-random rank of ``name`` in this replication (rota orders)."""
        return stable_hash(f"{self.seed}/{self.replication}/{name}")
