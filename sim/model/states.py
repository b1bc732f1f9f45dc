"""Request states of the ledger: every request ends in exactly one of SEEN, DNA, WAITING, LOST, GAVE_UP, RESOLVED, NAVIGATED.

GAVE_UP: a contact that never got through the front door (sim.model.front_door), so it never
reached booking; RESOLVED: resolved at triage without an appointment (total triage); NAVIGATED: sent by a care navigator
to community pharmacy, self-care or a social prescriber instead of an appointment. BOOKED is the state in flight (an appointment not yet reached, or a place in today's walk-in queue).
"""

BOOKED, SEEN, DNA, WAITING, LOST, GAVE_UP, RESOLVED, NAVIGATED = 0, 1, 2, 3, 4, 5, 6, 7
STATE_NAMES = {SEEN: "seen", DNA: "dna", WAITING: "waiting", LOST: "lost", BOOKED: "booked", GAVE_UP: "gave_up",
               RESOLVED: "resolved", NAVIGATED: "navigated"}
