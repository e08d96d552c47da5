"""Off-CPU time of one process, from `perf script` of a system-wide `sched:sched_switch`
recording with call chains (see bench/transfers.py): for each of its threads, the time from
being switched out to being switched back in, summed by thread name, state (S sleeping,
D waiting for the disk, R preempted), the system call it waited in, and the first frame of
the code that made the call.

    perf script -i perf.data -F comm,pid,tid,time,event,trace,ip,sym | python3 bench/offcpu.py PID
"""
import collections
import re
import sys

OURS = ("app::", "schulhof", "tokio", "hyper", "multer", "sqlx")


def main():
    pid = sys.argv[1]
    switched_out = {}
    total = collections.Counter()
    count = collections.Counter()
    first = last = None
    for block in sys.stdin.read().split("\n\n"):
        rows = block.strip().split("\n")
        head = rows[0]
        found = re.search(r"^\s*\S.*?\s+(\d+)/(\d+)\s+(?:\[\d+\]\s+)?([\d.]+):\s+sched:sched_switch:", head)
        if not found:
            continue
        at = float(found.group(3))
        first = at if first is None else first
        last = at
        prev_tid = re.search(r"prev_pid=(\d+)", head).group(1)
        next_tid = re.search(r"next_pid=(\d+)", head).group(1)
        if next_tid in switched_out:
            since, reason = switched_out.pop(next_tid)
            total[reason] += at - since
            count[reason] += 1
        if found.group(1) == pid and found.group(2) == prev_tid:
            state = re.search(r"prev_state=(\S+)", head).group(1)
            comm = re.search(r"prev_comm=(.*?) prev_pid", head).group(1)
            frames = [re.sub(r"\+0x[0-9a-f]+$", "", r.split()[1]) for r in rows[1:] if len(r.split()) > 1]
            call = next((f for f in frames if f.startswith(("__x64_sys_", "__do_sys_"))), None)
            if call is None:
                call = "preempted" if state.startswith("R") else next(
                    (f for f in frames if "schedule" not in f), "?")
            ours = next((f for f in frames if any(o in f for o in OURS)), "")
            switched_out[prev_tid] = (at, (comm, state, call, ours[:80]))
    print(f"recording spans {(last or 0) - (first or 0):.3f} s")
    print(f"{'off-CPU ms':>11} {'times':>7}  thread           state  system call / reason      first frame of ours")
    for reason, secs in total.most_common(25):
        comm, state, call, ours = reason
        print(f"{secs * 1000:11.1f} {count[reason]:7d}  {comm:16} {state:6} {call:25} {ours}")


if __name__ == "__main__":
    main()
