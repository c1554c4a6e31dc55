"""Three functions to measure with parbench's pyfunc workload, one of each kind the GIL treats
differently, each with the check parbench runs on its workers' results (check_<function>):

    parbench run pyfunc -p target=examples/python/own_code.py:count_primes -w 1,2
    parbench run pyfunc -p target=examples/python/own_code.py:sha256_blocks -w 1,2
    parbench run pyfunc -p target=examples/python/own_code.py:io_wait -w 1,2,4

Every function is called as f(index, workers, **kwargs) in each of `workers` workers and does
worker `index`'s share of one job (strong scaling), splitting it the way the multiprocessing
tutorials do.
"""

import hashlib
import time


def share(total, index, workers):
    """Worker `index`'s part of range(total)."""
    return range(total * index // workers, total * (index + 1) // workers)


# ---- pure Python: holds the GIL the whole time ----


def is_prime(k):
    if k < 2:
        return False
    d = 2
    while d * d <= k:
        if k % d == 0:
            return False
        d += 1
    return True


def count_primes(index, workers, n=120_000):
    """The primes below n in this worker's share, by trial division."""
    return sum(1 for k in share(n, index, workers) if is_prime(k))


def check_count_primes(results, workers, n=120_000):
    """Against a sieve of Eratosthenes: another method, the same count."""
    sieve = bytearray([1]) * n
    sieve[:2] = b"\0\0"[:n]
    for p in range(2, int(n ** 0.5) + 1):
        if sieve[p]:
            sieve[p * p::p] = bytes(len(range(p * p, n, p)))
    want = sum(sieve)
    return sum(results) == want or f"{sum(results)} primes below {n}, the sieve says {want}"


# ---- C code that releases the GIL: hashlib over buffers above 2 KiB ----

BLOCK = bytes(range(256)) * 4096  # 1 MiB


def sha256_blocks(index, workers, blocks=96):
    """SHA-256 of this worker's share of `blocks` 1 MiB blocks (block k: its number, then BLOCK)."""
    out = []
    for k in share(blocks, index, workers):
        h = hashlib.sha256(k.to_bytes(8, "little"))
        h.update(BLOCK)  # hashlib lets go of the GIL while it hashes a large buffer
        out.append((k, h.hexdigest()))
    return out


def check_sha256_blocks(results, workers, blocks=96):
    got = sorted(pair for part in results for pair in part)
    if [k for k, _ in got] != list(range(blocks)):
        return f"blocks hashed: {[k for k, _ in got]}, expected 0..{blocks - 1} once each"
    for k, digest in got:
        if digest != hashlib.sha256(k.to_bytes(8, "little") + BLOCK).hexdigest():
            return f"block {k}: wrong digest"
    return True


# ---- waiting, the stand-in for I/O: the GIL is released while it sleeps ----


def io_wait(index, workers, waits=8, ms=20):
    """This worker's share of `waits` waits of `ms` milliseconds each (a request, a disk read)."""
    done = 0
    for _ in share(waits, index, workers):
        time.sleep(ms / 1000)
        done += 1
    return done


def check_io_wait(results, workers, waits=8, ms=20):
    return sum(results) == waits or f"{sum(results)} waits done of {waits}"
