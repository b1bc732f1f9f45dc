"""Request states of the ledger: every request ends in exactly one of SEEN, DNA, WAITING, LOST, GAVE_UP.

GAVE_UP: a contact that never got through the front door (sim.model.front_door), so it never
reached booking. BOOKED is the state in flight (an appointment not yet reached, or a place in today's walk-in queue).
"""

BOOKED, SEEN, DNA, WAITING, LOST, GAVE_UP = 0, 1, 2, 3, 4, 5
STATE_NAMES = {SEEN: "seen", DNA: "dna", WAITING: "waiting", LOST: "lost", BOOKED: "booked", GAVE_UP: "gave_up"}
