#!/usr/bin/env python3
"""mydia fault lab, fleet scenario (PROTOCOL.md §15): PostgreSQL and three relay nodes in network
namespaces, the real server and client, node and database faults.

Topology (addresses exist only inside this lab's namespaces; nothing leaves this machine):

    mydia-fleetPID-db (PostgreSQL 10.78.0.10) ─┐
    mydia-fleetPID-a  (relay node A 10.78.0.2) ─┤
    mydia-fleetPID-b  (relay node B 10.78.0.3) ─┤
    mydia-fleetPID-k  (relay node C 10.78.0.4) ─┼─ bridge in mydia-fleetPID-n
    mydia-fleetPID-s  (server       10.78.0.5) ─┤
    mydia-fleetPID-c  (client       10.78.0.6) ─┘

Steps: the server registers on node A (its relay list is A, B); its claim is published through A,
and a probe claim is published through C and read back through B; the client, given node B only,
finds the claim through B, is moved to A, pairs, and plays a 60 s clip; node A is killed
mid-playback: the server re-registers on B, the client's session resumes (relay via B, or direct)
with 0 failed requests and mpv plays to the end; PostgreSQL is restarted: every node answers claim
lookups again without being restarted.

Usage: fleet.py [--bin DIR] [--json FILE] [--keep]
Exit: 0 passed, 1 failed, 77 skipped (no namespaces, no PostgreSQL, no mpv), with a message.
"""
import argparse
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import ssl

import lab as baselab

PID = os.getpid()
NS = {k: f"mydia-fleet{PID}-{k}" for k in ("db", "a", "b", "k", "s", "c", "n")}
ADDR = {"db": "10.78.0.10", "a": "10.78.0.2", "b": "10.78.0.3", "k": "10.78.0.4", "s": "10.78.0.5", "c": "10.78.0.6"}
NODE = {"a": f"https://{ADDR['a']}:443", "b": f"https://{ADDR['b']}:443", "k": f"https://{ADDR['k']}:443"}
PG_PORT = 5432


def sh(*args, check=True):
    return subprocess.run(args, check=check, capture_output=True, text=True)


def in_ns(key, *args):
    return ["ip", "netns", "exec", NS[key], *args]


