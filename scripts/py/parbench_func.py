"""parbench's pyfunc workload: a user's own function on threading or multiprocessing workers.

parbench_py.py hands it the pyfunc cases. Each worker imports the target, prepares and waits at
the gate like every parbench worker, and calls

    target(index, workers, **kwargs)

once inside the timed region: worker `index` of `workers` does its share, as the multiprocessing
tutorials split work. The parent passes the return values, in worker order, to the check function,
`check(results, workers, **kwargs)`, which returns None or True when they are right and False or a
message when they are not; a wrong result is an error row, never a timing. check=auto (the
default) uses check_<function> of the target's module when it has one; without a check the rows
say so (metric checked=0).

Process workers start by the multiprocessing start method asked for (fork, spawn, forkserver, or
the interpreter's default), so a worker gets everything as arguments and imports the target
itself; its return value must pickle. A Python exception anywhere is an error with its type,
message and the innermost frames of the user's code.
"""

import importlib
import json
import multiprocessing as mp
import os
import pickle
import queue
import sys
import threading
import time
import traceback

import parbench_py as harness


class BadTarget(Exception):
    """The declaration cannot run: parbench stops with exit 2 before anything is measured."""


def locate(text, path, what):
    """'MODULE:FUNCTION' (imported from `path`) or 'FILE.py:FUNCTION' -> (directory, module,
    function)."""
    module, sep, function = text.rpartition(":")
    if not sep or not module or not function:
        raise BadTarget(f"{what}={text!r} is not MODULE:FUNCTION or FILE.py:FUNCTION")
    if module.endswith(".py"):
        file = os.path.abspath(module)
        if not os.path.isfile(file):
            raise BadTarget(f"{what}={text}: no file {file}")
        return os.path.dirname(file), os.path.basename(file)[:-3], function
    directory = os.path.abspath(path or ".")
    if not os.path.isdir(directory):
        raise BadTarget(f"path={path}: no such directory (where {what}'s module is imported from)")
    return directory, module, function


def load(directory, module, function, what="target"):
    """The callable, imported from `directory`; BadTarget saying why it cannot be."""
    if directory not in sys.path:
        sys.path.insert(0, directory)
    try:
        mod = importlib.import_module(module)
    except BaseException as e:  # noqa: BLE001 - a module can raise anything while it imports
        raise BadTarget(f"{what} {module}:{function}: cannot import {module} from {directory}: "
                        f"{describe_exception(e)}") from None
    fn = getattr(mod, function, None)
    if fn is None:
        raise BadTarget(f"{what} {module}:{function}: module {module} ({mod.__file__}) has no "
                        f"attribute {function}")
    if not callable(fn):
        raise BadTarget(f"{what} {module}:{function}: {function} is a {type(fn).__name__}, "
                        "not callable")
    return fn


class Declaration:
    """pyfunc's parameters, checked: what to call, how to check it, with what."""

    def __init__(self, params):
        self.target = locate(params.get("target", ""), params.get("path", "."), "target")
        check = params.get("check", "auto")
        self.auto_check = check == "auto"
        if check in ("auto", "none", ""):  # auto: check_<function> when the module has one
            self.check = (self.target[0], self.target[1], f"check_{self.target[2]}")
            if not self.auto_check:
                self.check = None
        elif ":" not in check:  # a function of the target's module
            self.check = (self.target[0], self.target[1], check)
        else:
            self.check = locate(check, params.get("path", "."), "check")
        try:
            self.kwargs = json.loads(params.get("kwargs", "") or "{}")
        except json.JSONDecodeError as e:
            raise BadTarget(f"kwargs={params.get('kwargs')}: not JSON: {e}") from None
        if not isinstance(self.kwargs, dict):
            raise BadTarget(f"kwargs={params.get('kwargs')}: expected a JSON object of keyword "
                            "arguments, e.g. {\"n\": 1000000}")
        self.start = params.get("start", "default")
        self.python = params.get("python", "default")
        self.weak = params.get("scaling", "strong") == "weak"


def check_function(decl):
    """The check to run, or None: an auto check the target's module lacks is none."""
    if decl.check is None:
        return None
    if decl.auto_check:
        load(*decl.target)
        if not callable(getattr(sys.modules[decl.target[1]], decl.check[2], None)):
            return None
    return load(*decl.check, what="check")


def check_declaration(params):
    """Raises BadTarget unless the target (and the check) import and are callable here, and the
    start method exists."""
    d = Declaration(params)
    load(*d.target)
    check_function(d)
    if d.start != "default" and d.start not in mp.get_all_start_methods():
        raise BadTarget(f"start={d.start}: this interpreter has {', '.join(mp.get_all_start_methods())}")


