"""ABS-2, P1: the morning lists at the start of a school day, and the guardian's home page.

A school of 400 pupils (16 classes of 25) and 700 guardians, 20 children reported absent and 8
marked missing without a report today. Measured with wrk like the other benchmarks, as ratios
to a bare axum server run in the same script, medians of several rounds:
- a class teacher's morning list (`absences/class-day`), 64 connections;
- the secretariat's list of children missing without a report (`absences/missing`);
- bytes on the wire of a guardian's start page with two children (P1).
Appends its table to docs/benchmarks.md. Not part of the test run: `bench/run` calls it.
"""
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import measure  # noqa: E402  (the same helpers and the same method)

ROOT = measure.ROOT
DOMAIN = "linden.example"
ROUNDS = 3
CLASSES = [f"{grade}{letter}" for grade in range(1, 5) for letter in "abcd"]


def today():
    return time.strftime("%Y-%m-%d", time.localtime())


def fill_school(port, env, data):
    """The school, its pupils through the secretariat's endpoint, the guardians and today's
    absences straight into the database file. Returns the cookies and ids the runs need."""
    office = measure.school_office(port, env, "Lindenschule", DOMAIN, "Olga")
    for n in range(400):
        status, _, body = measure.post(port, "/api/users/create", {
            "first_name": f"Kind{n}", "last_name": f"Linde{n:03d}", "role": "pupil",
            "class": CLASSES[n % len(CLASSES)]}, office)
        assert status == 200, body
    teacher_login, teacher = measure.ready_person(port, env, DOMAIN, "teacher", "Tilo")
    groups = measure.json_post(port, "/api/groups/list", {"query": "1a"}, office)
    class_id = groups[0]["id"]
    measure.json_post(port, "/api/groups/add-member",
                      {"group_id": class_id, "login": teacher_login, "owner": "true"}, office)

    db = sqlite3.connect(os.path.join(data, "schulhof.db"), timeout=60)
    school = db.execute("SELECT id FROM schools WHERE mail_domain = ?", (DOMAIN,)).fetchone()[0]
    pupils = [row[0] for row in db.execute(
        "SELECT id FROM users WHERE school_id = ? AND role = 'pupil' ORDER BY id", (school,))]
    now = int(time.time())
    with db:
        # 700 guardians: one household for most children, two for 300 of them.
        for n in range(700):
            cur = db.execute(
                "INSERT INTO users (school_id, login, first_name, last_name, role, status, created_at, sort_key, search_key)"
                " VALUES (?, ?, ?, ?, 'guardian', 'active', ?, ?, ?)",
                (school, f"eltern.{n}", f"Elter{n}", f"Linde{n % 400:03d}", now,
                 f"linde{n % 400:03d} elter{n}", f"elter{n} linde{n % 400:03d}"))
            db.execute("INSERT INTO guardian_links (guardian_id, pupil_id, school_id, created_at) VALUES (?, ?, ?, ?)",
                       (cur.lastrowid, pupils[n % 400], school, now))
            db.execute("INSERT INTO address_fields (user_id, phone, show_phone, updated_at) VALUES (?, ?, TRUE, ?)",
                       (cur.lastrowid, f"0151 {n:07d}", now))
        day = today()
        for i, pupil in enumerate(pupils[:28]):
            if i < 20:
                db.execute(
                    "INSERT INTO absences (school_id, pupil_id, from_day, to_day, part, source, reason, note, reported_at, excused)"
                    " VALUES (?, ?, ?, ?, 'whole', 'guardian', 'sick', '', ?, TRUE)", (school, pupil, day, day, now))
            else:
                db.execute(
                    "INSERT INTO absences (school_id, pupil_id, from_day, to_day, source, reported_at)"
                    " VALUES (?, ?, ?, ?, 'teacher', ?)", (school, pupil, day, day, now))
    db.close()

    # A parent registers with a printed code, as families do, and has a second child linked.
    status, _, page = measure.post(port, "/admin/guardian-codes",
                                   {"user_id": pupils[0], "copies": "1"}, office, accept="text/html")
    assert status == 200, status
    code = re.search(r'data-testid="guardian-code"[^>]*>([A-Z2-9-]{19})<', page.decode()).group(1)
    status, set_cookie, body = measure.post(port, "/api/guardians/register", {
        "code": code, "first_name": "Paula", "last_name": "Linde", "password": "Wolke-Radio-Gurke-83!",
        "repeat": "Wolke-Radio-Gurke-83!"})
    assert status == 200, body
    guardian = set_cookie.split(";")[0]
    policy = measure.json_post(port, "/api/policy/current", {}, guardian)
    measure.post(port, "/api/policy/accept", {"version_id": policy["id"]}, guardian)
    db = sqlite3.connect(os.path.join(data, "schulhof.db"), timeout=60)
    with db:
        gid = db.execute("SELECT id FROM users WHERE login LIKE 'paula.linde%'").fetchone()[0]
        db.execute("INSERT INTO guardian_links (guardian_id, pupil_id, school_id, created_at) VALUES (?, ?, ?, ?)",
                   (gid, pupils[17], school, now))
    db.close()
    return office, teacher, class_id, guardian


