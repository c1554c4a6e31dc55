"""parbench's Python workloads of computation and message passing: cpu_sum, sleep, ipc_pingpong
and ipc_fanin (parbench_py.py runs them)."""

import queue
import time
import zlib

from parbench_py_core import MASK64, Unsupported, WrongResult, count_or, jain, quantile, \
    sum_squares_below, worker_range


# ---- workloads: __init__ checks parameters (Unsupported), before_gate and work run in each
# worker, after() verifies the outputs and returns (metrics, work units). ----

class CpuSum:
    def __init__(self, p, workers, kit):
        self.n = int(p["n"])
        self.scaling = p["scaling"]
        self.computed = self.n + self.n * int(p["extra_pct"]) // 100
        self.workers = workers

    def work(self, i):
        begin, end = worker_range(self.scaling, self.computed, i, self.workers)
        acc = 0
        for k in range(begin, end):
            acc += k * k
        return acc

    def after(self, outs, wall_ns):
        total_items = self.computed * self.workers if self.scaling == "weak" else self.computed
        got = sum(outs) & MASK64
        want = sum_squares_below(total_items) & MASK64
        if got != want:
            raise WrongResult(f"cpu_sum: sum of squares is {got}, closed form says {want}")
        units = self.n * self.workers if self.scaling == "weak" else self.n
        return {}, units


class Sleep:
    def __init__(self, p, workers, kit):
        self.ms = int(p["ms"])
        self.workers = workers

    def work(self, i):
        t0 = time.monotonic_ns()
        time.sleep(self.ms / 1000)
        return time.monotonic_ns() - t0 - self.ms * 1_000_000

    def after(self, outs, wall_ns):
        if min(outs) < 0:
            raise WrongResult(f"sleep: a worker woke {-min(outs)} ns early")
        return {"max_oversleep_ns": max(outs)}, self.workers


def python_channel(kit, name):
    """A pair of one-way channels for ping-pong or a task queue, as (send, receive) functions."""
    if name == "pipe":
        r, w = kit.ctx.Pipe(duplex=False)  # os.pipe underneath
        return w.send_bytes, r.recv_bytes
    if name == "shm_queue":
        q = kit.ctx.Queue()  # multiprocessing.Queue: a pipe, a lock and a feeder thread
        return q.put, q.get
    if name == "inproc_queue":
        if kit.process:
            raise Unsupported("queue.Queue (inproc_queue) does not cross processes")
        q = queue.Queue()
        return q.put, q.get
    raise Unsupported(
        f"channel {name} has no Python version; the Python backends have pipe "
        "(multiprocessing.Pipe), shm_queue (multiprocessing.Queue) and inproc_queue (queue.Queue)")


def message(seq, payload):
    return seq.to_bytes(8, "little") + (zlib.crc32(payload) ^ (seq & 0xFFFFFFFF)).to_bytes(8, "little") + payload


def check_message(msg, seq, size, what):
    if len(msg) != size:
        raise WrongResult(f"{what}: message {seq} has {len(msg)} bytes, sent {size}")
    got_seq = int.from_bytes(msg[:8], "little")
    crc = int.from_bytes(msg[8:16], "little")
    if got_seq != seq or crc != zlib.crc32(msg[16:]) ^ (seq & 0xFFFFFFFF):
        raise WrongResult(f"{what}: message {seq} arrived as {got_seq} or corrupted")


class IpcPingpong:
    def __init__(self, p, workers, kit):
        if workers != 2:
            raise Unsupported("ipc_pingpong runs with exactly 2 workers")
        if p["wait"] != "block":
            raise Unsupported("Python channels only block (wait=block)")
        self.size = max(16, int(p["size"]))
        self.count = count_or(int(p["count"]), self.size, 8 << 20, 20, 1000)
        self.ping = python_channel(kit, p["channel"])
        self.pong = python_channel(kit, p["channel"])
        self.payload = bytes((k * 31) & 0xFF for k in range(self.size - 16))

    def work(self, i):
        send_ping, recv_ping = self.ping
        send_pong, recv_pong = self.pong
        if i == 1:
            for seq in range(self.count):
                msg = recv_ping()
                check_message(msg, seq, self.size, "ipc_pingpong echo")
                send_pong(msg)
            return None
        rtts = []
        for seq in range(self.count):
            msg = message(seq, self.payload)
            t0 = time.perf_counter_ns()
            send_ping(msg)
            back = recv_pong()
            rtts.append(time.perf_counter_ns() - t0)
            check_message(back, seq, self.size, "ipc_pingpong reply")
        return rtts

    def after(self, outs, wall_ns):
        rtts = sorted(outs[0])
        if len(rtts) != self.count:
            raise WrongResult(f"ipc_pingpong: {len(rtts)} round trips of {self.count}")
        return {
            "rtt_p50_ns": quantile(rtts, 0.5),
            "rtt_p90_ns": quantile(rtts, 0.9),
            "rtt_p99_ns": quantile(rtts, 0.99),
            "rtt_p999_ns": quantile(rtts, 0.999),
            "rtt_max_ns": rtts[-1],
        }, self.count


class IpcFanin:
    """P producers put tasks into one queue; the other workers drain it until every producer's
    sentinel has arrived, and report what they did."""

    def __init__(self, p, workers, kit):
        if p["wait"] != "block":
            raise Unsupported("Python channels only block (wait=block)")
        self.producers = int(p["producers"])
        self.consumers = workers - self.producers
        if self.consumers < 1:
            raise Unsupported(f"ipc_fanin needs more workers than its {self.producers} producers")
        self.size = max(16, int(p["size"]))
        self.count = count_or(int(p["count"]), self.size, 32 << 20, 2000, 50_000)
        self.send, self.recv = python_channel(kit, p["channel"])
        self.payload = bytes((k * 7) & 0xFF for k in range(self.size - 16))

    def work(self, i):
        if i < self.producers:
            for seq in range(self.count * i // self.producers, self.count * (i + 1) // self.producers):
                self.send(message(seq, self.payload))
            for _ in range(self.consumers):
                self.send(b"")  # a sentinel: this producer is done
            return None
        done, sentinels = [], 0
        while sentinels < self.producers:
            msg = self.recv()
            if not msg:
                sentinels += 1
                continue
            seq = int.from_bytes(msg[:8], "little")
            check_message(msg, seq, self.size, "ipc_fanin task")
            done.append(seq)
        return done

    def after(self, outs, wall_ns):
        done = [d for d in outs[self.producers:]]
        seen = sorted(s for d in done for s in d)
        if seen != list(range(self.count)):
            raise WrongResult(f"ipc_fanin: {len(seen)} tasks done for {self.count} put, "
                              f"{len(set(seen))} distinct")
        shares = [len(d) for d in done]
        mean = self.count / len(shares)
        seconds = wall_ns * 1e-9
        return {
            "msgs_per_s": self.count / seconds,
            "mb_per_s": self.count * self.size / seconds / 1e6,
            "jain": jain(shares),
            "min_share": min(shares) / mean,
        }, self.count
