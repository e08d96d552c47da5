"""P4 alone, for profiling: starts the release server on a fresh data folder, runs the
concurrent uploads and downloads of `measure.file_transfers`, and prints the figures.

    python3 bench/transfers.py [rounds]
    PERF="-e sched:sched_switch" python3 bench/transfers.py 3   # records bench/perf.data
    perf script -i bench/perf.data -F comm,pid,tid,time,event,trace,ip,sym \
        | python3 bench/offcpu.py $(cat bench/perf.pid)

PERF takes `perf record` options; the recording is system-wide (`-a -g`), because the
blocking-pool threads that write to disk start after a per-process `perf` would attach.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import crash
import measure

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 11
    data, port, env, _ = crash.fresh_deployment("sqlite", "transfers")
    server = crash.Server(env)
    server.start()
    perf = None
    try:
        cookie = measure.school_office(port, env, "Dateischule", "dateien.example", "Dora")
        if os.environ.get("PERF"):
            with open(f"{HERE}/perf.pid", "w") as f:
                f.write(str(server.proc.pid))
            perf = subprocess.Popen(["perf", "record", "-q", *os.environ["PERF"].split(), "-a", "-g",
                                     "-o", f"{HERE}/perf.data"])
            time.sleep(1)
        result = measure.file_transfers(port, cookie, data, server.proc.pid, rounds=rounds)
    finally:
        if perf:
            perf.send_signal(signal.SIGINT)
            perf.wait()
        server.kill()
        shutil.rmtree(data, ignore_errors=True)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
