"""Does the back office hold a steady backlog? Admin tasks waiting by kind, and servers against staff in post.

Runs a scenario for N days (one replication) and prints: admin staff in post against those serving
the back office, admin leavers and recruits, the area's waiting tasks every six months and at the end
by task kind, and arrivals against tasks done per working day by admin role. Not a test: a baseline
3-year run takes about 15 CPU seconds.

    python benchmarks/back_office_backlog.py [--scenario scenarios/baseline.yaml] [--days 1095]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.config.back_office import ADMIN_ROLES  # noqa: E402
from sim.config.loading import load_scenario  # noqa: E402
from sim.model.back_office import DONE, WAITING  # noqa: E402
from sim.model.interventions import attach  # noqa: E402


def main() -> None:
    """Run the scenario and print the back office's backlog figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "baseline.yaml"))
    ap.add_argument("--days", type=int, default=1095)
    ap.add_argument("--seed-replication", type=int, default=0)
    a = ap.parse_args()
    model = attach(load_scenario(a.scenario, {"horizon_days": a.days}), a.seed_replication)
    model.run()
    st = model.back_office
    active, fte = model.staff_status()
    in_post = np.array([s.index for s in model.staff if s.kind == "admin" and s.active], dtype=np.int64)
    servers = np.intersect1d(st.admin_staff[active[st.admin_staff]], in_post)
    print(f"{a.scenario}, {a.days} days: admin staff in post {in_post.size} ({fte[in_post].sum():.1f} FTE), "
          f"serving the back office {servers.size} ({fte[servers].sum():.1f} FTE)")
    events: dict[str, int] = {}
    for e in model.events:
        if e["role"] == "Admin":
            events[e["event"]] = events.get(e["event"], 0) + 1
    print("admin workforce events:", events)
    backlog = st.records["backlog"].sum(axis=1)
    print("waiting tasks every 6 months:", [int(backlog[d]) for d in range(0, model.n_sim_days, 182)],
          "at the end:", int((st.state == WAITING).sum()))
    print("waiting at the end by kind:",
          {n: int(((st.kind == k) & (st.state == WAITING)).sum()) for k, n in enumerate(st.kind_names)})
    work = int(model.cal.is_working_day[: model.n_sim_days].sum())
    for r, name in enumerate(ADMIN_ROLES):
        mine = st.role_of_kind[st.kind] == r
        if mine.any():
            print(f"  {name:20s} arrive {mine.sum() / work:8.1f} a working day, done "
                  f"{(mine & (st.state == DONE)).sum() / work:8.1f}")


if __name__ == "__main__":
    main()
