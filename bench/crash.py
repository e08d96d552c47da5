"""Crash safety (issue 8): the release server under a mixed write load, killed with SIGKILL at
random moments and restarted, then checked.

Writers upload files, send mail with an attachment, create and edit calendar events, and
import class lists; each write the server acknowledged (200) is recorded here, on the client.
After the last restart:

- every acknowledged write is there (files compared byte for byte);
- every file a user can see downloads whole, at its listed size;
- after the collector ran, no blob is left that no row references;
- the database passes its own integrity check (SQLite `PRAGMA integrity_check`, PostgreSQL
  `amcheck` on every B-tree index);
- `schulhof audit verify` passes.

Usage: python3 bench/crash.py [sqlite|postgres] [kills]   (after a release build)
Writes docs/crash-safety-<backend>.md and exits non-zero when anything was lost.
"""
import hashlib
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import measure  # noqa: E402  the shared HTTP helpers

ROOT = measure.ROOT
PG_ADMIN = os.environ.get("SCHULHOF_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PASSWORD = measure.PASSWORD


class Server:
    def __init__(self, env):
        self.env = env
        self.port = int(env["SCHULHOF_ADDR"].rsplit(":", 1)[1])
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen([f"{ROOT}/target/release/schulhof", "serve"], cwd=ROOT, env=self.env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        measure.wait_for_200(self.port, 60)

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()


def request(port, method, path, body=b"", headers=None, timeout=30):
    """One request; (status, body), or (None, b"") when the server was not there."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        conn.request(method, path, body=body, headers={
            "Origin": f"http://127.0.0.1:{port}", "Accept": "application/json", **(headers or {})})
        res = conn.getresponse()
        data = res.read()
        conn.close()
        return res.status, data
    except (OSError, http.client.HTTPException):
        return None, b""


def call(port, cookie, endpoint, fields):
    return request(port, "POST", f"/api/{endpoint}", urllib.parse.urlencode(fields).encode(), {
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})


def upload(port, cookie, name, data):
    boundary = "crashgrenze" + hashlib.sha1(name.encode()).hexdigest()[:8]
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    status, answer = request(port, "POST", "/files/upload?space=me&folder=0", body, {
        "Content-Type": f"multipart/form-data; boundary={boundary}", "Cookie": cookie}, timeout=60)
    return status, (json.loads(answer)["ids"][0] if status == 200 else None)


class Ledger:
    """What the server acknowledged, recorded on the client side."""

    def __init__(self):
        self.lock = threading.Lock()
        self.files = {}        # id -> sha256
        self.mails = []        # subjects
        self.events = {}       # title -> None; or id -> last acknowledged title
        self.event_edits = {}  # id -> (version, title)
        self.imports = []      # first names
        self.attempts = 0

    def add(self, kind, key, value=None):
        with self.lock:
            getattr(self, kind)[key] = value

    def append(self, kind, value):
        with self.lock:
            getattr(self, kind).append(value)


def writers(port, people, ledger, stop):
    pupil_cookie, teacher_cookie, office_cookie, pupil_login, domain = people
    counter = iter(range(10**9))

    def uploads():
        while not stop.is_set():
            n = next(counter)
            data = os.urandom(random.randint(1, 2048) * 1024)
            ledger.attempts += 1
            status, fid = upload(port, pupil_cookie, f"crash-{n}.bin", data)
            if status == 200:
                ledger.add("files", fid, hashlib.sha256(data).hexdigest())

    def mails():
        while not stop.is_set():
            n = next(counter)
            data = os.urandom(64 * 1024)
            status, fid = upload(port, teacher_cookie, f"anhang-{n}.bin", data)
            if status != 200:
                continue
            ledger.add("files", fid, hashlib.sha256(data).hexdigest())
            subject = f"Post {n}"
            to = f"{pupil_login}@{domain}"
            status, draft = call(port, teacher_cookie, "mail/attach", {
                "draft": 0, "to": to, "subject": subject, "body": "Hallo", "file": fid})
            if status != 200:
                continue
            ledger.attempts += 1
            status, _ = call(port, teacher_cookie, "mail/send", {
                "draft": draft.decode(), "forward": 0, "to": to, "subject": subject,
                "body": "Hallo", "format": "typed"})
            if status == 200:
                ledger.append("mails", subject)

    def events():
        fields = {"calendar": "me", "place": "", "description": "", "date": "2026-12-01", "start": "09:00",
                  "end": "10:00", "repeat": "", "until": "", "exceptions": "", "reminder": ""}
        while not stop.is_set():
            n = next(counter)
            ledger.attempts += 1
            status, eid = call(port, teacher_cookie, "calendar/create", {**fields, "title": f"Termin {n}"})
            if status != 200:
                continue
            eid = int(eid)
            ledger.add("events", f"Termin {n}")
            for version in (1, 2):
                title = f"Termin {n} geändert {version}"
                ledger.attempts += 1
                status, _ = call(port, teacher_cookie, "calendar/update", {
                    **{k: v for k, v in fields.items() if k != "calendar"}, "id": eid, "version": version,
                    "title": title})
                if status != 200:
                    break
                ledger.add("event_edits", eid, title)

    def imports():
        while not stop.is_set():
            n = next(counter)
            first = [f"Neu{n}x{i}" for i in range(3)]
            csv = "Vorname;Nachname;Klasse\n" + "".join(f"{f};Import;4c\n" for f in first)
            status, iid = call(port, office_cookie, "users/import-upload", {"file_name": f"k{n}.csv", "content": csv})
            if status != 200:
                continue
            ledger.attempts += 1
            status, _ = call(port, office_cookie, "users/import-apply", {"id": iid.decode()})
            if status == 200:
                for f in first:
                    ledger.append("imports", f)

    return [threading.Thread(target=t) for t in (uploads, uploads, mails, events, imports)]


def sql(backend, db_url, data, query):
    if backend == "sqlite":
        import sqlite3
        with sqlite3.connect(os.path.join(data, "schulhof.db")) as c:
            return [r[0] for r in c.execute(query)]
    out = subprocess.run(["psql", db_url, "-Atqc", query], capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if line]


def blobs_on_disk(data):
    root = os.path.join(data, "files")
    found = []
    for dirpath, _, names in os.walk(root):
        for name in names:
            found.append(os.path.join(dirpath, name))
    return found


def fresh_deployment(backend, purpose):
    """A new data folder, a free port and, on PostgreSQL, a new database: (data, port, env, db_url)."""
    data = tempfile.mkdtemp(prefix=f"schulhof-{purpose}-")
    port = measure.free_port()
    env = dict(os.environ, SCHULHOF_DATA=data, SCHULHOF_ADDR=f"127.0.0.1:{port}", SCHULHOF_LOG="warn")
    db_url = None
    if backend == "postgres":
        name = f"schulhof_{purpose}_{os.getpid()}"
        subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {name}"], check=True)
        db_url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
        env["DATABASE_URL"] = db_url
    else:
        env.pop("DATABASE_URL", None)
    return data, port, env, db_url


def main():
    backend = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    kills = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    data, port, env, db_url = fresh_deployment(backend, "crash")
    server = Server(env)
    server.start()
    domain = "crash.example"
    measure.cli(env, "admin", "create-school", "Crashschule", domain)
    pupil_login, pupil = measure.ready_person(port, env, domain, "pupil", "Pia")
    _, teacher = measure.ready_person(port, env, domain, "teacher", "Tom")
    _, office = measure.ready_person(port, env, domain, "secretariat", "Sina")

    ledger, stop = Ledger(), threading.Event()
    threads = writers(port, (pupil, teacher, office, pupil_login, domain), ledger, stop)
    for t in threads:
        t.start()
    started = time.monotonic()
    for _ in range(kills):
        time.sleep(random.uniform(0.5, 2.5))
        server.kill()
        server.start()
    time.sleep(1)
    stop.set()
    for t in threads:
        t.join()
    load_secs = time.monotonic() - started

    # Everything acknowledged is there; everything visible is whole.
    lost = []
    for fid, digest in ledger.files.items():
        status, body = request(port, "GET", f"/files/download/{fid}", headers={"Cookie": pupil}, timeout=60)
        if status != 200:
            status, body = request(port, "GET", f"/files/download/{fid}", headers={"Cookie": teacher}, timeout=60)
        if status != 200 or hashlib.sha256(body).hexdigest() != digest:
            lost.append(f"file {fid}")
    subjects = set(sql(backend, db_url, data, "SELECT subject FROM mail_messages m JOIN mail_items i ON i.message_id = m.id "
                                              "JOIN users u ON u.id = i.user_id WHERE u.login = '" + pupil_login + "'"))
    lost += [f"mail {s}" for s in ledger.mails if s not in subjects]
    titles = set(sql(backend, db_url, data, "SELECT title FROM calendar_events WHERE deleted_at IS NULL"))
    for title in ledger.events:
        base_present = any(t == title or t.startswith(title + " geändert") for t in titles)
        if not base_present:
            lost.append(f"event {title}")
    for eid, title in ledger.event_edits.items():
        current = sql(backend, db_url, data, f"SELECT title FROM calendar_events WHERE id = {eid}")
        # A later edit may have committed without its answer arriving; never an earlier one.
        if not current or not (current[0] == title or current[0] > title):
            lost.append(f"edit of event {eid}: {title}")
    names = set(sql(backend, db_url, data, "SELECT first_name FROM users"))
    lost += [f"import {n}" for n in ledger.imports if n not in names]

    half_visible = 0
    for cookie in (pupil, teacher):
        page = 1
        while True:
            status, body = call(port, cookie, "files/list", {"space": "me", "folder": 0, "page": page})
            entries = json.loads(body).get("entries", []) if status == 200 else []
            for entry in entries:
                if entry.get("is_folder"):
                    continue
                s, content = request(port, "GET", f"/files/download/{entry['id']}", headers={"Cookie": cookie}, timeout=60)
                if s != 200 or len(content) != entry["size"]:
                    half_visible += 1
            if len(entries) < 100:
                break
            page += 1

    # Orphans: what the killed uploads left is collected once it is old enough (an hour).
    server.kill()
    before = len(blobs_on_disk(data))
    two_hours_ago = time.time() - 7200
    for path in blobs_on_disk(data):
        os.utime(path, (two_hours_ago, two_hours_ago))
    measure.cli(env, "admin", "run-jobs")
    referenced = set(sql(backend, db_url, data, "SELECT blob_key FROM file_nodes WHERE blob_key IS NOT NULL "
                                                "UNION SELECT blob_key FROM mail_attachments"))
    on_disk = blobs_on_disk(data)
    orphans = [p for p in on_disk
               if os.path.relpath(p, os.path.join(data, "files")) not in referenced]

    if backend == "sqlite":
        integrity = ", ".join(sql(backend, db_url, data, "PRAGMA integrity_check"))
    else:
        sql(backend, db_url, data, "CREATE EXTENSION IF NOT EXISTS amcheck")
        checked = sql(backend, db_url, data,
                      "SELECT count(bt_index_check(c.oid)) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                      "JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
                      "WHERE a.amname = 'btree' AND n.nspname = 'public'")
        integrity = f"ok (amcheck on {checked[0]} B-tree indexes)"
    verify = subprocess.run([f"{ROOT}/target/release/schulhof", "audit", "verify"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    acknowledged = len(ledger.files) + len(ledger.mails) + len(ledger.events) + len(ledger.event_edits) + len(ledger.imports)

    report = f"""# Crash safety on {backend}

Written by `bench/crash.py {backend} {kills}` on {time.strftime('%Y-%m-%d %H:%M')} UTC, on
{os.cpu_count()} cores. The release server ran a mixed write load from five client threads
(two uploading files, one sending mail with an attachment, one creating and editing calendar
events, one importing class lists) for {load_secs:.0f} s and was killed with SIGKILL
{kills} times at random moments (every 0.5–2.5 s), restarted each time.

| figure | result | target |
|---|---|---|
| writes acknowledged (files {len(ledger.files)}, mails {len(ledger.mails)}, events {len(ledger.events)}, event edits {len(ledger.event_edits)}, imported pupils {len(ledger.imports)}) | {acknowledged} of {ledger.attempts} attempted | – |
| acknowledged writes lost | {len(lost)} | 0 |
| files visible but not whole | {half_visible} | 0 |
| blobs on disk after the kills / orphans left after the collector | {before} / {len(orphans)} | 0 orphans |
| database integrity | {integrity} | ok |
| `schulhof audit verify` | {'passed: ' + verify.stdout.strip() if verify.returncode == 0 else 'FAILED: ' + verify.stderr.strip()} | passes |
"""
    if lost:
        report += "\nLost: " + ", ".join(lost[:50]) + "\n"
    if orphans:
        report += "\nOrphans: " + ", ".join(orphans[:20]) + "\n"
    with open(os.path.join(ROOT, f"docs/crash-safety-{backend}.md"), "w") as f:
        f.write(report)
    print(report)
    shutil.rmtree(data, ignore_errors=True)
    if db_url:
        subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {db_url.rsplit('/', 1)[1]} WITH (FORCE)"])
    failed = lost or half_visible or orphans or integrity.split(" ")[0] != "ok" or verify.returncode != 0
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
