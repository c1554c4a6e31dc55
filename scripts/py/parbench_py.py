#!/usr/bin/env python3
"""parbench's Python reference workloads: the backends py_thread and py_process.

parbench runs this script once per repetition:

    parbench_py.py --mode thread|process --workload NAME --workers N [--cpus 0,1] --param K=V ...
    parbench_py.py --describe [--param target=MODULE:FUNCTION ...]

It runs the workload's Python version on threading or multiprocessing (fork) workers under the
harness's rules and prints one JSON line: the timings, the verified result's metrics, or
{"error": ...} / {"unsupported": ...}. Standard library only. The pyfunc workload, a user's own
function, is run by parbench_func.py beside it; --describe says what the interpreter is and
whether pyfunc's target imports, before a run starts.

The rules, as in the C++ harness: every worker prepares, checks in at a barrier and waits at a gate;
the gate opens once all are in; wall time runs from the gate's opening to the last worker's finish
(time.monotonic_ns, the CLOCK_MONOTONIC parbench uses); each worker's CPU time, context switches
and page faults cover its own timed region (getrusage RUSAGE_THREAD); the result is checked, and a
wrong one is an error, never a timing.

Which Python object stands for which parameter value is listed in README.md ("Python reference
backends").

The workloads' Python versions are in the modules beside it (parbench_py_work.py: cpu_sum, sleep
and the IPC workloads; parbench_py_sync.py: locks, bank, proxy_store, event, semaphore;
parbench_py_pool.py: pool_map), what they share in parbench_py_core.py; parbench runs this file by
path with the machine's python3, whose import path starts at this directory, so nothing is
installed. Its statistics are checked against the C++ ones by a test (tests/test_python.cpp).
"""

import argparse
import json
import multiprocessing as mp
import os
import queue
import resource
import sys
import threading
import time

# Run as a script (or re-imported by a spawned worker), this file is also the module parbench_func
# imports: one copy of the harness's functions. The exceptions and the at-fork hook are in
# parbench_py_core, one module either way.
if __name__ in ("__main__", "__mp_main__"):
    sys.modules["parbench_py"] = sys.modules[__name__]

import parbench_py_core as core  # noqa: E402 - after the alias, so parbench_func shares it
from parbench_py_core import Kit, Unsupported, WrongResult, calibrate_busy  # noqa: E402
from parbench_py_core import die_with  # noqa: E402,F401 - parbench_func calls harness.die_with
from parbench_py_pool import PoolMap  # noqa: E402
from parbench_py_sync import Bank, EventWake, LockContention, ProxyStore, SemaphoreAdmit  # noqa: E402
from parbench_py_work import CpuSum, IpcFanin, IpcPingpong, Sleep  # noqa: E402

WORKLOADS = {
    "cpu_sum": CpuSum,
    "sleep": Sleep,
    "ipc_pingpong": IpcPingpong,
    "ipc_fanin": IpcFanin,
    "lock_contention": LockContention,
    "bank": Bank,
    "proxy_store": ProxyStore,
    "event": EventWake,
    "semaphore": SemaphoreAdmit,
    "pool_map": PoolMap,
}


# ---- the harness ----


