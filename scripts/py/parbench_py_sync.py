"""parbench's Python synchronization workloads: lock_contention, bank, proxy_store, event and
semaphore (parbench_py.py runs them)."""

import time

from parbench_py_core import Unsupported, WrongResult, jain, quantile, spin_ns


def python_lock(kit, name):
    if name != "posix_sem":
        raise Unsupported(
            f"lock {name} has no Python version; the Python backends have posix_sem "
            "(multiprocessing.Lock, a POSIX semaphore)")
    return kit.ctx.Lock()


class LockContention:
    def __init__(self, p, workers, kit):
        self.lock = python_lock(kit, p["lock"])
        self.cs_ns = int(p["cs_ns"])
        self.outside_ns = int(p["outside_ns"])
        self.duration_ns = int(p["duration_ms"]) * 1_000_000
        self.holder = kit.raw_value("i", -1)
        self.last = kit.raw_value("i", -1)
        self.total = kit.raw_value("q", 0)
        self.handoffs = kit.raw_value("q", 0)

    def work(self, i):
        lock, holder, last, total, handoffs = self.lock, self.holder, self.last, self.total, self.handoffs
        n, overlaps, samples, sections = 0, 0, [], []
        deadline = time.monotonic_ns() + self.duration_ns
        while time.monotonic_ns() < deadline:
            sample = n % 8 == 0
            t0 = time.perf_counter_ns() if sample else 0
            lock.acquire()
            if sample:
                t1 = time.perf_counter_ns()
                samples.append(t1 - t0)
            if holder.value != -1:
                overlaps += 1
            holder.value = i
            total.value += 1
            if last.value != i:
                handoffs.value += 1
                last.value = i
            spin_ns(self.cs_ns)
            holder.value = -1
            lock.release()
            if sample:
                # The critical section as it ran, from acquired to released, as the C++ side
                # measures it: the busy work, the protected updates and the release.
                sections.append(time.perf_counter_ns() - t1)
            n += 1
            spin_ns(self.outside_ns)
        return n, overlaps, samples, sections

    def after(self, outs, wall_ns):
        counts = [o[0] for o in outs]
        overlaps = sum(o[1] for o in outs)
        if overlaps or self.total.value != sum(counts):
            raise WrongResult(f"lock_contention: {overlaps} entries found the lock held, "
                              f"{self.total.value} counted under it for {sum(counts)} acquisitions")
        samples = sorted(s for o in outs for s in o[2])
        sections = sorted(s for o in outs for s in o[3])
        total = sum(counts)
        return {
            "ops_per_s": total / (wall_ns * 1e-9),
            "jain": jain(counts),
            "handoff_rate": self.handoffs.value / total if total else 0.0,
            "acq_p50_ns": quantile(samples, 0.5),
            "acq_p99_ns": quantile(samples, 0.99),
            "acq_max_ns": samples[-1] if samples else float("nan"),
            "cs_p50_ns": quantile(sections, 0.5),
        }, total


class Bank:
    START = 1_000_000

    def __init__(self, p, workers, kit):
        self.lock = None if p["lock"] == "none" else python_lock(kit, p["lock"])
        self.ops = int(p["ops"])
        self.amount = int(p["amount"])
        self.workers = workers
        self.balance = kit.raw_value("q", self.START)
        self.updates = kit.raw_value("q", 0)

    def work(self, i):
        balance, updates, amount, lock = self.balance, self.updates, self.amount, self.lock
        for k in range(2 * self.ops):
            delta = amount if k % 2 == 0 else -amount
            if lock is not None:
                with lock:
                    balance.value += delta
                    updates.value += 1
            else:
                balance.value += delta
                updates.value += 1
        return None

    def after(self, outs, wall_ns):
        expected = 2 * self.ops * self.workers
        lost = expected - self.updates.value
        drift = self.balance.value - self.START
        if self.lock is not None and (lost or drift):
            raise WrongResult(f"bank: under the lock the balance drifted by {drift} and "
                              f"{lost} of {expected} updates were lost")
        return {"ops_per_s": expected / (wall_ns * 1e-9), "lost_updates": lost,
                "balance_drift": drift}, expected


