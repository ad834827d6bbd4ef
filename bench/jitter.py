#!/usr/bin/env python3
"""How steady this machine is: the same CPU-bound chunk of work (~10-15 ms), timed again and
again with nothing else from us running, and its percentiles.

  bench/jitter.py [CHUNKS]        (default 1500, ~20 s)

A latency target such as "p99 <= 20 ms" assumes that the machine's own p99/p50 is near 1.
On a shared virtual machine it is not: the chunk's p99/p50 here bounds what any request's
p99/p50 can be, whatever the code does. Prints p50/p90/p99/max in ms, the p99/p50 ratio,
and when (seconds from the start) the chunks that took more than twice the median ran, to
show whether the slow ones come in periodic bursts.
"""

import sys
import time


def chunk() -> int:
    total = 0
    for i in range(200_000):
        total += i * i
    return total


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1500
    runs = []
    for _ in range(n):
        started = time.perf_counter()
        chunk()
        runs.append((time.perf_counter() - started, started))
    ms = sorted(took * 1000 for took, _ in runs)

    def pct(q: float) -> float:
        return ms[int(q * (len(ms) - 1))]

    p50 = pct(0.5)
    print(f"chunks {n}: p50 {p50:.2f} ms, p90 {pct(0.9):.2f}, p99 {pct(0.99):.2f}, "
          f"max {ms[-1]:.2f}; p99/p50 {pct(0.99) / p50:.2f}")
    t0 = runs[0][1]
    slow = [round(at - t0, 2) for took, at in runs if took * 1000 > 2 * p50]
    print(f"chunks over 2x p50: {len(slow)}, at (s): {slow[:30]}")


if __name__ == "__main__":
    main()
