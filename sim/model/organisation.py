"""Practices, PCNs and the LGPO as plain objects that group agents and own pooled things."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PracticeUnit:
    """A practice in the running model: its list, its staff and its booking unit index."""

    index: int
    code: str
    name: str
    pcn: int
    list_size: int
    access_mode: str = "booked"
    staff: list[int] = field(default_factory=list)  # indices into model.staff


@dataclass
class PCNUnit:
    """A Primary Care Network: member practices and PCN-employed staff (a pooled booking unit)."""

    index: int
    code: str
    name: str
    unit: int  # booking-unit index of the PCN's pooled diary
    practices: list[int] = field(default_factory=list)
    staff: list[int] = field(default_factory=list)

    def list_size(self, practices: list[PracticeUnit]) -> int:
        """Registered patients across member practices."""
        return sum(practices[p].list_size for p in self.practices)


@dataclass
class LGPOUnit:
    """The larger-scale GP organisation (federation): its PCNs and LGPO-employed staff."""

    code: str
    name: str
    pcns: list[int] = field(default_factory=list)
    staff: list[int] = field(default_factory=list)