def describe_exception(e):
    """'ValueError: message (at work.py:14 in inner <- work.py:20 in count)': the innermost frames
    outside parbench's own files."""
    ours = {"parbench_func.py", "parbench_py.py"}
    frames = [f for f in traceback.extract_tb(e.__traceback__)
              if os.path.basename(f.filename) not in ours and not f.filename.startswith("<frozen")
              and f"{os.sep}importlib{os.sep}" not in f.filename]
    where = " <- ".join(f"{os.path.basename(f.filename)}:{f.lineno} in {f.name}"
                        for f in reversed(frames[-3:]))
    message = " ".join(str(e).split())
    return f"{type(e).__name__}: {message}" + (f" (at {where})" if where else "")


def worker(i, workers, decl, cpus, ready, gate, results, process, parent_pid):
    """One worker, a thread or a process of any start method: everything comes as arguments."""
    at_gate = False
    try:
        if parent_pid:
            harness.die_with(parent_pid)  # spawned: no at-fork hook ran in this process
        if cpus:
            os.sched_setaffinity(0, {cpus[i]})
        fn = load(*decl.target)
        ready_ns = time.monotonic_ns()
        ready.wait()
        at_gate = True
        gate.wait()
        r0 = harness.usage()
        pass_ns = time.monotonic_ns()
        value = fn(i, workers, **decl.kwargs)
        end_ns = time.monotonic_ns()
        timing = harness.timing_of(ready_ns, pass_ns, end_ns, r0, harness.usage())
        if process:
            try:
                value = pickle.dumps(value)
            except Exception as e:  # noqa: BLE001 - said as the worker's error
                raise TypeError(f"its return value cannot be sent to the parent: {e}") from None
    except BaseException as e:  # noqa: BLE001 - every failure becomes the run's error
        if not at_gate:
            # Past the barrier an abort could still break a worker waking from it.
            ready.abort()
        results.put((i, f"worker {i}: {describe_exception(e)}", None, None))
        return
    results.put((i, None, timing, value))


def verify(decl, values, workers):
    """Runs the check function on the workers' return values: WrongResult when it says no.
    Returns whether there was one."""
    check = check_function(decl)
    if check is None:
        return False
    name = f"{decl.check[1]}:{decl.check[2]}"
    try:
        verdict = check(values, workers, **decl.kwargs)
    except Exception as e:  # noqa: BLE001 - the check's own failure is an error row
        raise harness.WrongResult(f"check {name} raised {describe_exception(e)}") from None
    if verdict is None or verdict is True:
        return True
    if verdict is False:
        raise harness.WrongResult(f"check {name} returned False for the {workers} workers' results")
    raise harness.WrongResult(f"check {name}: {verdict}")


def run(mode, params, workers, cpus):
    try:
        decl = Declaration(params)
        load(*decl.target)  # here first: a failing import is one error, not one per worker
    except BadTarget as e:
        return {"error": str(e)}
    process = mode == "process"
    if not process and decl.start != "default":
        raise harness.Unsupported("start= applies to py_process; threads have no start method "
                                  "(py_thread runs with start=default)")
    ctx = mp.get_context(None if decl.start == "default" else decl.start)
    if process:
        ready, gate, results = ctx.Barrier(workers + 1), ctx.Event(), ctx.Queue()
        parent_pid = os.getpid() if ctx.get_start_method() == "spawn" else 0
        runners = [ctx.Process(target=worker, args=(i, workers, decl, cpus, ready, gate, results,
                                                    True, parent_pid)) for i in range(workers)]
    else:
        ready, gate, results = threading.Barrier(workers + 1), threading.Event(), queue.Queue()
        runners = [threading.Thread(target=worker, daemon=True,
                                    args=(i, workers, decl, cpus, ready, gate, results, False, 0))
                   for i in range(workers)]
    launch_ns = time.monotonic_ns()
    release_ns, got = harness.release_and_collect(runners, ready, gate, results, workers, process)
    if "error" in got:
        return got
    timings = [got[i][0] for i in range(workers)]
    values = [pickle.loads(got[i][1]) if process else got[i][1] for i in range(workers)]
    checked = verify(decl, values, workers)
    out = harness.answer(timings, launch_ns, release_ns, workers if decl.weak else 1,
                         {"checked": 1 if checked else 0})
    out["start_method"] = ctx.get_start_method() if process else "thread"
    return out