def main():
    data = tempfile.mkdtemp(prefix="schulhof-bench-absences-")
    port, base_port = measure.free_port(), measure.free_port()
    env = dict(os.environ, SCHULHOF_DATA=data, SCHULHOF_ADDR=f"127.0.0.1:{port}", SCHULHOF_LOG="warn")
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen([f"{ROOT}/target/release/schulhof", "serve"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    baseline = subprocess.Popen([f"{ROOT}/target/bench/release/bare-axum", f"127.0.0.1:{base_port}"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        measure.wait_for_200(port)
        measure.wait_for_200(base_port)
        office, teacher, class_id, guardian = fill_school(port, env, data)
        listed = measure.json_post(port, "/api/absences/class-day", {"group_id": class_id}, teacher)
        assert len(listed["rows"]) == 25, listed
        missing = measure.json_post(port, "/api/absences/missing", {}, office)
        assert len(missing) == 8 and all(m["guardians"] for m in missing), missing
        weights = measure.page_weight(port, "/", guardian)
        rounds = []
        for _ in range(ROUNDS):
            base = measure.wrk_rps(base_port, seconds=5, connections=64)
            morning = measure.wrk_signed_in(port, teacher, "/api/absences/class-day", f"group_id={class_id}", 5, 64)
            office_list = measure.wrk_signed_in(port, office, "/api/absences/missing", "", 5, 64)
            rounds.append((base, morning, office_list))
    finally:
        server.terminate()
        baseline.terminate()
        server.wait()
        baseline.wait()

    def median(pick):
        return statistics.median(pick(r) for r in rounds)

    base_rps = median(lambda r: r[0])
    kb = sum(w[1] for w in weights) / 1024
    table = f"""
## Absences at the start of a school day (ABS-2, P1)

A school of 400 pupils (16 classes of 25) and 700 guardians, 20 children reported absent and
8 marked missing without a report today; wrk, 2 threads, 64 connections, 5 s, median of
{ROUNDS} rounds, each beside a bare axum `/healthz` round in the same run
(`python3 bench/absences.py`).

| what | baseline | Schulhof | goal |
|---|---|---|---|
| a class teacher's morning list (`absences/class-day`, 25 pupils) | bare axum: {base_rps:,.0f} req/s | {median(lambda r: r[1][0]):,.0f} req/s = {median(lambda r: r[1][0] / r[0]):.1%} of bare axum; p99 {median(lambda r: r[1][1]):.1f} ms; {sum(r[1][2] for r in rounds)} errors | p99 < 50 ms |
| the secretariat's list (`absences/missing`, 8 children, their guardians and numbers) | bare axum: {base_rps:,.0f} req/s | {median(lambda r: r[2][0]):,.0f} req/s = {median(lambda r: r[2][0] / r[0]):.1%} of bare axum; p99 {median(lambda r: r[2][1]):.1f} ms; {sum(r[2][2] for r in rounds)} errors | p99 < 50 ms |
| P1: bytes on the wire, a guardian's start page with two children (no island) | – | {kb:.1f} KB | ≤ 200 KB |
"""
    print(table)
    path = os.path.join(ROOT, "docs", "benchmarks.md")
    with open(path) as f:
        text = f.read()
    text = re.sub(r"\n## Absences at the start of a school day.*?(?=\n## |\Z)", "", text, flags=re.S)
    with open(path, "w") as f:
        f.write(text.rstrip("\n") + "\n" + table)


if __name__ == "__main__":
    main()
