"""Request states of the ledger: every request ends in exactly one of SEEN, DNA, WAITING, LOST, GAVE_UP, RESOLVED.

GAVE_UP: a contact that never got through the front door (sim.model.front_door), so it never
reached booking; RESOLVED: resolved at triage without an appointment (total triage). BOOKED is the state in flight (an appointment not yet reached, or a place in today's walk-in queue).
"""

BOOKED, SEEN, DNA, WAITING, LOST, GAVE_UP, RESOLVED = 0, 1, 2, 3, 4, 5, 6
STATE_NAMES = {SEEN: "seen", DNA: "dna", WAITING: "waiting", LOST: "lost", BOOKED: "booked", GAVE_UP: "gave_up",
               RESOLVED: "resolved"}
