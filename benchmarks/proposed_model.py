"""A prototype of two changes recommended for sim/model.py, to measure what they would gain.

Not used by the simulator. ``ProposedModel`` subclasses :class:`sim.model.GPSimModel` and replaces:

1. ``_start_sessions``: instead of one SimPy process per clinician session that yields one timeout per
   appointment (about 1.3 events per appointment), walk each session's appointments in a plain loop
   with the same arithmetic SimPy does (``now + (scheduled - now)``, ``now + minutes``), and draw
   attendance and consultation lengths for all of the day's appointments in one vectorised pass. The
   day is still one SimPy step; outcomes are the same numbers (the only possible difference is the
   order of two float additions when a morning session overruns into the afternoon's start).
2. ``_book_day``: the same booking calls, with the per-request bookkeeping kept in Python lists and
   locals (no NumPy scalar stores, no repeated attribute look-ups), and the day book filled once
   per day.

``benchmarks/run.py --proposed`` times both models on the same areas and checks their summaries agree.
"""

from __future__ import annotations

import numpy as np

from sim.booking import book_request
from sim.calendar import MINUTES_PER_DAY
from sim.clinic import SessionResult
from sim.model import DNA, LOST, SEEN, GPSimModel


class ProposedModel(GPSimModel):
    """GPSimModel with sessions walked without per-appointment SimPy events and a leaner booking loop."""

    def _book_day(self, d: int) -> None:
        a, b = self.day_start[d], self.day_start[d + 1]
        if a == b:
            return
        R = self.requests
        n = b - a
        practice = R.practice[a:b].tolist()
        need = R.need[a:b].tolist()
        urgent = R.urgent[a:b].tolist()
        lead = R.lead[a:b].tolist()
        tol = R.tolerance[a:b].tolist()
        usual = self.population.usual_gp[R.patient[a:b]].tolist()
        if self.micro_team is not None:
            named = (self.population.ltc[R.patient[a:b]] >= self.micro_team[0]).tolist()
        else:
            named = None
        if self.shift is not None:
            shifted = ((R.u_triage[a:b] < self.shift[1]) & np.isin(R.need[a:b], list(self.shift[0]))).tolist()
        else:
            shifted = None
        staff_out = [-1] * n
        day_out = [-1] * n
        pool_out = [-1] * n
        walk_in: list[int] = []
        diaries, rules, cont = self.diaries, self.rules, self.need_continuity
        mt_rules = self.micro_team[1] if self.micro_team is not None else rules
        options, options_shift = self.options, getattr(self, "options_shift", None)
        access = [p.access_mode == "walk_in" for p in self.practices]
        any_walk_in = any(access)
        book_extra = self._book_extra
        for i in range(n):
            p = practice[i]
            u = urgent[i]
            if u and any_walk_in and access[p]:
                walk_in.append(a + i)
                continue
            k = need[i]
            opts = options_shift[p][k] if shifted is not None and shifted[i] else options[p][k]
            if named is not None and named[i]:
                res = book_request(diaries, opts, d, u, lead[i], tol[i], usual[i], True, mt_rules)
                prefer_cont = True
            else:
                c = cont[k]
                res = book_request(diaries, opts, d, u, lead[i], tol[i], usual[i], c, rules)
                prefer_cont = c
            if res.staff < 0 and u:
                res = book_extra(opts, d, usual[i] if prefer_cont else -1)
            if res.staff >= 0:
                staff_out[i], day_out[i], pool_out[i] = res.staff, res.day, res.pool
        staff_arr = np.array(staff_out, dtype=np.int32)
        day_arr = np.array(day_out, dtype=np.int32)
        self.appt_staff[a:b] = staff_arr
        self.appt_day[a:b] = day_arr
        self.appt_pool[a:b] = np.array(pool_out, dtype=np.int8)
        book = self.day_book
        for i in np.flatnonzero(staff_arr >= 0).tolist():  # day book in arrival order, as before
            book.setdefault(day_out[i], {}).setdefault(staff_out[i], []).append(a + i)
        lost = staff_arr < 0
        if walk_in:
            lost[np.asarray(walk_in) - a] = False
        self.state[a:b][lost] = LOST
        if walk_in:
            self._run_walk_in(d, walk_in)

    def _start_sessions(self, t: int) -> None:
        booked = self.day_book.pop(t, {})
        base = t * MINUTES_PER_DAY
        now0 = self.env.now
        R = self.requests
        sdays = self.staff_days
        specs, role_index = self.role_specs, self.role_index
        # attendance and consultation length of every appointment today, in one pass
        order = [s for s in booked if booked[s]]
        rids = np.fromiter((r for s in order for r in booked[s]), dtype=np.int64)
        attends_of: dict[int, list[bool]] = {}
        minutes_of: dict[int, list[float]] = {}
        if rids.size:
            counts = [len(booked[s]) for s in order]
            att = R.u_dna[rids] >= self.scenario.booking.dna_probability(t - R.day[rids])
            spec_of = [specs[role_index[self.staff[s].role]] for s in order]
            cv = np.repeat([sp.duration_cv for sp in spec_of], counts)
            slot = np.repeat([sp.slot_minutes for sp in spec_of], counts)
            s2 = np.log1p(cv ** 2)
            mins = slot * np.exp(np.sqrt(s2) * R.z_duration[rids] - 0.5 * s2)
            self.state[rids] = np.where(att, SEEN, DNA)
            self.duration[rids] = np.where(att, mins, 0.0)
            att_l, mins_l = att.tolist(), mins.tolist()
            k = 0
            for s, c in zip(order, counts, strict=True):
                attends_of[s], minutes_of[s] = att_l[k:k + c], mins_l[k:k + c]
                k += c
        default_start = self.scenario.booking.session_start_minutes[0]
        for s in self.staff:
            if not s.is_clinician:
                if s.active and not self.absent[s.index, t] and self.cal.is_working_day[t]:
                    sdays.admin_minutes[s.index, t] = s.fte * 450.0
                continue
            appts = booked.get(s.index, [])
            slots = int(sdays.offered_slots[s.index, t])
            if slots == 0 and not appts:
                continue
            spec = specs[role_index[s.role]]
            slot_minutes = spec.slot_minutes
            attends = attends_of.get(s.index, [])
            minutes = minutes_of.get(s.index, [])
            result = SessionResult()
            sessions = self.sessions_of(s.index, t) or [(default_start, spec.session_minutes)]
            k = 0
            for j, (start, session_minutes) in enumerate(sessions):
                last = j == len(sessions) - 1
                n_slots = int(session_minutes / slot_minutes)
                end = len(appts) if last else min(len(appts), k + n_slots)
                # booked_session's walk, with SimPy's clock arithmetic
                now = now0
                at = base + start
                if now < at:
                    now = now + (at - now)
                t0 = now
                for q in range(k, end):
                    scheduled = t0 + (q - k) * slot_minutes
                    if now < scheduled:
                        now = now + (scheduled - now)
                    if not attends[q]:
                        result.dna += 1
                        continue
                    m = minutes[q]
                    now = now + m
                    result.seen += 1
                    result.clinical_minutes += m
                k = end
                result.overtime_minutes += max(0.0, now - (t0 + n_slots * slot_minutes))
            n_sessions = sum(m for _, m in sessions) / spec.session_minutes
            sdays.admin_minutes[s.index, t] += spec.admin_minutes_per_session * n_sessions
            self._session_results.append((s.index, t, result))
        self._correspondence(t)
