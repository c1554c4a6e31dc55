"""parbench's Python pool workload, pool_map: multiprocessing's Pool and a pool of fresh
processes (parbench_py.py runs it)."""

import multiprocessing.pool
import os
import time

from parbench_py_core import MASK64, WrongResult, sum_squares_below


def pool_task(x, terms):
    acc = 0
    for k in range(terms):
        v = x + k
        acc += v * v
    return acc & MASK64


def run_chunk(fn, args, out_queue, start):
    out_queue.put((start, [fn(*a) for a in args]))


class FreshProcessPool:
    """No pool: a process forked for every chunk, up to `size` at a time."""

    def __init__(self, ctx, size):
        self.ctx, self.size = ctx, size

    def starmap(self, fn, args, chunksize):
        chunksize = chunksize or max(1, -(-len(args) // (4 * self.size)))  # Pool.map's default
        chunks = [(s, args[s:s + chunksize]) for s in range(0, len(args), chunksize)]
        chunks.reverse()
        out = self.ctx.Queue()
        results = [None] * len(args)
        running = {}
        pending = len(chunks)
        while pending:
            while chunks and len(running) < self.size:
                start, part = chunks.pop()
                p = self.ctx.Process(target=run_chunk, args=(fn, part, out, start))
                p.start()
                running[start] = p
            start, values = out.get()
            results[start:start + len(values)] = values
            pending -= 1
            running.pop(start).join()
        return results

    def close(self):
        pass

    def join(self):
        pass


class PoolMap:
    def __init__(self, p, workers, kit):
        self.kind = p["pool"]
        self.tasks = int(p["tasks"])
        self.chunksize = int(p["chunksize"]) or None
        self.terms = int(p["task_terms"])
        self.size = int(p["pool_workers"]) or os.cpu_count() or 1
        self.kit = kit
        one = []
        for x in range(21):
            t0 = time.perf_counter_ns()
            pool_task(x, self.terms)
            one.append(time.perf_counter_ns() - t0)
        self.task_ns = sorted(one)[10]
        # Per worker: on py_thread the workers share this object, and each has a pool of its own.
        self.pools = {}
        self.start_ns = {}

    def before_gate(self, i):
        t0 = time.monotonic_ns()
        if self.kind == "thread":
            self.pools[i] = multiprocessing.pool.ThreadPool(self.size)
        elif self.kind == "process":
            self.pools[i] = self.kit.ctx.Pool(self.size)
        else:
            self.pools[i] = FreshProcessPool(self.kit.ctx, self.size)
        self.start_ns[i] = time.monotonic_ns() - t0

    def work(self, i):
        first = i * self.tasks
        args = [(first + k, self.terms) for k in range(self.tasks)]
        pool = self.pools[i]
        t0 = time.monotonic_ns()
        results = pool.starmap(pool_task, args, self.chunksize)
        t1 = time.monotonic_ns()
        pool.close()
        pool.join()
        t2 = time.monotonic_ns()
        checksum = sum((k + 1) * r for k, r in enumerate(results)) & MASK64
        return {"map_ns": t1 - t0, "stop_ns": t2 - t1, "start_ns": self.start_ns[i],
                "checksum": checksum, "results": len(results)}

    def after(self, outs, wall_ns):
        for i, o in enumerate(outs):
            first = i * self.tasks
            want = sum((k + 1) * ((sum_squares_below(first + k + self.terms)
                                   - sum_squares_below(first + k)) & MASK64)
                       for k in range(self.tasks)) & MASK64
            if o["results"] != self.tasks or o["checksum"] != want:
                raise WrongResult(f"pool_map: worker {i} got {o['results']} of {self.tasks} "
                                  f"results with checksum {o['checksum']}, expected {want}")
        map_ns = max(o["map_ns"] for o in outs)
        per_task = map_ns / self.tasks
        return {"map_ns": map_ns, "per_task_ns": per_task, "task_ns": self.task_ns,
                "overhead_ns": per_task * self.size - self.task_ns,
                "pool_start_ns": max(o["start_ns"] for o in outs),
                "pool_stop_ns": max(o["stop_ns"] for o in outs),
                "pool_size": self.size}, self.tasks * len(outs)