def run_delay_ns():
    """Time this thread was runnable but waiting for a CPU (schedstat's run_delay), or None."""
    try:
        with open("/proc/thread-self/schedstat") as f:
            return int(f.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None


def usage():
    return resource.getrusage(resource.RUSAGE_THREAD), run_delay_ns()


def timing_of(ready_ns, pass_ns, end_ns, u0, u1):
    """A worker's timing as parbench reads it: its moments and its timed region's resource use."""
    (r0, delay0), (r1, delay1) = u0, u1
    timing = {
        "ready_ns": ready_ns, "pass_ns": pass_ns, "end_ns": end_ns,
        "user_ns": round((r1.ru_utime - r0.ru_utime) * 1e9),
        "sys_ns": round((r1.ru_stime - r0.ru_stime) * 1e9),
        "vol_ctx_switches": r1.ru_nvcsw - r0.ru_nvcsw,
        "invol_ctx_switches": r1.ru_nivcsw - r0.ru_nivcsw,
        "minor_faults": r1.ru_minflt - r0.ru_minflt,
        "major_faults": r1.ru_majflt - r0.ru_majflt,
        "max_rss_kb": r1.ru_maxrss,
    }
    if delay0 is not None and delay1 is not None:
        timing["run_delay_ns"] = delay1 - delay0
    return timing


def collect(results, runners, workers, process):
    """Every worker's (timing, output) by index, or {"error": ...} for the first that failed or
    died before reporting. Each worker puts (index, error, timing, output) into `results`."""
    got = {}
    errors = []
    while len(got) + len(errors) < workers:
        try:
            i, err, timing, out = results.get(timeout=0.1)
        except queue.Empty:
            if process:
                dead = [i for i, r in enumerate(runners)
                        if r.exitcode not in (None, 0) and i not in got]
                if dead:
                    return {"error": f"worker {dead[0]} exited with code {runners[dead[0]].exitcode} "
                                     "before reporting"}
            continue
        if err:
            errors.append(err)
        else:
            got[i] = (timing, out)
    for r in runners:
        r.join()
    if errors:
        return {"error": errors[0]}
    return got


def release_and_collect(runners, ready, gate, results, workers, process):
    """Starts the runners, waits until every one is at the ready barrier (or one failed before
    it), opens the gate; returns the moment it opened and collect()'s answer."""
    for r in runners:
        r.start()
    try:
        ready.wait()
    except threading.BrokenBarrierError:
        pass  # a worker failed before the gate; its error is in the queue
    release_ns = time.monotonic_ns()
    gate.set()
    return release_ns, collect(results, runners, workers, process)


def answer(timings, launch_ns, release_ns, units, metrics):
    """The JSON answer of a run whose workers all reported."""
    passes = [t["pass_ns"] for t in timings]
    return {
        "wall_ns": max(t["end_ns"] for t in timings) - release_ns,
        "launch_ns": launch_ns,
        "release_ns": release_ns,
        "startup_ns": max(t["ready_ns"] for t in timings) - launch_ns,
        "start_skew_ns": max(passes) - min(passes),
        "workers": timings,
        "work_units": units,
        "metrics": metrics,
        "python": sys.version.split()[0],
    }


def run(mode, name, params, workers, cpus):
    if name == "pyfunc":
        import parbench_func  # a user's function: its own runner, for every start method
        return parbench_func.run(mode, params, workers, cpus)
    if name not in WORKLOADS:
        raise Unsupported(f"{name} has no Python version; those that do: {', '.join(sorted(WORKLOADS))}")
    kit = Kit(mode)
    wl = WORKLOADS[name](params, workers, kit)
    ready = kit.barrier(workers + 1)
    gate = kit.event()
    results = kit.queue()

    def body(i):
        at_gate = False
        try:
            if cpus:
                os.sched_setaffinity(0, {cpus[i]})  # the calling thread only
            if hasattr(wl, "before_gate"):
                wl.before_gate(i)
            ready_ns = time.monotonic_ns()
            ready.wait()
            at_gate = True
            gate.wait()
            r0 = usage()
            pass_ns = time.monotonic_ns()
            out = wl.work(i)
            end_ns = time.monotonic_ns()
            results.put((i, None, timing_of(ready_ns, pass_ns, end_ns, r0, usage()), out))
        except BaseException as e:  # noqa: BLE001 - every failure becomes the run's error
            if not at_gate:
                # Past the barrier an abort could still break a worker waking from it.
                ready.abort()
            results.put((i, f"worker {i}: {type(e).__name__}: {e}", None, None))

    launch_ns = time.monotonic_ns()
    if kit.process:
        runners = [kit.ctx.Process(target=body, args=(i,)) for i in range(workers)]
    else:
        runners = [threading.Thread(target=body, args=(i,), daemon=True) for i in range(workers)]
    release_ns, got = release_and_collect(runners, ready, gate, results, workers, kit.process)
    if "error" in got:
        return got
    timings = [got[i][0] for i in range(workers)]
    outs = [got[i][1] for i in range(workers)]
    wall_ns = max(t["end_ns"] for t in timings) - release_ns
    metrics, units = wl.after(outs, wall_ns)
    return answer(timings, launch_ns, release_ns, units, metrics)


def gil_enabled():
    """Whether this interpreter runs with its global lock: sys._is_gil_enabled() where it has it
    (3.13 and later; a free-threaded build may run without), else True."""
    probe = getattr(sys, "_is_gil_enabled", None)
    return bool(probe()) if probe else True


def describe(params):
    """What this interpreter is, and whether a user's target (pyfunc's parameters) imports and is
    callable: parbench asks once before a run starts. A problem is {"bad": ...}."""
    import platform
    info = {
        "executable": sys.executable,
        "version": platform.python_version(),
        "implementation": platform.python_implementation(),
        "gil_enabled": gil_enabled(),
        "start_methods": mp.get_all_start_methods(),
        "busy_ns_per_iteration": calibrate_busy(),
        "default_start_method": mp.get_context().get_start_method(),
    }
    if "target" in params:
        import parbench_func
        try:
            parbench_func.check_declaration(params)
        except parbench_func.BadTarget as e:
            return {"bad": str(e)}
    return info


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--describe", action="store_true",
                    help="print what this interpreter is and check the pyfunc target; run nothing")
    ap.add_argument("--mode", choices=["thread", "process"])
    ap.add_argument("--workload")
    ap.add_argument("--workers", type=int)
    ap.add_argument("--cpus", default="")
    ap.add_argument("--param", action="append", default=[])
    ap.add_argument("--busy-ns-per-iteration", type=float,
                    help="the busy loop's calibration (--describe measures it); else measured here")
    a = ap.parse_args()
    if a.busy_ns_per_iteration and a.busy_ns_per_iteration > 0:
        core.BUSY_NS_PER_ITERATION = a.busy_ns_per_iteration
    params = dict(p.split("=", 1) for p in a.param)
    if a.describe:
        answer_ = describe(params)
    elif a.mode is None or a.workload is None or a.workers is None:
        ap.error("--mode, --workload and --workers are required to run")
    else:
        cpus = [int(c) for c in a.cpus.split(",")] if a.cpus else []
        try:
            answer_ = run(a.mode, a.workload, params, a.workers, cpus)
        except Unsupported as e:
            answer_ = {"unsupported": str(e)}
        except WrongResult as e:
            answer_ = {"error": f"wrong result: {e}"}
        except Exception as e:  # noqa: BLE001 - reported to parbench as an error row
            answer_ = {"error": f"{type(e).__name__}: {e}"}
    sys.stdout.write(json.dumps(answer_) + "\n")
    sys.stdout.flush()
    # Skip interpreter teardown: worker threads of a failed run may still be blocked.
    os._exit(0)


if __name__ == "__main__":
    main()