class Fleet:
    def __init__(self, bin_dir, work, say):
        self.bin, self.work, self.say = bin_dir, work, say
        self.procs = {}
        self.pg_bin = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
        # The playback helpers of the main lab (library, clips, `mydia-tui play`) run in this lab's
        # client namespace: lab.py looks its namespace names up at call time.
        baselab.NS.update({"c": NS["c"], "s": NS["s"]})
        self.lab = baselab.Lab(bin_dir, work, say)

    # ---- network -------------------------------------------------------------------------------
    def remove_stale(self):
        listing = sh("ip", "netns", "list").stdout
        for line in listing.splitlines():
            name = line.split()[0] if line.split() else ""
            if name.startswith("mydia-fleet") and not os.path.exists(f"/proc/{name[11:].split('-')[0]}"):
                sh("ip", "netns", "del", name, check=False)

    def network_up(self):
        self.remove_stale()
        for ns in NS.values():
            sh("ip", "netns", "add", ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        sh("ip", "-n", NS["n"], "link", "add", "br0", "type", "bridge")
        sh("ip", "-n", NS["n"], "link", "set", "br0", "up")
        for key in ADDR:
            outer, inner = f"mfl-{key}0", f"mfl-{key}1"
            sh("ip", "link", "add", outer, "netns", NS["n"], "type", "veth", "peer", "name", inner, "netns", NS[key])
            sh("ip", "-n", NS["n"], "link", "set", outer, "master", "br0", "up")
            sh("ip", "-n", NS[key], "addr", "add", f"{ADDR[key]}/24", "dev", inner)
            sh("ip", "-n", NS[key], "link", "set", inner, "up")

    def network_down(self):
        for ns in NS.values():
            sh("ip", "netns", "del", ns, check=False)

    # ---- certificates: one test CA, one certificate naming the three nodes --------------------
    def make_ca(self):
        d = os.path.join(self.work, "ca")
        baselab.make_test_ca(d, "mydia fleet lab", [ADDR["a"], ADDR["b"], ADDR["k"]])
        self.ca = d
        self.lab.ca = d

    # ---- PostgreSQL ------------------------------------------------------------------------------
    def pg(self, *args):
        return sh(*in_ns("db", "runuser", "-u", "nobody", "--", *args))

    def db_up(self):
        d = os.path.join(self.work, "pg")
        os.makedirs(d)
        os.chown(d, 65534, 65534)
        self.pgdir = d
        self.pg(f"{self.pg_bin}/initdb", "-D", f"{d}/data", "-A", "trust", "-U", "relay", "--no-sync", "-E", "UTF8")
        with open(f"{d}/data/pg_hba.conf", "a") as f:
            f.write("host all relay 10.78.0.0/24 trust\n")
        self.db_start()

    def db_start(self):
        opts = f"-p {PG_PORT} -k {self.pgdir} -c listen_addresses={ADDR['db']} -c fsync=off -c max_connections=100"
        # No pipes: the server pg_ctl leaves running would hold them open.
        subprocess.run(in_ns("db", "runuser", "-u", "nobody", "--", f"{self.pg_bin}/pg_ctl", "-D", f"{self.pgdir}/data",
                             "-o", opts, "-l", f"{self.pgdir}/log", "-w", "-t", "30", "start"),
                       check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def db_stop(self):
        self.pg(f"{self.pg_bin}/pg_ctl", "-D", f"{self.pgdir}/data", "-m", "immediate", "-w", "stop")

    # ---- processes -------------------------------------------------------------------------------
    def spawn(self, name, key, args, timeout=60):
        logf = open(os.path.join(self.work, f"{name}.log"), "ab")
        p = subprocess.Popen(in_ns(key, *args), stdout=subprocess.PIPE, stderr=logf, text=True, bufsize=1)
        self.procs[name] = p
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = p.stdout.readline()
            if not line:
                raise RuntimeError(f"{name} exited before it was ready (log: {logf.name})")
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if obj.get("event") == "ready":
                return obj
        raise RuntimeError(f"{name} not ready within {timeout} s")

    def kill(self, name):
        p = self.procs.pop(name, None)
        if p and p.poll() is None:
            p.kill()
            p.wait()

    def start_node(self, key):
        store = f"postgres://relay@{ADDR['db']}:{PG_PORT}/postgres"
        return self.spawn(f"relay-{key}", key, [
            f"{self.bin}/mydia-relay", "--host", ADDR[key], "--port", "443",
            "--tls-cert", f"{self.ca}/relay.pem", "--tls-key", f"{self.ca}/relay-key.pem",
            "--store", store, "--node-url", f"wss://{ADDR[key]}:443", "--store-pool", "4",
            "--print-ready", "--log-level", "info"])

    def start_server(self):
        return self.spawn("server", "s", [
            f"{self.bin}/mydia-server", "--relay", NODE["a"], "--relay", NODE["b"], "--relay-ca", f"{self.ca}/ca.pem",
            "--library", self.lab.library, "--state-dir", os.path.join(self.work, "server"), "--host", "127.0.0.1",
            "--direct-port", "8443", "--name", "Fleet Lab", "--print-ready", "--claim-on-start"], timeout=90)

    def http(self, key, method, url, body=None):
        """One HTTPS request from namespace `key` (python in that namespace), trusting the lab CA."""
        code = ("import json,ssl,sys,urllib.request\n"
                "ctx=ssl.create_default_context(cafile=sys.argv[3])\n"
                "req=urllib.request.Request(sys.argv[2],method=sys.argv[1],data=(sys.argv[4].encode() if len(sys.argv)>4 else None),"
                "headers={'content-type':'application/json'})\n"
                "try:\n r=urllib.request.urlopen(req,context=ctx,timeout=10); print(r.status); print(r.read().decode())\n"
                "except urllib.error.HTTPError as e: print(e.code); print(e.read().decode())\n")
        args = [sys.executable, "-c", code, method, url, f"{self.ca}/ca.pem"] + ([body] if body else [])
        out = subprocess.run(in_ns(key, *args), capture_output=True, text=True, timeout=30).stdout.splitlines()
        return (int(out[0]) if out and out[0].isdigit() else 0), "\n".join(out[1:])

    def down(self):
        self.lab.kill_players()
        for name in list(self.procs):
            self.kill(name)
        try:
            self.db_stop()
        except Exception:
            pass
        self.network_down()


def probe_claim(seed):
    import hashlib
    key = hashlib.sha256(seed.encode()).hexdigest()
    secret = "fleet-lab-secret-" + seed
    owner = hashlib.sha256(secret.encode()).hexdigest()
    body = json.dumps({"lookup_key": key, "sealed": "ZmxlZXQtbGFi", "owner": owner})
    return key, body


def run(f, res):
    f.lab.make_library()
    f.network_up()
    f.make_ca()
    f.db_up()
    for key in ("a", "b", "k"):
        f.start_node(key)
    ready = f.start_server()
    code = ready.get("claim_code")
    res.expect(bool(code), "the server printed no claim code")

    # A claim made through C is found through B (and a second POST through A conflicts).
    key, body = probe_claim(str(PID))
    status, _ = f.http("c", "POST", f"{NODE['k']}/pairing/v2/claim", body)
    res.expect(status == 204, f"claim POST through C answered {status}")
    status, text = f.http("c", "GET", f"{NODE['b']}/pairing/v2/claim/{key}")
    res.expect(status == 200 and "ZmxlZXQtbGFi" in text, f"claim GET through B answered {status}")
    status, _ = f.http("c", "POST", f"{NODE['a']}/pairing/v2/claim", body)
    res.expect(status == 409, f"second claim POST through A answered {status} (first writer wins)")

    # The client is given node B only: claim through B, moved to A, pairs.
    paired = f.lab.tui("pair", code, "--relay", NODE["b"], "--relay-ca", f"{f.ca}/ca.pem", "--name", "fleet client")
    res.expect(paired.returncode == 0, f"pairing through B failed ({paired.returncode}): {paired.stderr.strip()[:300]}")
    if paired.returncode != 0:
        return
    f.lab.find_clips()
    secrets = f.lab.secrets()

    # Play; kill node A mid-playback.
    pl = f.lab.play("60")
    res.player = pl
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (pl.first_frame() is None or pl.now() < (pl.first_frame_s() or 0) + 10):
        time.sleep(0.2)
    # Until now the instance was only on A and the client was only given B: it plays through `moved`.
    res.expect("instance registered" in open(os.path.join(f.work, "relay-a.log"), errors="replace").read(),
               "the server did not register on node A")
    res.expect("instance registered" not in open(os.path.join(f.work, "relay-b.log"), errors="replace").read(),
               "the server registered on B before A was killed (the client was not moved)")
    kill_at = time.monotonic()
    f.kill("relay-a")
    f.say("node A killed mid-playback")
    # The server re-registers on B: node B's log says so.
    registered_b = None
    while time.monotonic() < kill_at + 90:
        if "instance registered" in open(os.path.join(f.work, "relay-b.log"), errors="replace").read():
            registered_b = time.monotonic() - kill_at
            break
        time.sleep(0.2)
    res.metrics["server_on_b_after_s"] = baselab.r1(registered_b)
    res.expect(registered_b is not None, "the server never re-registered on node B")
    status = pl.finish(180)
    baselab.check_playback(res, pl, status, secrets)

    # PostgreSQL restarted: every live node answers claim lookups again, without a restart.
    f.db_stop()
    status, _ = f.http("c", "GET", f"{NODE['b']}/pairing/v2/claim/{key}")
    res.expect(status == 503, f"a lookup with the database down answered {status} (expected 503)")
    f.db_start()
    back = None
    t0 = time.monotonic()
    while time.monotonic() < t0 + 60:
        answers = [f.http("c", "GET", f"{NODE[n]}/pairing/v2/claim/{key}")[0] for n in ("b", "k")]
        if all(a == 200 for a in answers):
            back = time.monotonic() - t0
            break
        time.sleep(0.5)
    res.metrics["nodes_recovered_after_s"] = baselab.r1(back)
    res.expect(back is not None, "nodes B and C did not answer lookups after PostgreSQL came back")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(baselab.ROOT, ".build", "debug"))
    ap.add_argument("--json")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    if not baselab.namespaces_available():
        print("fleet: SKIPPED — network namespaces are unavailable here (needs root and `ip netns`).")
        return 77
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        print("fleet: SKIPPED — PostgreSQL's server is not installed (run `make deps`).")
        return 77
    for tool in ("openssl", "ffmpeg", "mpv"):
        if shutil.which(tool) is None:
            print(f"fleet: SKIPPED — `{tool}` is not installed (run `make deps`).")
            return 77
    work = tempfile.mkdtemp(prefix="mydia-fleetlab-")
    os.chmod(work, 0o755)
    say = lambda m: print(f"fleet: {m}", flush=True)
    f = Fleet(os.path.abspath(args.bin), work, say)
    res = baselab.Result("fleet", "three relay nodes on PostgreSQL: moved, node killed mid-playback, database restarted")
    began = time.monotonic()
    try:
        run(f, res)
    except Exception as e:
        res.expect(False, f"harness error: {e}")
    finally:
        f.down()
    res.metrics["duration_s"] = baselab.r1(time.monotonic() - began)
    say(f"{'PASS' if res.passed else 'FAIL'} {json.dumps(res.metrics, ensure_ascii=False)}")
    for failure in res.failures:
        say(f"  ✗ {failure}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"scenario": "fleet", "passed": res.passed, "metrics": res.metrics, "failures": res.failures}, out, indent=2)
    if res.passed and not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        say(f"work directory kept: {work}")
    print(f"fleet: {1 if res.passed else 0} passed, {0 if res.passed else 1} failed")
    return 0 if res.passed else 1


if __name__ == "__main__":
    sys.exit(main())