class ProxyStore:
    """Worker 0 stands for the server (a Manager's process serves the dict); the others are
    clients that set and read back keys of their own."""

    def __init__(self, p, workers, kit):
        if workers < 2:
            raise Unsupported("proxy_store needs a server and at least one client (2+ workers)")
        self.store = p["store"]
        self.keys = int(p["keys"])
        self.ops = int(p["ops"])
        self.set_pct = int(p["set_pct"])
        self.clients = workers - 1
        self.manager = None
        if self.store == "proxy":
            self.manager = kit.ctx.Manager()  # its server process is a child of this interpreter
            self.table = self.manager.dict()
        else:
            self.table = kit.ctx.Array("q", self.keys, lock=True)  # a Lock around a shared array

    def work(self, i):
        if i == 0:
            return None
        client = i - 1
        own = max(1, self.keys // self.clients)
        base = client * own
        last = {}
        times = []
        x = 12345 + i
        for j in range(self.ops):
            x = (x * 1103515245 + 12345) & 0x7FFFFFFF
            key = base + x % own
            value = (i << 32) | j
            t0 = time.perf_counter_ns()
            if x % 100 < self.set_pct:
                if self.manager is not None:
                    self.table[key] = value
                else:
                    with self.table.get_lock():
                        self.table[key] = value
                times.append(time.perf_counter_ns() - t0)
                last[key] = value
            else:
                if self.manager is not None:
                    got = self.table.get(key, 0)
                else:
                    with self.table.get_lock():
                        got = self.table[key]
                times.append(time.perf_counter_ns() - t0)
                if got != last.get(key, 0):
                    raise WrongResult(f"proxy_store: client {client} read {got} from key {key}, "
                                      f"last set {last.get(key, 0)}")
        return times

    def after(self, outs, wall_ns):
        if self.manager is not None:
            self.manager.shutdown()
        times = sorted(t for o in outs[1:] for t in o)
        total = self.ops * self.clients
        if len(times) != total:
            raise WrongResult(f"proxy_store: {len(times)} operations of {total}")
        return {"ops_per_s": total / (wall_ns * 1e-9), "op_p50_ns": quantile(times, 0.5),
                "op_p99_ns": quantile(times, 0.99), "op_max_ns": times[-1]}, total


class EventWake:
    """Worker 0 sets an Event once per round; the others wait on it. Wake-up latency is from the
    set to each waiter running."""

    def __init__(self, p, workers, kit):
        if p["mechanism"] != "condvar":
            raise Unsupported(
                f"mechanism {p['mechanism']} has no Python version; the Python backends have "
                "condvar (threading.Event / multiprocessing.Event, both a condition variable)")
        if workers < 2:
            raise Unsupported("event needs a setter and at least one waiter (2+ workers)")
        self.rounds = int(p["rounds"])
        self.gap_s = int(p["gap_us"]) / 1e6
        self.event = kit.event()
        self.round = kit.raw_value("q", -1)
        self.set_at = kit.raw_value("q", 0)
        self.barrier = kit.barrier(workers)
        self.waiters = workers - 1

    def work(self, i):
        ev, barrier = self.event, self.barrier
        wakes = []
        for r in range(self.rounds):
            if i == 0:
                time.sleep(self.gap_s)  # the waiters go back to sleep
                self.round.value = r
                self.set_at.value = time.monotonic_ns()
                ev.set()
            else:
                ev.wait()
                wakes.append(time.monotonic_ns() - self.set_at.value)
                if self.round.value != r:
                    raise WrongResult(f"event: a waiter woke in round {r} to round {self.round.value}")
            barrier.wait()  # every waiter is awake
            if i == 0:
                ev.clear()
            barrier.wait()  # cleared before anyone waits again
        return wakes

    def after(self, outs, wall_ns):
        per_waiter = outs[1:]
        if any(len(w) != self.rounds for w in per_waiter):
            raise WrongResult("event: a waiter missed a round")
        wakes = sorted(t for w in per_waiter for t in w)
        last = sorted(max(w[r] for w in per_waiter) for r in range(self.rounds))
        return {"wake_p50_ns": quantile(wakes, 0.5), "wake_p99_ns": quantile(wakes, 0.99),
                "wake_max_ns": wakes[-1], "all_woken_p50_ns": quantile(last, 0.5)}, \
            self.rounds * self.waiters


class SemaphoreAdmit:
    def __init__(self, p, workers, kit):
        if p["mechanism"] != "posix_sem":
            raise Unsupported(
                f"mechanism {p['mechanism']} has no Python version; the Python backends have "
                "posix_sem (multiprocessing.Semaphore)")
        self.k = int(p["k"])
        self.sem = kit.ctx.Semaphore(self.k)
        self.cs_ns = int(p["cs_ns"])
        self.duration_ns = int(p["duration_ms"]) * 1_000_000
        self.inside = kit.ctx.Value("i", 0)  # with its own lock: counting must not race

    def work(self, i):
        sem, inside = self.sem, self.inside
        n, most = 0, 0
        deadline = time.monotonic_ns() + self.duration_ns
        while time.monotonic_ns() < deadline:
            sem.acquire()
            with inside.get_lock():
                inside.value += 1
                most = max(most, inside.value)
            spin_ns(self.cs_ns)
            with inside.get_lock():
                inside.value -= 1
            sem.release()
            n += 1
        return n, most

    def after(self, outs, wall_ns):
        most = max(o[1] for o in outs)
        if most > self.k:
            raise WrongResult(f"semaphore: {most} workers inside a semaphore of {self.k}")
        counts = [o[0] for o in outs]
        return {"ops_per_s": sum(counts) / (wall_ns * 1e-9), "max_inside": most,
                "jain": jain(counts)}, sum(counts)
