"""The fields every scenario intervention has: when it starts and ends, and which practices it covers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from sim.config.types import Strict


class Base(Strict):
    """Fields every intervention has."""

    # months after the scenario start: 1200 (a century) is beyond any horizon (at most 3660 days); whether the
    # intervention starts inside the run is checked against the scenario (sim.config.checks)
    start: dt.date | Annotated[int, Field(ge=0, le=1200)] = Field(
        0, description="a date, or whole months after the scenario start (0 = from the start)"
    )
    end: dt.date | Annotated[int, Field(ge=0, le=1200)] | None = Field(
        None, description="optional end (date or months), after start")
    scope: str | list[str] = Field(
        "lgpo", description="'lgpo' (whole area), one PCN code, or a list of practice codes"
    )
