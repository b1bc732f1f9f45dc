"""Paired A/B timing of two gpsim trees: python benchmarks/pair_ab.py ROOT_A FD_A ROOT_B FD_B [PAIRS] [pcn|lgpo].

Two long-lived worker processes (one per tree) run one replication each in turn, so each pair of
runs shares the machine's state of that moment; prints each pair's CPU seconds and the median ratio.
FD_A / FD_B = 1 switches the front door on. Use it when the machine's speed drifts: on 2 December the
same tree measured 0.60 s and 1.6 s CPU for a PCN year within two hours, while pairs stayed comparable.
Works on trees from before the December restructure (old module names) too.
"""
import statistics
import subprocess
import sys

WORKER = r'''
import os, sys, time
root, fd, kind = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, root); sys.path.insert(0, root + "/benchmarks")
import holidays.countries
import run as bench
try:
    from sim.config.loading import scenario_from_mapping
    from sim.experiments.runner import run_single
    from sim.model.clinic import start_compiled
except ImportError:
    from sim.clinic import start_compiled
    from sim.runner import run_single
    from sim.scenario_io import scenario_from_mapping
start_compiled()
m = bench.pcn_scenario() if kind == "pcn" else bench.lgpo_scenario()
if fd == "1":
    m = {**m, "front_door": {}}
run_single(scenario_from_mapping(m, "x"), 0)
print("ready", flush=True)
for line in sys.stdin:
    c0 = time.process_time()
    run_single(scenario_from_mapping(m, "x"), 0)
    print(f"{time.process_time() - c0:.4f}", flush=True)
'''

a, fa, b, fb = sys.argv[1:5]
pairs = int(sys.argv[5]) if len(sys.argv) > 5 else 10
kind = sys.argv[6] if len(sys.argv) > 6 else "pcn"
py = sys.executable
procs = [subprocess.Popen([py, "-c", WORKER, r, f, kind], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
         for r, f in ((a, fa), (b, fb))]
for p in procs:
    assert p.stdout.readline().strip() == "ready"
ra, rb = [], []
for i in range(pairs):
    order = procs if i % 2 == 0 else procs[::-1]
    out = {}
    for p in order:
        p.stdin.write("go\n")
        p.stdin.flush()
        out[id(p)] = float(p.stdout.readline())
    ra.append(out[id(procs[0])])
    rb.append(out[id(procs[1])])
for p in procs:
    p.stdin.close()
    p.wait()
ratios = [y / x for x, y in zip(ra, rb, strict=True)]
print(f"A {a} fd={fa}: median {statistics.median(ra):.3f} min {min(ra):.3f}  {ra}")
print(f"B {b} fd={fb}: median {statistics.median(rb):.3f} min {min(rb):.3f}  {rb}")
print(f"B/A: median of pair ratios {statistics.median(ratios):.3f}; ratio of mins {min(rb)/min(ra):.3f}; "
      f"pairs {[round(r, 2) for r in ratios]}")
