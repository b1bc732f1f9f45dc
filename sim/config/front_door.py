"""The front door's schema: how patients reach their practice (telephone, online form, in person).

Off by default (``front_door: null``): requests then reach booking at the start of their day, as
before. With a ``front_door:`` block every request first goes through a channel in simulated time
(:mod:`sim.model.front_door`) and is booked when its contact is handled. Every default has its unit
and its source; most are assumptions (no national series times calls or patience), each says so.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from sim.config.types import Fraction, Strict

Channel = Literal["telephone", "online", "in_person"]
CHANNELS: tuple[str, ...] = ("telephone", "online", "in_person")
Minutes = Annotated[float, Field(gt=0.0, le=1440.0)]


class OutOfHours(Strict):
    """Requests made while the practice is closed (weekends): some urgent ones reach a hub through NHS 111.

    Off by default (weekend demand zero, as before). With it, each weekend day carries demand at
    ``weekend_day_weight`` of the mean weekday's (the week's total unchanged: weekday demand is lower
    by as much); routine weekend requests reach the practice when it opens (forms processed, phones
    ring again), and urgent ones go to NHS 111 with probability ``nhs111_urgent_share``, which books
    them into that day's open hub sessions (booked hubs) or sends them to a walk-in hub's queue.
    """

    # relative to the mean Monday-Friday weight: 1 would be a weekend as busy as a weekday
    weekend_day_weight: Annotated[float, Field(ge=0.0, le=1.0)] = Field(
        0.15, description=("demand on a Saturday or Sunday relative to the mean weekday (assumption: online forms "
                           "and 111 contacts while closed; bank holidays stay without demand)"))
    nhs111_urgent_share: Fraction = Field(
        0.5, description=("share of urgent requests made while closed that NHS 111 refers to primary care that "
                          "day (assumption; the rest wait for the practice to open)"))


class FrontDoor(Strict):
    """Channels, the telephone queue and online forms; booking in batches as contacts are handled."""

    channel_shares: dict[Channel, Fraction] = Field(
        default_factory=lambda: {"telephone": 0.65, "online": 0.2, "in_person": 0.15},
        description=("share of requests by the channel the patient first uses (assumption informed by the GP "
                     "Patient Survey 2023: most patients try the phone first, about a fifth online)"))
    # minutes after midnight: phones open 08:00, close 18:30 (GMS core hours)
    open_minute: Annotated[int, Field(ge=0, le=1439)] = Field(480, description="minute the phone lines open (08:00)")
    close_minute: Annotated[int, Field(ge=1, le=1440)] = Field(
        1110, description="minute after which no call is answered (18:30, GMS contract core hours)")
    other_calls_per_request_call: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
        1.0, description=("calls that are not requests for care (results, prescriptions, queries) per request call, "
                          "by the same hourly profile; they load the handlers (assumption)"))
    call_minutes_mean: Minutes = Field(
        4.0, description="mean minutes a handler spends on a call (exponential; assumption)")
    patience_minutes_mean: Minutes = Field(
        10.0, description="mean minutes a caller waits before hanging up (exponential; assumption)")
    reception_share_of_admin: Fraction = Field(
        0.65, description="share of a practice's admin FTE that is reception (as back_office.role_shares; assumption)")
    # handlers per reception FTE in post by hour of the day (0-23); hours not listed have no handlers
    handlers_per_reception_fte: dict[Annotated[int, Field(ge=0, le=23)], Annotated[float, Field(ge=0.0, le=1.0)]] = (
        Field(default_factory=lambda: {8: 0.5, 9: 0.45, 10: 0.35, 11: 0.3, 12: 0.25, 13: 0.25, 14: 0.3,
                                       15: 0.3, 16: 0.3, 17: 0.25, 18: 0.2},
              description=("call handlers on the phones per reception FTE by hour (the rest at the desk and in the "
                           "back office; assumption); at least one handler in every listed hour")))
    queue_positions: Annotated[int, Field(ge=0, le=1000)] = Field(
        10, description="callers who can wait in the queue beyond those being answered; more hear engaged (assumption)")
    callback_share: Fraction = Field(
        0.0, description="share of callers who would hang up that take a callback and keep their place (0: no callbacks)")
    redial_probability: Fraction = Field(
        0.8, description="probability a caller who did not get through tries again (assumption)")
    redial_same_day_share: Fraction = Field(
        0.6, description="share of redials made later the same day; the rest redial the next working day (assumption)")
    redial_delay_minutes_mean: Minutes = Field(
        20.0, description="mean minutes before a same-day redial (exponential; assumption)")
    max_attempts: Annotated[int, Field(ge=1, le=10)] = Field(
        3, description="tries before a caller gives up (assumption)")
    online_processing_minutes_mean: Minutes = Field(
        120.0, description="mean working minutes from an online form's arrival to its processing (exponential; assumption)")
    online_out_of_hours_share: Fraction = Field(
        0.3, description=("share of online forms sent in the evening or at the weekend, processed when the "
                          "practice opens (assumption; forms arrive through the day and after hours)"))
    # forms a day per 1,000 patients: None is no cap
    online_daily_cap_per_1000: Annotated[float, Field(ge=0.0, le=100.0)] | None = Field(
        None, description="forms a practice accepts a day per 1,000 patients; beyond it patients phone (None: no cap)")
    out_of_hours: OutOfHours | None = Field(
        None, description="requests made at weekends, urgent ones through NHS 111 to hubs (None: no weekend demand)")
    booking_batch_minutes: Annotated[int, Field(ge=5, le=600)] = Field(
        30, description="handled contacts are booked in batches of this many minutes; a slot that started before "
                        "the batch began cannot be taken")

    @field_validator("channel_shares")
    @classmethod
    def _shares_sum(cls, v: dict[str, float]) -> dict[str, float]:
        total = sum(v.values())
        if not 0.98 <= total <= 1.02:
            raise ValueError(f"channel shares must sum to 1 (they sum to {total:.3f})")
        return v

    @model_validator(mode="after")
    def _opens_before_close(self) -> FrontDoor:
        if self.close_minute <= self.open_minute:
            raise ValueError(f"close_minute ({self.close_minute}) must be after open_minute ({self.open_minute})")
        return self
