"""Request states of the ledger: every request ends in exactly one of SEEN, DNA, WAITING, LOST.

BOOKED is the state in flight (an appointment not yet reached, or a place in today's walk-in queue).
"""

BOOKED, SEEN, DNA, WAITING, LOST = 0, 1, 2, 3, 4
STATE_NAMES = {SEEN: "seen", DNA: "dna", WAITING: "waiting", LOST: "lost", BOOKED: "booked"}
