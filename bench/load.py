"""Load (issue 8): 500 simulated people of one school at once for 60 s against the release
server: 350 pupils, 100 parents on their child's account (on the same accounts, at the same
time) and 50 teachers. Each logs in once, then lists and reads mail, sends some, lists,
downloads and uploads small files, and opens the calendar, with 0.2-2 s between clicks
(`bench/load/`, a Rust load generator built by `bench/run`).

Usage: python3 bench/load.py [sqlite|postgres] [seconds]   (after a release build)
Writes docs/load-<backend>.md.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import crash  # noqa: E402  the release server and its set-up helpers
import measure  # noqa: E402

ROOT = measure.ROOT
PASSWORD = measure.PASSWORD


def make_ready(port, login, start):
    """Through the first sign-in, then signed out: the load run signs in again, as a person would."""
    cookie = measure.first_sign_in(port, login, start)
    measure.post(port, "/api/auth/logout", {}, cookie)
    return cookie


def main():
    backend = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 60
    data, port, env, db_url = crash.fresh_deployment(backend, "load")
    server = crash.Server(env)
    server.start()
    domain = "last.example"
    try:
        measure.cli(env, "admin", "create-school", "Lastschule", domain)
        _, office = measure.ready_person(port, env, domain, "secretariat", "Sina")
        classes = [f"{g}{c}" for g in "1234" for c in "abcd"]
        csv = "Vorname;Nachname;Klasse\n" + "".join(f"Kind{i};Last;{classes[i % 16]}\n" for i in range(350))
        _, _, import_id = measure.post(port, "/api/users/import-upload", {"file_name": "last.csv", "content": csv}, office)
        status, _, body = measure.post(port, "/api/users/import-apply", {"id": import_id.decode()}, office)
        assert status == 200, body
        ids = []
        for page in range(1, 10):
            listing = measure.json_post(port, "/api/users/list", {"query": "kind", "sort": "login", "page": str(page)}, office)
            ids += [row["id"] for row in listing["rows"]]
        slips = measure.json_post(port, "/api/users/start-passwords", {f"user_ids[{i}]": u for i, u in enumerate(ids)}, office)
        pupils = [(s["login"], s["start_password"]) for s in slips]
        teachers = []
        for i in range(50):
            out = measure.cli(env, "admin", "create-user", domain, "teacher", f"Lehrkraft{i}", "Last")
            teachers.append((re.search(r"login: (\S+)", out).group(1), re.search(r"start password: (\S+)", out).group(1)))
        setup_started = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda a: make_ready(port, *a), pupils + teachers))
        setup_secs = time.monotonic() - setup_started

        accounts = []
        for i, (login, _) in enumerate(pupils):
            accounts.append({"login": login, "password": PASSWORD, "kind": "pupil",
                             "peer": f"{pupils[(i + 1) % len(pupils)][0]}@{domain}"})
        for i in range(100):
            login = pupils[i * 3][0]
            accounts.append({"login": login, "password": PASSWORD, "kind": "parent",
                             "peer": f"{teachers[i % len(teachers)][0]}@{domain}"})
        for i, (login, _) in enumerate(teachers):
            accounts.append({"login": login, "password": PASSWORD, "kind": "teacher",
                             "peer": f"klasse-{classes[i % 16]}@{domain}"})
        accounts_file = os.path.join(data, "accounts.json")
        with open(accounts_file, "w") as f:
            json.dump(accounts, f)
        rss_before = measure.rss_mb(server.proc.pid)
        result = subprocess.run([f"{ROOT}/target/bench/release/schulhof-load", f"http://127.0.0.1:{port}",
                                 accounts_file, str(seconds)], capture_output=True, text=True, check=True)
        rss_after = measure.rss_mb(server.proc.pid)
        report = json.loads(result.stdout)
    finally:
        server.kill()
        shutil.rmtree(data, ignore_errors=True)
        if db_url:
            subprocess.run(["psql", crash.PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {db_url.rsplit('/', 1)[1]} WITH (FORCE)"])

    errors = sum(k["errors"] for k in report["kinds"].values())
    rows = "\n".join(
        f"| {kind} | {k['count']:,} | {k['p50']:.1f} ms | {k['p95']:.1f} ms | {k['p99']:.1f} ms | {k['errors']} |"
        for kind, k in sorted(report["kinds"].items()))
    text = f"""# Load on {backend}

Written by `bench/load.py {backend} {seconds}` on {time.strftime('%Y-%m-%d %H:%M')} UTC, on
{os.cpu_count()} cores, the load generator on the same machine. 500 simulated people at once:
350 pupils, 100 parents on their child's account (the same accounts, at the same time) and 50
teachers, each logging in once (spread over the first 5 s) and then clicking every 0.2–2 s for
{seconds} s. Getting the 400 accounts ready beforehand (start password, policy, own password)
took {setup_secs:.0f} s.

| | result | target |
|---|---|---|
| requests per second, all kinds | {report['rps']:,.1f} ({report['requests']:,} in {report['seconds']:.0f} s) | – |
| errors | {errors} | 0 |
| server RSS before / after | {rss_before:.0f} MB / {rss_after:.0f} MB | – |

| kind | requests | p50 | p95 | p99 | errors |
|---|---|---|---|---|---|
{rows}
"""
    with open(os.path.join(ROOT, f"docs/load-{backend}.md"), "w") as f:
        f.write(text)
    print(text)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
