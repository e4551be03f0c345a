#!/usr/bin/env python3
"""mydia fault lab: the real relay, server and client in network namespaces, under scripted faults.

Topology (addresses exist only inside the lab's namespaces; nothing leaves this machine):

    mydia-labPID-c (client 10.77.0.1) ─┐
    mydia-labPID-r (relay  10.77.0.2) ─┼─ bridge in mydia-labPID-n
    mydia-labPID-s (server 10.77.0.3) ─┘

The relay serves wss:// with a certificate from a throwaway test CA; server and client trust that
CA with --relay-ca (PROTOCOL.md §12.5). The server's direct listener binds 127.0.0.1:8443 inside its
namespace and announces https://10.77.0.3:8444 (the "stranger" slot, scenario 8b) and
https://10.77.0.3:8443, where the userspace fault proxy (faultproxy.py) forwards to it; nftables in
the server namespace drops packets for the blackhole scenario. The client is `mydia-tui exercise`:
one ConnectionManager, a steady GraphQL query loop, every path change as a JSON line. The playback
scenarios (1, 1d, 4, 9, 10, soak, sec) run `mydia-tui play ID --events json` with real headless mpv
(`--vo=null --ao=null`) on clips made with ffmpeg in the work directory at setup; 10 downloads a clip
(`mydia-tui download`) and plays it with the client namespace's link down (`ip link set … down`).

The attack scenarios (dos-relay, dos-direct, dos-graphql, mdns-offlink; issue 18) add a fourth
namespace, mydia-labPID-a, with many addresses on the same bridge and one off the link; the attackers
are attack.py, run inside the namespaces.

Usage: lab.py [--scenarios 1,1d,2,3,4,5,6,7,8a,8b,9,sec,10,dos-relay,…] [--quick] [--nice N] [--soak-seconds N] [--bin DIR] [--json FILE]
Exit: 0 all passed, 1 a scenario failed, 77 namespaces unavailable (skipped, with a message).
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import attack
from player import Player, mpv_process, read_proc, timeline

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
# Namespace names carry this run's pid, so two labs (two checkouts' `make test`) never collide;
# addresses and interface names live inside the namespaces and may repeat.
NS = {k: f"mydia-lab{os.getpid()}-{k}" for k in ("c", "r", "s", "a", "n")}
ADDR = {"c": "10.77.0.1", "r": "10.77.0.2", "s": "10.77.0.3", "a": "10.77.0.4"}
# The attackers' namespace (the dos-* and mdns-offlink scenarios) holds many addresses on the lab's
# link, so per-address limits see many peers, and one address off the link (TEST-NET-2) that the
# server namespace routes back to it (so an answer to it, if one were sent, would arrive).
ATTACK_ADDRS = [f"10.77.0.{i}" for i in range(10, 130)]
OFF_LINK = "198.51.100.7"
RELAY_PORT, RELAY_PROXY_PORT, DIRECT_PORT, STRANGER_PORT = 443, 4443, 8443, 8444
RELAY_URL = f"https://{ADDR['r']}:{RELAY_PORT}"  # the server's way to the relay
CLIENT_RELAY_URL = f"https://{ADDR['r']}:{RELAY_PROXY_PORT}"  # the client's, through the relay-path fault proxy
DIRECT_URL = f"https://{ADDR['s']}:{DIRECT_PORT}"
STRANGER_URL = f"https://{ADDR['s']}:{STRANGER_PORT}"
# The playback clips (made at setup, see Lab.make_library); `id` and `bytes` are filled in then.
CLIPS = {
    "30": {"show": "Lab Clip Thirty", "title": "Thirty Seconds", "seconds": 30},
    "60": {"show": "Lab Clip Sixty", "title": "Sixty Seconds", "seconds": 60},
    # Scenario 10's: downloaded and played with the link down; no other scenario plays it, so the
    # server's progress on it can only come from the offline queue.
    "offline": {"show": "Lab Clip Offline", "title": "On The Train", "seconds": 20},
}
# The soak's clip, made only when the soak runs: a 60 s, 300 kbit/s clip repeated (stream copy) to
# outlast the soak. mpv cannot loop an HLS stream instead: with `--loop-file=inf` it either replays
# from its back buffer (no traffic at all) or, with that buffer off, stops at 0:00 after the first
# pass (mpv 0.35 / FFmpeg 5.1).
SOAK_CLIP = {"show": "Lab Soak", "title": "Long Run"}
SEGMENT_SECONDS = 4  # the server's -hls_time (MydiaStreaming's default)


def sh(*args, check=True, quiet=True):
    r = subprocess.run(list(args), stdout=subprocess.PIPE if quiet else None, stderr=subprocess.PIPE, text=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {r.stderr.strip()}")
    return r


def in_ns(ns, *args):
    return ["ip", "netns", "exec", NS[ns], *args]


def namespaces_available():
    """True when this process may create network namespaces and veth pairs."""
    if os.geteuid() != 0 or shutil.which("ip") is None:
        return False
    probe = f"mydia-lab{os.getpid()}-probe"
    ok = subprocess.run(["ip", "netns", "add", probe], capture_output=True).returncode == 0
    if ok:
        subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return ok


def make_test_ca(d, name, relay_ips):
    """A test CA in `d` (ca.pem, ca-key.pem) and a relay certificate it signed for `relay_ips`
    (relay.pem, relay-key.pem)."""
    os.makedirs(d)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    sh("openssl", "req", "-x509", *ec, "-keyout", f"{d}/ca-key.pem", "-out", f"{d}/ca.pem", "-days", "2",
       "-subj", f"/CN={name} CA", "-addext", "basicConstraints=critical,CA:TRUE",
       "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    sh("openssl", "req", *ec, "-keyout", f"{d}/relay-key.pem", "-out", f"{d}/relay.csr", "-subj", f"/CN={name} relay")
    with open(f"{d}/relay.ext", "w") as f:
        sans = ",".join(f"IP:{ip}" for ip in relay_ips)
        f.write(f"subjectAltName={sans}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    sh("openssl", "x509", "-req", "-in", f"{d}/relay.csr", "-CA", f"{d}/ca.pem", "-CAkey", f"{d}/ca-key.pem",
       "-CAcreateserial", "-days", "2", "-extfile", f"{d}/relay.ext", "-out", f"{d}/relay.pem")


class Lab:
    def __init__(self, bin_dir, work, log):
        self.bin, self.work, self.log = bin_dir, work, log
        self.procs = {}
        self.proxy_sock = os.path.join(work, "proxy.sock")
        self.relay_proxy_sock = os.path.join(work, "relay-proxy.sock")
        self.config = os.path.join(work, "client")
        self.server_state = os.path.join(work, "server")

    # ---- namespaces -------------------------------------------------------------------------

    @staticmethod
    def remove_stale_namespaces():
        """Namespaces left by a lab run that was killed (its pid is gone)."""
        listing = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
        for line in listing.splitlines():
            name = line.split()[0] if line.split() else ""
            m = re.fullmatch(r"mydia-lab(\d+)-[a-z]+", name)
            if m and not os.path.exists(f"/proc/{m.group(1)}"):
                subprocess.run(["ip", "netns", "del", name], capture_output=True)

    def teardown_network(self):
        for ns in NS.values():
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)

    def setup_network(self):
        self.remove_stale_namespaces()
        self.teardown_network()
        for ns in NS.values():
            sh("ip", "netns", "add", ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        sh("ip", "-n", NS["n"], "link", "add", "br0", "type", "bridge")
        sh("ip", "-n", NS["n"], "link", "set", "br0", "up")
        for key in ("c", "r", "s", "a"):
            outer, inner = f"mlab-{key}0", f"mlab-{key}1"
            sh("ip", "link", "add", outer, "netns", NS["n"], "type", "veth", "peer", "name", inner, "netns", NS[key])
            sh("ip", "-n", NS["n"], "link", "set", outer, "master", "br0", "up")
            sh("ip", "-n", NS[key], "addr", "add", f"{ADDR[key]}/24", "dev", inner)
            sh("ip", "-n", NS[key], "link", "set", inner, "up")
        batch = "".join(f"addr add {a}/24 dev mlab-a1\n" for a in ATTACK_ADDRS) + f"addr add {OFF_LINK}/32 dev mlab-a1\n"
        r = subprocess.run(["ip", "-n", NS["a"], "-batch", "-"], input=batch, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"attacker addresses: {r.stderr.strip()}")
        sh("ip", "-n", NS["s"], "route", "add", f"{OFF_LINK}/32", "via", ADDR["a"], "dev", "mlab-s1")

    # ---- certificates -------------------------------------------------------------------------

    def make_ca(self):
        d = os.path.join(self.work, "ca")
        make_test_ca(d, "mydia fault lab", [ADDR["r"]])
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        # The stranger of scenario 8b: any other certificate.
        sh("openssl", "req", "-x509", *ec, "-keyout", f"{d}/stranger-key.pem", "-out", f"{d}/stranger.pem", "-days", "2",
           "-subj", "/CN=not the server", "-addext", f"subjectAltName=IP:{ADDR['s']}")
        self.ca = d

    # ---- processes ----------------------------------------------------------------------------

    def spawn(self, name, ns, args, ready_json=False, ready_word=None, timeout=60):
        logf = open(os.path.join(self.work, f"{name}.log"), "ab")
        p = subprocess.Popen(in_ns(ns, *args), stdout=subprocess.PIPE, stderr=logf, text=True, bufsize=1)
        self.procs[name] = p
        deadline = time.monotonic() + timeout
        if ready_json or ready_word:
            while time.monotonic() < deadline:
                line = p.stdout.readline()
                if not line:
                    raise RuntimeError(f"{name} exited before it was ready (log: {logf.name})")
                if ready_word and line.strip() == ready_word:
                    return None
                if ready_json:
                    try:
                        obj = json.loads(line)
                    except ValueError:
                        continue
                    if obj.get("event") == "ready":
                        return obj
            raise RuntimeError(f"{name} not ready within {timeout} s")
        return None

    def stop(self, name, sig=signal.SIGTERM):
        p = self.procs.pop(name, None)
        if p is None:
            return
        if p.poll() is None:
            p.send_signal(sig)
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def start_relay(self):
        return self.spawn("relay", "r", [f"{self.bin}/mydia-relay", "--host", ADDR["r"], "--port", str(RELAY_PORT),
                                         "--tls-cert", f"{self.ca}/relay.pem", "--tls-key", f"{self.ca}/relay-key.pem",
                                         "--print-ready", "--log-level", "info"], ready_json=True)

    def start_server(self, claim=False, extra=()):
        args = [f"{self.bin}/mydia-server", "--relay", RELAY_URL, "--relay-ca", f"{self.ca}/ca.pem",
                "--library", self.library, "--state-dir", self.server_state, "--host", "127.0.0.1",
                "--direct-port", str(DIRECT_PORT), "--direct-url", STRANGER_URL, "--direct-url", DIRECT_URL,
                "--name", "Fault Lab", "--print-ready"]
        if claim:
            args.append("--claim-on-start")
        args += list(extra)
        return self.spawn("server", "s", args, ready_json=True, timeout=90)

    def start_proxy(self):
        self.spawn("proxy", "s", [sys.executable, os.path.join(HERE, "faultproxy.py"), f"{ADDR['s']}:{DIRECT_PORT}",
                                  f"127.0.0.1:{DIRECT_PORT}", self.proxy_sock], ready_word="ready")

    def start_relay_proxy(self):
        self.spawn("relay-proxy", "r", [sys.executable, os.path.join(HERE, "faultproxy.py"), f"{ADDR['r']}:{RELAY_PROXY_PORT}",
                                        f"{ADDR['r']}:{RELAY_PORT}", self.relay_proxy_sock], ready_word="ready")

    def proxy_bytes_down(self):
        """Bytes the direct-path proxy has forwarded towards the client so far."""
        return int(re.search(r"down=(\d+)", self.proxy("stats")).group(1))

    def relay_proxy(self, command):
        return self.proxy(command, self.relay_proxy_sock)

    def proxy(self, command, path=None):
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(path or self.proxy_sock)
            s.sendall((command + "\n").encode())
            reply = s.makefile().readline().strip()
        if not reply.startswith("ok"):
            raise RuntimeError(f"proxy {command}: {reply}")
        return reply

    def nft_blackhole(self, on):
        if on:
            sh(*in_ns("s", "nft", "add", "table", "inet", "mydialab"))
            sh(*in_ns("s", "nft", "add", "chain", "inet", "mydialab", "in", "{ type filter hook input priority 0 ; }"))
            sh(*in_ns("s", "nft", "add", "chain", "inet", "mydialab", "out", "{ type filter hook output priority 0 ; }"))
            sh(*in_ns("s", "nft", "add", "rule", "inet", "mydialab", "in", "tcp", "dport", str(DIRECT_PORT), "drop"))
            sh(*in_ns("s", "nft", "add", "rule", "inet", "mydialab", "out", "tcp", "sport", str(DIRECT_PORT), "drop"))
        else:
            sh(*in_ns("s", "nft", "delete", "table", "inet", "mydialab"), check=False)

    def client_env(self):
        """The client's environment: its config, state (log) and data (downloads) directories in the work directory."""
        return dict(os.environ, MYDIA_CONFIG_DIR=self.config, XDG_STATE_HOME=os.path.join(self.work, "client-state"),
                    XDG_DATA_HOME=os.path.join(self.work, "client-data"))

    def tui(self, *args, timeout=60):
        env = self.client_env()
        return subprocess.run(in_ns("c", f"{self.bin}/mydia-tui", *args), capture_output=True, text=True, env=env, timeout=timeout)

    def exercise(self, duration, interval_ms=250, fetch=False):
        self.exercises = getattr(self, "exercises", 0) + 1
        env = self.client_env()
        p = subprocess.Popen(in_ns("c", f"{self.bin}/mydia-tui", "exercise", "--duration", str(duration),
                                   "--interval-ms", str(interval_ms), *(["--fetch"] if fetch else [])),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1, env=env)
        return Exercise(p, os.path.join(self.work, f"exercise-{self.exercises}.jsonl"))

    def make_soak_clip(self, seconds):
        """SOAK_CLIP: at least `seconds` + 2 min long, in the library before the server scans it."""
        folder = os.path.join(self.library, "Shows", SOAK_CLIP["show"], "Season 1")
        os.makedirs(folder, exist_ok=True)
        base = os.path.join(self.work, "soak-base.mp4")
        sh("ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
           "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=24:duration=60",
           "-f", "lavfi", "-i", "sine=frequency=330:sample_rate=48000:duration=60",
           "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "300k", "-maxrate", "300k", "-bufsize", "300k",
           "-g", "48", "-keyint_min", "48", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "48k", "-shortest", base)
        loops = (seconds + 120 + 59) // 60
        out = os.path.join(folder, f"{SOAK_CLIP['show']} - S01E01 - {SOAK_CLIP['title']}.mp4")
        sh("ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-stream_loop", str(loops - 1), "-i", base,
           "-c", "copy", out)
        os.unlink(base)
        SOAK_CLIP.update(seconds=loops * 60, bytes=os.path.getsize(out))
        CLIPS["soak"] = SOAK_CLIP

    def make_library(self):
        """The sample library the tests use (ffmpeg test patterns, made once per machine), copied
        into the work directory, plus the playback clips (CLIPS), made here at setup. The clips are
        single-episode shows, so `exercise --fetch` (the largest *movie*) stays the 200 KB sample and
        no next-episode countdown follows a clip."""
        sample = os.path.join(tempfile.gettempdir(), "mydia-server-tests-library")
        sh("bash", os.path.join(ROOT, "Resources", "make-sample-library.sh"), sample)
        self.library = os.path.join(self.work, "library")
        shutil.copytree(sample, self.library)
        for name, clip in CLIPS.items():
            show = clip["show"]
            folder = os.path.join(self.library, "Shows", show, "Season 1")
            os.makedirs(folder, exist_ok=True)
            out = os.path.join(folder, f"{show} - S01E01 - {clip['title']}.mp4")
            # 320x240 at 24 fps, ~1 Mbit/s H.264 with a keyframe every 2 s (so the server's 4 s
            # HLS_COPY segments are ~500 KB: long enough to cut in the middle), AAC 64 kbit/s.
            sh("ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
               "-f", "lavfi", "-i", f"testsrc2=size=320x240:rate=24:duration={clip['seconds']}",
               "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={clip['seconds']}",
               "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "1000k", "-maxrate", "1000k", "-bufsize", "1000k",
               "-g", "48", "-keyint_min", "48", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k", "-shortest", out)
            clip["bytes"] = os.path.getsize(out)

    def find_clips(self):
        """The episode id of every clip, through the client (`ls shows`, `show ID --season 1`)."""
        shows = json.loads(self.tui("ls", "shows", "--json").stdout or "[]")
        for name, clip in CLIPS.items():
            show = next((s for s in shows if s["title"] == clip["show"]), None)
            if show is None:
                raise RuntimeError(f"the server's library has no show {clip['show']!r}")
            episodes = json.loads(self.tui("show", show["id"], "--season", "1", "--json").stdout or "{}").get("episodes", [])
            if not episodes:
                raise RuntimeError(f"no episode in {clip['show']!r}")
            clip["id"] = episodes[0]["id"]

    def secrets(self, tokens_only=False):
        """Everything the client stores that no output may show: tokens, private key, relay and server
        URLs (`tokens_only`: the tokens and the key, which not even the client's log may hold)."""
        with open(os.path.join(self.config, "servers.json")) as f:
            data = json.load(f)
        found = set()

        def walk(v, key=""):
            if isinstance(v, dict):
                for k, x in v.items():
                    walk(x, k)
            elif isinstance(v, list):
                for x in v:
                    walk(x, key)
            elif isinstance(v, str) and (key.endswith("_token") or key == "device_private_key"
                                         or (not tokens_only and key in ("relay_url", "direct_urls"))):
                found.add(v)
        walk(data)
        if not tokens_only:
            found |= {RELAY_URL, CLIENT_RELAY_URL, DIRECT_URL, STRANGER_URL, ADDR["r"], ADDR["s"]}
        return {x for x in found if len(x) >= 8}

    def play(self, clip, *mpv_args, player="mpv", strategy=None):
        """`mydia-tui play CLIP --start 0 --events json` in the client namespace, with headless mpv.
        mpv's read-ahead is capped at 4 s (a 30 s clip would otherwise sit whole in its cache after
        a second, and no fault would ever reach the player); faults then meet a player that is
        still fetching, as with any film longer than mpv's cache."""
        self.plays = getattr(self, "plays", 0) + 1
        log = os.path.join(self.work, "client-state", "mydia-tui", "mydia-tui.log")
        offset = os.path.getsize(log) if os.path.exists(log) else 0
        env = self.client_env()
        mpv = ["--vo=null", "--ao=null", "--cache=yes", "--cache-secs=4", "--demuxer-readahead-secs=4", *mpv_args]
        args = [f"{self.bin}/mydia-tui", "play", CLIPS[clip]["id"], "--start", "0", "--events", "json", "--player", player]
        if strategy:
            args += ["--strategy", strategy]
        if player == "mpv":
            args += [f"--mpv-arg={a}" for a in mpv]
        p = subprocess.Popen(in_ns("c", *args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1,
                             env=env, stdin=subprocess.DEVNULL)
        player = Player(p, os.path.join(self.work, f"play-{self.plays}.jsonl"), log, offset, CLIPS[clip])
        player.tokens = self.secrets(tokens_only=True)
        self.players = getattr(self, "players", []) + [player]
        return player

    def kill_players(self):
        for player in getattr(self, "players", []):
            if player.p.poll() is None:
                player.p.kill()
                player.finish(10)
        self.players = []

    def up(self, soak_seconds=None):
        """Network, CA, relay, server, proxies, the lab library and a paired client."""
        self.make_library()
        if soak_seconds:
            self.make_soak_clip(soak_seconds)
        self.setup_network()
        self.make_ca()
        self.start_relay()
        self.start_relay_proxy()
        self.start_proxy()
        ready = self.start_server(claim=True)
        code = ready.get("claim_code")
        if not code:
            raise RuntimeError("the server printed no claim code")
        paired = self.tui("pair", code, "--relay", CLIENT_RELAY_URL, "--relay-ca", f"{self.ca}/ca.pem", "--name", "lab client")
        if paired.returncode != 0:
            raise RuntimeError(f"pairing failed ({paired.returncode}): {paired.stderr.strip()}")
        self.find_clips()
        self.log(f"lab up: relay {RELAY_URL} (test CA; the client uses {CLIENT_RELAY_URL} via a fault proxy), "
                 f"server direct {DIRECT_URL} via a fault proxy, client paired")

    def down(self):
        self.kill_players()
        for name in list(self.procs):
            self.stop(name, signal.SIGKILL if name == "exercise" else signal.SIGTERM)
        self.teardown_network()


class Priority(threading.Thread):
    """Raises the priority of every thread in the lab's namespaces (relay, server, proxies, clients,
    mpv, attackers) by `nice`, again every half second for threads started since: `os.nice` alone
    is not enough, as the Swift runtime's and NIO's threads do not keep their creator's niceness."""

    def __init__(self, nice):
        super().__init__(daemon=True)
        self.nice = -abs(nice)
        self.stop_flag = threading.Event()
        # With the scheduler's autogroups on, niceness only counts inside the lab's own session
        # group, which otherwise gets the same share as every other busy session on the machine.
        self.autogroup(self.nice)

    @staticmethod
    def autogroup(nice):
        try:
            with open("/proc/self/autogroup", "w") as f:
                f.write(str(nice))
        except OSError:
            pass

    def run(self):
        while not self.stop_flag.wait(0.5):
            inodes = set()
            for name in NS.values():
                try:
                    inodes.add(os.stat(f"/run/netns/{name}").st_ino)
                except OSError:
                    pass
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    if os.stat(f"/proc/{pid}/ns/net").st_ino not in inodes:
                        continue
                    for tid in os.listdir(f"/proc/{pid}/task"):
                        if os.getpriority(os.PRIO_PROCESS, int(tid)) > self.nice:
                            os.setpriority(os.PRIO_PROCESS, int(tid), self.nice)
                except OSError:
                    continue


class Exercise:
    """The running `mydia-tui exercise`, its lines collected with arrival times."""

    def __init__(self, p, record):
        self.p = p
        self.record = open(record, "w")
        self.start = time.monotonic()
        self.lines = []
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.p.stdout:
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            obj["_at"] = time.monotonic() - self.start
            with self.lock:
                self.lines.append(obj)
            self.record.write(json.dumps(obj, ensure_ascii=False) + "\n")
            self.record.flush()

    def now(self):
        return time.monotonic() - self.start

    def events(self, kind=None):
        with self.lock:
            return [l for l in self.lines if kind is None or l.get("event") == kind]

    def wait_for(self, predicate, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for l in self.events("state"):
                if predicate(l):
                    return l
            if self.p.poll() is not None and not self.reader.is_alive():
                break
            time.sleep(0.05)
        return None

    def first_state_after(self, t, predicate, timeout):
        return self.wait_for(lambda l: l["_at"] >= t and predicate(l), timeout)

    def finish(self, timeout):
        try:
            self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        self.reader.join(5)
        self.stderr = self.p.stderr.read()
        return self.events("summary")[-1] if self.events("summary") else None

    def failed_requests(self, after=0.0, before=float("inf")):
        return [r for r in self.events("request") if not r["ok"] and after <= r["_at"] <= before]

    def requests(self, after=0.0, before=float("inf")):
        return [r for r in self.events("request") if after <= r["_at"] <= before]

    def timeline(self):
        """state/path changes as compact strings, for the report."""
        return timeline(self.events("state"), "_at")

    def session_open(self):
        states = self.events("state")
        return states[0]["_at"] if states else None


class Result:
    def __init__(self, name, title):
        self.name, self.title = name, title
        self.metrics, self.failures = {}, []
        self.ex = None
        self.player = None

    def expect(self, ok, what):
        if not ok:
            self.failures.append(what)
        return ok

    @property
    def passed(self):
        return not self.failures


def r1(x):
    return None if x is None else round(x, 2)


def is_direct(l):
    return l["state"] == "direct"


def direct_and_relay_up(l):
    """Direct, with the relay session up too: the fallback is ready (the precondition of a fault)."""
    return l["state"] == "direct" and l["relay_up"]


def on_relay(l):
    return l["path"] == "relay"


# ---- scenarios -------------------------------------------------------------------------------

def percentile(values, p):
    if not values:
        return None
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def scenario_1r(lab, quick):
    """Relay only, client↔relay RTT 80 ms (relay-path proxy delay 40 ms each way), no direct path."""
    res = Result("1r", "relay only, relay RTT 80 ms (requests; playback part pending)")
    lab.proxy("refuse")
    lab.relay_proxy("delay 40")
    ex = lab.exercise(10 if quick else 20)
    res.ex = ex
    ex.finish(60)
    reqs = ex.requests()
    ms = [r["ms"] for r in reqs if r["ok"]]
    res.metrics["requests"] = len(reqs)
    res.metrics["p50_request_ms"] = r1(percentile(ms, 50))
    res.metrics["p95_request_ms"] = r1(percentile(ms, 95))
    res.expect(len(reqs) >= 5, f"only {len(reqs)} requests")
    # One GraphQL exchange crosses the delayed leg twice: never faster than the 80 ms RTT.
    res.expect(ms and percentile(ms, 50) >= 80, f"median {percentile(ms, 50)} ms is under the 80 ms RTT: the delay is not applied")
    res.expect(all(r["path"] == "relay" for r in reqs), "a request went another way than the relay")
    res.metrics["failed_requests"] = len(ex.failed_requests())
    res.expect(not ex.failed_requests(), f"{len(ex.failed_requests())} requests failed")
    lab.relay_proxy("pass")
    lab.proxy("pass")
    return res


def scenario_2(lab, quick):
    """Direct reachable from t=0: relay → dual → direct within the first probe round."""
    res = Result("2", "direct reachable from t=0")
    lab.proxy("pass")
    ex = lab.exercise(8 if quick else 25)
    res.ex = ex
    direct = ex.wait_for(is_direct, 30)
    summary = ex.finish(60)
    opened = ex.session_open()
    res.expect(direct is not None, "never reached direct")
    if direct and opened is not None:
        res.metrics["swap_latency_s"] = r1(direct["_at"] - opened)
        res.expect(direct["_at"] - opened <= 15, f"direct after {direct['_at'] - opened:.1f} s (bound 15 s: first round ≤ 10 s)")
    res.metrics["failed_requests"] = len(ex.failed_requests())
    res.metrics["requests"] = len(ex.requests())
    res.expect(not ex.failed_requests(), f"{len(ex.failed_requests())} requests failed")
    res.expect(summary and summary["state"] == "direct", f"ended in {summary and summary['state']}")
    return res


def scenario_3(lab, quick):
    """Direct appears at t=20 s: found within the backoff cap."""
    res = Result("3", "direct appears at t=20 s")
    lab.proxy("refuse")
    ex = lab.exercise(90)
    res.ex = ex
    opened = ex.wait_for(lambda l: True, 30)
    appear_at = (opened["_at"] if opened else ex.now()) + 20
    while ex.now() < appear_at:
        time.sleep(0.1)
    early = [l for l in ex.events("state") if is_direct(l)]
    res.expect(not early, "direct before the path existed")
    lab.proxy("pass")
    direct = ex.first_state_after(appear_at, is_direct, 70)
    ex.p.send_signal(signal.SIGTERM) if direct else None
    ex.finish(80)
    res.expect(direct is not None, "direct never found after it appeared")
    if direct:
        latency = direct["_at"] - appear_at
        res.metrics["discovery_latency_s"] = r1(latency)
        # Backoff 5, 10, 30 s (×U[0.5,1.5)) after failed rounds: at t=20 s the step in effect is at
        # most 30 s, so the next round starts within 45 s, plus a round (≤ 10 s).
        res.expect(latency <= 55, f"found {latency:.1f} s after it appeared (bound 55 s)")
    res.metrics["failed_requests"] = len(ex.failed_requests())
    res.expect(not ex.failed_requests(), f"{len(ex.failed_requests())} requests failed")
    lab.proxy("pass")
    return res


def scenario_4r(lab, quick):
    """Direct reset mid-body (a whole-file GET through the manager, no player): the body resumes on
    the relay by Range and arrives byte-identical."""
    res = Result("4r", "direct RST mid-body, Range resume (no player)")
    lab.proxy("pass")
    lab.proxy("throttle 25000")  # ~8 s for the 200 KB sample file on the direct path
    ex = lab.exercise(60, interval_ms=200, fetch=True)
    res.ex = ex
    direct = ex.wait_for(direct_and_relay_up, 30)
    if not res.expect(direct is not None, "never reached direct before the fault"):
        ex.finish(70)
        return res
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline and not [r for r in ex.events("request") if r["ok"] and r["path"] == "direct"]:
        time.sleep(0.1)
    time.sleep(3)  # into the next fetch, which runs on direct
    rst_at = ex.now()
    lab.proxy("rst")
    relay = ex.first_state_after(rst_at, on_relay, 15)
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline and len(ex.requests(rst_at)) < 2:
        time.sleep(0.1)
    ex.p.send_signal(signal.SIGTERM)
    summary = ex.finish(70)
    lab.proxy("pass")
    reqs = [r for r in ex.requests() if r["ok"]]
    res.expect(relay is not None, "never fell back to the relay after the reset")
    if relay:
        res.metrics["fallback_latency_s"] = r1(relay["_at"] - rst_at)
    cut = ex.requests(rst_at)
    res.expect(bool(cut), "no fetch completed after the reset")
    if cut:
        res.metrics["interrupted_fetch_ms"] = r1(cut[0]["ms"])
        res.metrics["interrupted_fetch_path_at_end"] = cut[0]["path"]
    digests = {r.get("sha256") for r in reqs}
    sizes = {r.get("bytes") for r in reqs}
    res.metrics["fetches"] = len(ex.requests())
    res.metrics["file_bytes"] = next(iter(sizes)) if len(sizes) == 1 else sorted(sizes)
    res.expect(len(reqs) >= 2 and len(digests) == 1 and len(sizes) == 1, f"bodies differ: {len(digests)} digests, sizes {sizes}")
    if summary:
        moved = summary["relay_bytes_received"] + summary["direct_bytes_received"]
        res.metrics["bytes_delivered"] = summary["bytes_delivered"]
        res.metrics["bytes_received_on_paths"] = moved
        # Everything received beyond what was delivered: re-fetched bytes plus response heads and
        # the one GraphQL query; a restart from byte 0 would add a whole file (~200 KB).
        res.metrics["bytes_refetched_upper_bound"] = moved - summary["bytes_delivered"]
        res.metrics["direct_bytes_received"] = summary["direct_bytes_received"]
        res.metrics["relay_bytes_received"] = summary["relay_bytes_received"]
        if len(sizes) == 1 and None not in sizes:
            res.expect(moved - summary["bytes_delivered"] < next(iter(sizes)) // 2,
                       f"{moved - summary['bytes_delivered']} extra bytes: the body restarted instead of resuming by Range")
    res.metrics["failed_requests"] = len(ex.failed_requests())
    res.expect(not ex.failed_requests(), f"{len(ex.failed_requests())} fetches failed: "
               + "; ".join(sorted({r.get('error', '')[:160] for r in ex.failed_requests()})))
    return res


def scenario_5(lab, quick):
    """Direct blackholed (nft drop) while requests flow: fallback within §8's bounds."""
    res = Result("5", "direct blackholed (nftables drop)")
    lab.proxy("pass")
    ex = lab.exercise(30 if quick else 45)
    res.ex = ex
    direct = ex.wait_for(direct_and_relay_up, 30)
    if not res.expect(direct is not None, "never reached direct before the fault"):
        ex.finish(60)
        return res
    time.sleep(3)
    drop_at = ex.now()
    lab.nft_blackhole(True)
    hold = 6 if quick else 12
    try:
        relay = ex.first_state_after(drop_at, on_relay, 25)
        # Stay blackholed a while: probes in that time must fail and must not promote.
        time.sleep(hold)
    finally:
        lift_at = ex.now()
        lab.nft_blackhole(False)
    back = ex.first_state_after(lift_at, is_direct, 10 if quick else 45)
    ex.p.send_signal(signal.SIGTERM)  # the client prints its summary and exits
    summary = ex.finish(70)
    res.expect(relay is not None, "never fell back to the relay")
    if relay:
        latency = relay["_at"] - drop_at
        res.metrics["fallback_latency_s"] = r1(latency)
        # §8.5: a response silent for 3 s while the player waits, or 2 missed keepalives (5 s each).
        res.expect(latency <= 13, f"fell back after {latency:.1f} s (bound 13 s: 2 keepalives at 5 s + slack)")
        promoted = [l for l in ex.events("state") if relay["_at"] < l["_at"] < lift_at and l["path"] == "direct"]
        res.expect(not promoted, f"promoted to direct while the path was still blackholed (at {promoted[0]['_at']:.1f} s)"
                   if promoted else "")
    res.metrics["direct_again_after_lift_s"] = r1(back["_at"] - lift_at) if back else None
    if not quick:
        # The step after a fallback is the next backoff step (≤ 30 s × 1.5 while streaming) plus a round.
        res.expect(back is not None, "never direct again after the blackhole was lifted")
    during = ex.requests(drop_at, drop_at + 20)
    stall = max((r["ms"] for r in during), default=0)
    res.metrics["max_request_ms_during_fault"] = r1(stall)
    # Issue 8: stall ≤ 4 s (3 s silent-response rule + the re-issue on the relay); more slack in make test.
    res.expect(stall <= (6000 if quick else 4000), f"a request stalled {stall:.0f} ms")
    res.metrics["failed_requests"] = len(ex.failed_requests())
    res.metrics["requests"] = len(ex.requests())
    res.expect(not ex.failed_requests(), f"{len(ex.failed_requests())} requests failed: "
               + "; ".join(sorted({r.get('error', '')[:120] for r in ex.failed_requests()})))
    res.expect(summary is not None, "no summary from the client")
    if summary:
        res.expect(summary["failed"] == len(ex.failed_requests()), "the client's own count of failed requests differs")
    return res


def scenario_6(lab, quick):
    """Relay killed while direct is up: no visible effect; the relay path comes back with backoff."""
    res = Result("6", "relay killed while direct is up")
    lab.proxy("pass")
    ex = lab.exercise(70)
    res.ex = ex
    direct = ex.wait_for(direct_and_relay_up, 30)
    if not res.expect(direct is not None, "never reached direct before the fault"):
        ex.finish(80)
        return res
    time.sleep(2)
    kill_at = ex.now()
    lab.stop("relay", signal.SIGKILL)
    lost = ex.first_state_after(kill_at, lambda l: not l["relay_up"], 30)
    time.sleep(max(0, kill_at + 8 - ex.now()))
    restart_at = ex.now()
    lab.start_relay()
    back = ex.first_state_after(restart_at, lambda l: l["relay_up"], 50)
    ex.p.send_signal(signal.SIGTERM) if back else None
    ex.finish(80)
    res.expect(lost is not None, "the client never noticed the relay was gone")
    res.metrics["relay_loss_noticed_s"] = r1(lost["_at"] - kill_at) if lost else None
    left_direct = [l for l in ex.events("state") if l["_at"] > kill_at and l["state"] != "direct"]
    res.expect(not left_direct, f"the state left direct: {[l['state'] for l in left_direct][:3]}")
    res.expect(back is not None, "the relay path never came back")
    if back:
        res.metrics["relay_reconnect_after_restart_s"] = r1(back["_at"] - restart_at)
        # Client backoff 1, 2, 5, 10, 30 s; the server re-registers with its own 1 → 60 s backoff.
        res.expect(back["_at"] - restart_at <= 45, f"relay back {back['_at'] - restart_at:.1f} s after restart (bound 45 s)")
    res.metrics["failed_requests"] = len(ex.failed_requests())
    res.expect(not ex.failed_requests(), f"{len(ex.failed_requests())} requests failed")
    return res


def scenario_6b(lab, quick):
    """The relay path goes silent (half-open, relay-path proxy blackhole) while direct is up: no visible
    effect; heartbeats notice within §2.2's bounds; the relay path comes back once it passes again."""
    res = Result("6b", "relay path blackholed (half-open) while direct is up")
    lab.proxy("pass")
    ex = lab.exercise(100)
    res.ex = ex
    direct = ex.wait_for(direct_and_relay_up, 30)
    if not res.expect(direct is not None, "never reached direct before the fault"):
        ex.finish(110)
        return res
    hole_at = ex.now()
    lab.relay_proxy("blackhole")
    # The manager pings through the tunnel every 15 s while direct and gives up after 10 s without
    # an answer; the JSON heartbeat is 30 s + 10 s. Either way: lost within 45 s (plus slack).
    lost = ex.first_state_after(hole_at, lambda l: not l["relay_up"], 55)
    lab.relay_proxy("pass")
    pass_at = ex.now()
    back = ex.first_state_after(pass_at, lambda l: l["relay_up"], 45)
    ex.p.send_signal(signal.SIGTERM)
    ex.finish(60)
    res.expect(lost is not None, "the silent relay path was never noticed")
    if lost:
        res.metrics["relay_loss_noticed_s"] = r1(lost["_at"] - hole_at)
        res.expect(lost["_at"] - hole_at <= 50, f"noticed after {lost['_at'] - hole_at:.1f} s (bound 50 s)")
    res.expect(back is not None, "the relay path never came back")
    if back:
        res.metrics["relay_back_after_pass_s"] = r1(back["_at"] - pass_at)
    left = [l for l in ex.events("state") if l["_at"] > hole_at and l["state"] != "direct"]
    res.expect(not left, f"the state left direct: {[l['state'] for l in left][:3]}")
    res.metrics["failed_requests"] = len(ex.failed_requests())
    res.expect(not ex.failed_requests(), f"{len(ex.failed_requests())} requests failed")
    return res


def scenario_7(lab, quick):
    """Flapping direct (down/up every 10 s): no more than one swap per probe interval."""
    res = Result("7", "flapping direct, 10 s down / 10 s up")
    lab.proxy("pass")
    ex = lab.exercise(75)
    res.ex = ex
    direct = ex.wait_for(direct_and_relay_up, 30)
    if not res.expect(direct is not None, "never reached direct before flapping"):
        ex.finish(90)
        return res
    flap_start = ex.now()
    phases = 6
    for i in range(phases):
        lab.proxy("rst" if i % 2 == 0 else "pass")
        time.sleep(10)
    lab.proxy("pass")
    ex.p.send_signal(signal.SIGTERM)
    ex.finish(60)
    before = [l for l in ex.events("state") if l["_at"] < flap_start]
    states = [l for l in ex.events("state") if l["_at"] >= flap_start]
    promotions, fallbacks, prev = [], [], (before[-1] if before else None)
    for l in states:
        if prev is not None and prev["path"] == "relay" and l["path"] == "direct":
            promotions.append(l["_at"])
        if prev is not None and prev["path"] == "direct" and l["path"] == "relay":
            fallbacks.append(l["_at"])
        prev = l
    gaps = [b - a for a, b in zip(promotions, promotions[1:])]
    res.metrics["promotions"] = len(promotions)
    res.metrics["fallbacks"] = len(fallbacks)
    res.metrics["min_gap_between_promotions_s"] = r1(min(gaps)) if gaps else None
    # The shortest probe interval is the first backoff step, 5 s × 0.5 (jitter).
    res.expect(all(g >= 2.5 for g in gaps), f"promotions closer than one probe interval: {[round(g, 1) for g in gaps]}")
    res.expect(len(promotions) <= phases // 2 + 1, f"{len(promotions)} promotions in {phases // 2} up phases")
    res.expect(len(fallbacks) >= 1, "never fell back while the direct path was down")
    res.metrics["failed_requests"] = len(ex.failed_requests())
    res.expect(not ex.failed_requests(), f"{len(ex.failed_requests())} requests failed: "
               + "; ".join(sorted({r.get('error', '')[:120] for r in ex.failed_requests()})))
    return res


def scenario_8a(lab, quick):
    """The server restarts with a rotated certificate: the client learns the new pin and goes direct."""
    res = Result("8a", "server restart with a rotated certificate")
    lab.proxy("pass")
    ex = lab.exercise(90)
    res.ex = ex
    direct = ex.wait_for(direct_and_relay_up, 30)
    if not res.expect(direct is not None, "never reached direct before the restart"):
        ex.finish(100)
        return res
    old = open(os.path.join(lab.server_state, "tls-cert.pem")).read()
    stop_at = ex.now()
    lab.stop("server")
    for f in ("tls-cert.pem", "tls-key.pem"):
        os.unlink(os.path.join(lab.server_state, f))
    lab.start_server()
    ready_at = ex.now()
    res.expect(open(os.path.join(lab.server_state, "tls-cert.pem")).read() != old, "the certificate did not change")
    again = ex.first_state_after(ready_at, is_direct, 75)
    ex.p.send_signal(signal.SIGTERM) if again else None
    ex.finish(100)
    res.metrics["server_down_s"] = r1(ready_at - stop_at)
    res.expect(again is not None, "never direct again with the new certificate")
    if again:
        res.metrics["direct_again_after_restart_s"] = r1(again["_at"] - ready_at)
        # Relay reconnect (backoff 1, 2, 5, 10, 30 s) + a fresh handshake with the new pin + a probe round.
        res.expect(again["_at"] - ready_at <= 60, f"direct {again['_at'] - ready_at:.1f} s after the restart (bound 60 s)")
    # While the server itself is down no path can answer; after it is ready every request must work.
    res.metrics["failed_requests_while_server_down"] = len(ex.failed_requests(stop_at, ready_at))
    late = ex.failed_requests(ready_at + 15)
    res.metrics["failed_requests_after_ready_plus_15s"] = len(late)
    res.expect(not late, f"{len(late)} requests failed 15 s after the server was back")
    return res


def scenario_8b(lab, quick):
    """A stranger at a direct URL: never used, held off, a clear message in status."""
    res = Result("8b", "a stranger's certificate at a direct URL")
    lab.proxy("pass")
    lab.spawn("stranger", "s", ["openssl", "s_server", "-accept", f"{ADDR['s']}:{STRANGER_PORT}", "-cert",
                                f"{lab.ca}/stranger.pem", "-key", f"{lab.ca}/stranger-key.pem", "-www", "-quiet"])
    time.sleep(1)
    try:
        ex = lab.exercise(30)
        res.ex = ex
        held = ex.wait_for(lambda l: any(c["url"].startswith(STRANGER_URL) and c["held_off"] for c in l["candidates"]), 30)
        direct = ex.wait_for(is_direct, 30)
        ex.finish(60)
        status = lab.tui("status", "--json")
    finally:
        lab.stop("stranger")
    res.expect(held is not None, "the stranger's URL was never held off")
    if held:
        res.metrics["held_off_after_s"] = r1(held["_at"] - (ex.session_open() or 0))
        err = next(c["error"] for c in held["candidates"] if c["url"].startswith(STRANGER_URL))
        res.metrics["candidate_error"] = err
        res.expect(err and "certificate" in err.lower(), f"unclear message: {err!r}")
    used = [l for l in ex.events("state") if (l.get("direct_url") or "").startswith(STRANGER_URL)]
    res.expect(not used, "the stranger's URL was used")
    res.expect(direct is not None and (direct.get("direct_url") or "").startswith(DIRECT_URL), "the real URL was not used")
    try:
        snap = json.loads(status.stdout)
        cand = [c for c in snap["candidates"] if c["url"].startswith(STRANGER_URL)]
        res.metrics["status_message"] = cand[0]["error"] if cand else None
        res.expect(cand and cand[0]["error"] and "certificate" in cand[0]["error"].lower(),
                   f"status does not explain the stranger: {cand}")
    except (ValueError, KeyError) as e:
        res.expect(False, f"status --json unreadable ({e}): {status.stderr.strip()}")
    res.metrics["failed_requests"] = len(ex.failed_requests())
    res.expect(not ex.failed_requests(), f"{len(ex.failed_requests())} requests failed")
    return res


# ---- playback scenarios (real headless mpv through the local proxy) ---------------------------

def check_playback(res, pl, status, secrets):
    """What every playback scenario asserts: exit 0, mpv played to the end of the clip without
    skipping, no failed request, and no secret in anything the client printed."""
    clip = pl.clip["seconds"]
    ended = pl.ended()
    res.metrics["exit_status"] = status
    res.metrics["mpv_end"] = ended and ended.get("how")
    res.expect(status == 0, f"play exited {status}: {pl.stderr.strip()[:300]}")
    res.expect(ended is not None and ended.get("how") == "finished", f"playback ended {ended} (expected finished: mpv at EOF)")
    last = pl.last_position()
    res.metrics["last_position_s"] = r1(last)
    res.expect(last is not None and last >= clip - 1.0, f"last position {last} of a {clip} s clip: EOF not reached")
    res.expect(not pl.jumps(), f"mpv skipped media (position jumps {pl.jumps()[:3]})")
    ff = pl.first_frame()
    if ff is not None and ended:
        # Wall time from the first frame to the end covers the rest of the clip: it was played, not
        # skipped through.
        played, rest = ended["t"] - ff["t"], clip - ff["position"]
        res.metrics["played_wall_s"] = r1(played)
        res.expect(played >= rest - 2, f"the last {rest:.1f} s of the clip were over in {played:.1f} s")
    res.metrics["end_wait_s"] = r1(pl.end_wait_s())
    summary = pl.summary()
    res.expect(summary is not None, "no summary line")
    if summary:
        res.metrics["proxy_requests"] = summary["requests"]
        res.metrics["bytes_served"] = summary["bytes_served"]
        res.metrics["truncated"] = summary["truncated"]
        # Received on the paths beyond what mpv got: re-fetched body bytes + GraphQL answers + heads.
        res.metrics["bytes_refetched_upper_bound"] = summary["relay_bytes_received"] + summary["direct_bytes_received"] - summary["bytes_served"]
    res.metrics["swap_latency_s"] = r1(pl.first_direct_s())  # command start → direct (None: never direct)
    res.metrics["failed_requests"] = pl.failed_requests()
    res.expect(pl.failed_requests() == 0, f"{pl.failed_requests()} requests failed (cut bodies, 502s): "
               + "; ".join(l[-160:] for l in pl.log_lines() if "proxy" in l and ("failed" in l or "unavailable" in l or "cut" in l))[:600])
    out = "".join(json.dumps(l) for l in pl.events()) + pl.stderr
    leaked = [x[:6] + "…" for x in secrets if x in out]
    res.expect(not leaked, f"the play output shows a secret or server address ({leaked})")
    log = "\n".join(pl.log_lines())
    in_log = [x[:6] + "…" for x in pl.tokens if x in log]
    res.expect(not in_log, f"the client log holds a token or the private key ({in_log})")
    res.metrics["connection_timeline"] = pl.connection_timeline()[:12]


# The generous bound on play → first frame in the fault lab (debug build, a shared machine); the
# targets (≤ 1 s over the relay, ≤ 300 ms direct) are the bench's (issue 20).
FIRST_FRAME_BOUND_S = 20


def warm_play(res, lab, clip, secrets):
    """A second play of `clip` right after the first (the warm start: process start → first frame),
    stopped once mpv is a few seconds in; its first frame is `warm_first_frame_s`."""
    pl = lab.play(clip)
    playing = pl.wait_position(3, FIRST_FRAME_BOUND_S + 10)
    pl.p.send_signal(signal.SIGTERM)
    status = pl.finish(60)
    ff = pl.first_frame_s()
    res.metrics["warm_first_frame_s"] = r1(ff)
    res.metrics["warm_first_frame_est_s"] = r1(pl.first_frame_est_s())
    res.expect(playing is not None, f"the warm play never got 3 s in: {pl.stderr.strip()[:300]}")
    res.expect(ff is not None and ff <= FIRST_FRAME_BOUND_S, f"warm first frame after {ff} s (bound {FIRST_FRAME_BOUND_S} s)")
    res.expect(status == 0 and (pl.ended() or {}).get("how") == "stopped", f"the warm play ended {pl.ended()} with {status}")
    res.metrics["warm_failed_requests"] = pl.failed_requests()
    res.expect(pl.failed_requests() == 0, f"{pl.failed_requests()} requests of the warm play failed")
    out = "".join(json.dumps(l) for l in pl.events()) + pl.stderr
    res.expect(not [x for x in secrets if x in out], "the warm play's output shows a secret or server address")
    res.expect(not [x for x in pl.tokens if x in "\n".join(pl.log_lines())], "the client log holds a token or the private key (warm play)")
    return pl


def scenario_1(lab, quick):
    """Relay only (direct refused), relay RTT 80 ms: mpv plays the clip to EOF; then a warm play."""
    return one_path_playback(lab, Result("1", "playback over the relay only, relay RTT 80 ms"), "relay", "refuse")


def one_path_playback(lab, res, path, other_fault):
    """Playback (cold, then warm) over `path` ("relay" or "direct") with 80 ms round trip (its
    proxy `delay 40`) and the other path's proxy under `other_fault`: every byte comes over `path`."""
    other = "direct" if path == "relay" else "relay"
    faults = {path: "delay 40", other: other_fault}
    lab.relay_proxy(faults["relay"])
    lab.proxy(faults["direct"])
    secrets = lab.secrets()
    pl = lab.play("30")
    res.player = pl
    status = pl.finish(120)
    check_playback(res, pl, status, secrets)
    ff = pl.first_frame_s()
    res.metrics["first_frame_s"] = r1(ff)
    res.metrics["first_frame_est_s"] = r1(pl.first_frame_est_s())
    res.expect(ff is not None and ff <= FIRST_FRAME_BOUND_S, f"first frame after {ff} s (bound {FIRST_FRAME_BOUND_S} s)")
    res.metrics["stall_s"] = r1(pl.stall_s())
    res.metrics["stalls"] = len(pl.stalls())
    rtts = [l[f"{path}_rtt_ms"] for l in pl.events("stats") if l.get(f"{path}_rtt_ms")]
    res.metrics[f"{path}_rtt_ms_median"] = r1(percentile(rtts, 50))
    res.expect(rtts and percentile(rtts, 50) >= 80, f"{path} RTT {percentile(rtts, 50)} ms: the 80 ms delay is not applied")
    summary = pl.summary() or {}
    res.metrics[f"{path}_bytes_received"] = summary.get(f"{path}_bytes_received")
    if status == 0:  # otherwise the warm play would only fail the same way
        warm = warm_play(res, lab, "30", secrets)
        for which, p in (("", pl), ("warm ", warm)):
            res.expect(not [l for l in p.events("connection") if l["path"] == other], f"the {which}play used the {other} path although it was unusable")
            res.expect((p.summary() or {}).get(f"{other}_bytes_received", 1) == 0, f"bytes arrived over the {other} path ({which}play)")
            res.expect((p.summary() or {}).get(f"{path}_bytes_received", 0) > 0, f"no bytes arrived over the {path} path ({which}play)")
    lab.proxy("pass")
    lab.relay_proxy("pass")
    return res


def scenario_1d(lab, quick):
    """Direct only (the relay path silent: relay-path proxy blackhole), direct RTT 80 ms: mpv plays the
    clip to EOF; then a warm play."""
    return one_path_playback(lab, Result("1d", "playback over the direct path only, direct RTT 80 ms"), "direct", "blackhole")


def scenario_1dr(lab, quick):
    """Direct only with the relay refused (a LAN without internet), direct RTT 80 ms: as 1d. A request
    made before the first probe round ends waits for that round (PROTOCOL.md §13.144)."""
    return one_path_playback(lab, Result("1dr", "playback over the direct path, relay refused, direct RTT 80 ms"), "direct", "refuse")


def scenario_4(lab, quick):
    """Direct RST in the middle of a segment (direct path throttled): mpv never notices."""
    res = Result("4", "direct RST mid-segment during playback")
    lab.proxy("pass")
    # ~2× the clip's bitrate: mpv keeps up, and a 500 KB segment takes ~2 s to cross the direct path.
    lab.proxy("throttle 260000")
    clip = "30" if quick else "60"
    secrets = lab.secrets()
    pl = lab.play(clip)
    res.player = pl
    direct = pl.wait_for(lambda l: l["state"] == "direct" and l["relay_up"], 30, "connection")
    # Past the file's first MiB, which the direct-play check prefetched (PROTOCOL.md §13.150): from
    # there on mpv's body comes from the server as mpv reads it, and that is the body to cut.
    playing = pl.wait_position(10, 40)
    moving = None
    if res.expect(direct is not None and playing is not None, "never playing over direct with the relay up"):
        # Wait until a segment is crossing the direct path (its bytes move), then reset it.
        deadline = time.monotonic() + 20
        prev = lab.proxy_bytes_down()
        while time.monotonic() < deadline:
            time.sleep(0.1)
            cur = lab.proxy_bytes_down()
            conns = pl.events("connection")
            if cur - prev >= 8000 and conns and conns[-1]["path"] == "direct":
                moving = cur - prev
                break
            prev = cur
    res.expect(moving is not None, "no segment was crossing the direct path to cut")
    rst_at = pl.now()
    if moving is not None:
        lab.proxy("rst")
        res.metrics["direct_bytes_per_100ms_at_rst"] = moving
    relay = pl.wait_for(lambda l: l["_at"] >= rst_at and l["path"] == "relay", 15, "connection")
    time.sleep(5)
    lab.proxy("pass")
    pass_at = pl.now()
    status = pl.finish(150)
    check_playback(res, pl, status, secrets)
    res.expect(relay is not None, "never fell back to the relay after the reset")
    if relay:
        res.metrics["fallback_latency_s"] = r1(relay["_at"] - rst_at)
    again = next((l for l in pl.events("connection") if l["_at"] > pass_at and l["state"] == "direct"), None)
    res.metrics["direct_again_after_pass_s"] = r1(again["_at"] - pass_at) if again else None
    res.metrics["first_frame_s"] = r1(pl.first_frame_s())
    summary = pl.summary()
    if summary:
        moved = summary["relay_bytes_received"] + summary["direct_bytes_received"]
        res.metrics["direct_bytes_received"] = summary["direct_bytes_received"]
        res.metrics["relay_bytes_received"] = summary["relay_bytes_received"]
        # Received on both paths beyond what mpv got: re-fetched bytes plus GraphQL answers (item,
        # session, progress) and the probes' bodies; a segment restarted from byte 0 adds ~500 KB.
        res.metrics["bytes_refetched_upper_bound"] = moved - summary["bytes_served"]
        segment = CLIPS[clip]["bytes"] / (CLIPS[clip]["seconds"] / SEGMENT_SECONDS)
        res.metrics["mean_segment_bytes"] = int(segment)
        res.expect(moved - summary["bytes_served"] < segment / 2,
                   f"{moved - summary['bytes_served']} bytes more received than served: the segment restarted instead of resuming by Range")
    # The ConnectionManager continued the cut segment on the relay by Range (it logs each resume).
    res.metrics["range_resumes"] = pl.log_count("body resumed on the relay by Range")
    res.expect(res.metrics["range_resumes"] >= 1, "no body was resumed by Range: the reset cut nothing")
    stall = pl.stall_s()
    res.metrics["stall_s"] = r1(stall)
    res.metrics["stalls"] = len(pl.stalls())
    res.expect(stall <= 1.0, f"mpv stalled {stall:.2f} s (paused-for-cache; bound 1 s)")
    return res


def scenario_9(lab, quick):
    """The server restarts (SIGTERM, same state directory) mid-playback: playback resumes and ends."""
    res = Result("9", "server restart mid-playback")
    lab.proxy("pass")
    secrets = lab.secrets()
    # HLS (the lab's clips would otherwise play direct, where a restart loses no session): the
    # restarted server has forgotten the streaming session, which the player must replace.
    pl = lab.play("60", strategy="hls-copy")
    res.player = pl
    # Past the first periodic progress report (10 s), so there is stored progress to keep.
    before = pl.wait_for(lambda l: l["kind"] == "periodic", 40, "progress_stored")
    stop_at = pl.now()
    if res.expect(before is not None, "no periodic progress report before the restart"):
        lab.stop("server")
        lab.start_server()
    ready_at = pl.now()
    res.metrics["server_down_s"] = r1(ready_at - stop_at)
    status = pl.finish(180)
    check_playback(res, pl, status, secrets)
    ps = pl.events("position")
    last_before = [p for p in ps if p["_at"] <= stop_at][-1:]
    reported = [l for l in pl.events("progress_stored") if l["_at"] <= stop_at][-1:]
    # Where playback went on: the first position after mpv's first stall that began after the
    # restart (its buffer ran dry), or, if it never stalled, the first position once the server was back.
    stall = next(((a, b) for a, b in pl.stalls() if b >= pl.to_t(stop_at)), None)
    after = [p for p in ps if p["t"] >= stall[1]] if stall else [p for p in ps if p["_at"] > ready_at]
    if res.expect(last_before and reported and after, "no position or report before the restart, or no position after it"):
        resumed = after[0]
        res.metrics["last_position_before_restart_s"] = r1(last_before[0]["position"])
        res.metrics["last_reported_position_before_restart_s"] = r1(reported[0]["position"])
        res.metrics["resume_position_s"] = r1(resumed["position"])
        res.expect(resumed["position"] >= reported[0]["position"] - 10,
                   f"resumed at {resumed['position']:.1f} s, more than one report interval (10 s) before the last report "
                   f"({reported[0]['position']:.1f} s)")
    stored = [l["position"] for l in pl.events("progress_stored")]
    res.metrics["progress_reports_stored"] = len(stored)
    back = [(a, b) for a, b in zip(stored, stored[1:]) if b < a - 0.001]
    res.expect(not back, f"stored progress moved backwards: {back[:3]}")
    stall = pl.stall_s()
    res.metrics["stall_s"] = r1(stall)
    res.metrics["stalls"] = len(pl.stalls())
    # The restarted server no longer knows the session: the playback must have moved to a new one.
    res.metrics["sessions_replaced"] = pl.log_count("the server forgot the streaming session")
    res.expect(res.metrics["sessions_replaced"] >= 1, "the playback never moved to a new session: the restart did not reach the player")
    back_up = next((l for l in pl.events("connection") if l["_at"] > ready_at and l["path"] is not None), None)
    res.metrics["path_back_after_ready_s"] = r1(back_up["_at"] - ready_at) if back_up else None
    return res


def scenario_soak(lab, quick):
    """Long playback (a clip longer than the soak) with the direct path toggled every 2 min: RSS and fds flat."""
    total = lab.soak_seconds
    res = Result("soak", f"{total} s of playback, direct toggled every 2 min")
    lab.proxy("pass")
    secrets = lab.secrets()
    pl = lab.play("soak")
    res.player = pl
    if not res.expect(pl.wait_position(2, 60) is not None, "playback never started"):
        pl.p.send_signal(signal.SIGTERM)
        pl.finish(30)
        return res
    began = pl.now()
    samples, faults = [], []
    period = 120 if total >= 480 else max(20, total // 4)
    next_toggle, next_sample, fault_on, n = began + period, began, False, 0
    while pl.now() < began + total and pl.p.poll() is None:
        now = pl.now()
        if now >= next_sample:
            got = read_proc(pl.pid)
            mpv = mpv_process(pl)
            mpv_got = read_proc(mpv) if mpv else None
            if got:
                samples.append({"t": round(now - began, 1), "rss_kib": got[0], "fds": got[1],
                                "mpv_rss_kib": mpv_got[0] if mpv_got else None})
            next_sample += 10
        if now >= next_toggle:
            if not fault_on:
                kind = "rst" if n % 2 == 0 else "refuse"
                lab.proxy(kind)
                faults.append((round(now - began, 1), kind))
                n += 1
                next_toggle = now + min(30, period / 2)
            else:
                lab.proxy("pass")
                next_toggle = now + period - min(30, period / 2)
            fault_on = not fault_on
        time.sleep(0.5)
    lab.proxy("pass")
    alive = pl.p.poll() is None
    recent = [p for p in pl.events("position") if p["_at"] > pl.now() - 30]
    pl.p.send_signal(signal.SIGTERM)
    status = pl.finish(60)
    res.metrics["exit_status"] = status
    res.expect(alive, f"play ended during the soak: {pl.ended()} {pl.stderr.strip()[:200]}")
    res.expect(status == 0 and (pl.ended() or {}).get("how") == "stopped", f"play ended {pl.ended()} with {status}")
    res.expect(len(recent) >= 5, "positions stopped advancing (no position line in the last 30 s)")
    # Media kept flowing the whole time: at least 80 % of the clip's bytes per second played.
    served = (pl.summary() or {}).get("bytes_served", 0)
    res.metrics["bytes_served"] = served
    needed = 0.8 * SOAK_CLIP["bytes"] / SOAK_CLIP["seconds"] * total
    res.expect(served >= needed, f"only {served} bytes served in {total} s (at least {needed:.0f} expected)")
    late = [l for l in pl.events("stats") if l["_at"] > pl.now() - 150]
    res.expect(len(late) >= 2 and late[-1]["bytes_served"] > late[0]["bytes_served"], "no media bytes in the last 2.5 min")
    res.metrics["faults"] = len(faults)
    res.metrics["fallbacks"] = sum(1 for a, b in zip(pl.events("connection"), pl.events("connection")[1:])
                                   if a["path"] == "direct" and b["path"] == "relay")
    res.metrics["samples"] = len(samples)
    res.metrics["failed_requests"] = pl.failed_requests()
    res.expect(pl.failed_requests() == 0, f"{pl.failed_requests()} requests failed")
    res.metrics["stall_s"] = r1(pl.stall_s())
    res.metrics["stalls"] = len(pl.stalls())
    out = "".join(json.dumps(l) for l in pl.events()) + pl.stderr
    res.expect(not [x for x in secrets if x in out], "the play output shows a secret or server address")
    if len(samples) >= 4:
        # Flat: after a warm-up (the first 5 min, or the first quarter of a shorter run) the
        # process may not grow by more than 8 MiB, and its fds end within 4 of the warm-up's.
        warm = next((s for s in samples if s["t"] >= min(300, total / 4)), samples[len(samples) // 4])
        end = samples[-1]
        rss = [s["rss_kib"] for s in samples]
        fds = [s["fds"] for s in samples]
        res.metrics.update({
            "rss_start_mib": r1(samples[0]["rss_kib"] / 1024), "rss_after_warmup_mib": r1(warm["rss_kib"] / 1024),
            "rss_end_mib": r1(end["rss_kib"] / 1024), "rss_max_mib": r1(max(rss) / 1024),
            "fds_start": fds[0], "fds_after_warmup": warm["fds"], "fds_end": end["fds"], "fds_max": max(fds),
            "mpv_rss_end_mib": r1(end["mpv_rss_kib"] / 1024) if end.get("mpv_rss_kib") else None,
        })
        res.expect(end["rss_kib"] <= warm["rss_kib"] + 8 * 1024,
                   f"RSS grew {(end['rss_kib'] - warm['rss_kib']) / 1024:.1f} MiB after warm-up (bound 8 MiB)")
        res.expect(abs(end["fds"] - warm["fds"]) <= 4, f"fds {warm['fds']} after warm-up, {end['fds']} at the end (bound ±4)")
        with open(os.path.join(lab.work, "soak-samples.json"), "w") as f:
            json.dump({"samples": samples, "faults": faults}, f)
    else:
        res.expect(False, f"only {len(samples)} samples")
    return res


def scenario_sec(lab, quick):
    """The local proxy answers only its own namespace's loopback, only under its prefix; mpv's argv
    and environment hold no secret."""
    res = Result("sec", "local proxy isolation and mpv argv/env")
    lab.proxy("pass")
    secrets = lab.secrets()
    pl = lab.play("30")
    res.player = pl
    started = pl.wait_for(lambda l: True, 60, "started")
    pl.wait_position(1, 40)
    if not res.expect(started is not None, "playback never started"):
        pl.p.send_signal(signal.SIGTERM)
        pl.finish(30)
        return res
    m = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/([0-9a-f]{32})/((?:hls|file)/.+)", started["url"])
    res.expect(m is not None, f"unexpected proxy URL shape {started['url']}")
    probe = os.path.join(HERE, "httpprobe.py")

    def get(ns, host, port, path, host_header=None):
        args = [sys.executable, probe, host, str(port), path] + ([host_header] if host_header else [])
        r = subprocess.run(in_ns(ns, *args), capture_output=True, text=True, timeout=20)
        return r.stdout.strip() or r.stderr.strip()

    if m:
        port, prefix, rest = m.group(1), m.group(2), m.group(3)
        checks = {
            "own_namespace_right_prefix": (get("c", "127.0.0.1", port, f"/{prefix}/{rest}"), "200"),
            "own_namespace_wrong_prefix": (get("c", "127.0.0.1", port, f"/{'0' * 32}/{rest}"), "404"),
            "own_namespace_no_prefix": (get("c", "127.0.0.1", port, f"/{rest}"), "404"),
            "own_namespace_foreign_host": (get("c", "127.0.0.1", port, f"/{prefix}/{rest}", "evil.example"), "403"),
            "client_address_from_client_ns": (get("c", ADDR["c"], port, f"/{prefix}/{rest}"), "refused"),
            "client_address_from_server_ns": (get("s", ADDR["c"], port, f"/{prefix}/{rest}"), "refused"),
            "loopback_in_server_ns": (get("s", "127.0.0.1", port, f"/{prefix}/{rest}"), "refused"),
            "client_address_from_relay_ns": (get("r", ADDR["c"], port, f"/{prefix}/{rest}"), "refused"),
        }
        for name, (got, want) in checks.items():
            res.metrics[name] = got
            res.expect(got == want, f"{name}: {got} (expected {want})")
    mpv = mpv_process(pl)
    if res.expect(mpv is not None, "no mpv child found"):
        with open(f"/proc/{mpv}/cmdline", "rb") as f:
            argv = f.read().decode(errors="replace")
        with open(f"/proc/{mpv}/environ", "rb") as f:
            env = f.read().decode(errors="replace")
        res.metrics["mpv_argv_secrets"] = sum(x in argv for x in secrets)
        res.metrics["mpv_env_secrets"] = sum(x in env for x in secrets)
        res.expect(not any(x in argv for x in secrets), "mpv's argv holds a secret or server address")
        res.expect(not any(x in env for x in secrets), "mpv's environment holds a secret or server address")
        res.expect("MYDIA_" not in env, "mpv's environment holds a MYDIA_ variable")
    status = pl.finish(120)
    check_playback(res, pl, status, lab.secrets() | secrets)
    return res


# ---- offline playback (issue 20: a download plays with no network; its progress waits) -----------

def server_progress(lab, clip):
    """The server's stored progress on `clip`'s episode ({positionSeconds, watched, …} or None),
    asked over GraphQL from inside the server's namespace (not through the client: it is the
    server's word that counts)."""
    query = '{ episode(id: %s) { progress { positionSeconds durationSeconds watched lastWatchedAt } } }' % json.dumps(CLIPS[clip]["id"])
    r = subprocess.run(in_ns("s", sys.executable, os.path.join(HERE, "graphqlprobe.py"), "127.0.0.1", str(DIRECT_PORT)),
                       input=json.dumps({"token": access_token(lab), "query": query}), capture_output=True, text=True, timeout=30)
    out = r.stdout.strip()
    if not out.startswith("{"):
        raise RuntimeError(f"the server's progress on {clip}: {out or r.stderr.strip()[:200]}")
    answer = json.loads(out)
    if answer.get("errors") or not (answer.get("data") or {}).get("episode"):
        raise RuntimeError(f"the server's progress on {clip}: {json.dumps(answer)[:200]}")
    return answer["data"]["episode"]["progress"]


def client_link(lab, up):
    """The client namespace's only link up or down (down: no route anywhere but its loopback)."""
    sh("ip", "-n", NS["c"], "link", "set", "mlab-c1", "up" if up else "down")
    if up:
        # The prefix route comes back with the link; the address stays configured throughout.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and ADDR["s"] not in probe_route(lab):
            time.sleep(0.1)


def probe_route(lab):
    """`ip route get` to the server from the client namespace: the route, or the kernel's error."""
    r = subprocess.run(["ip", "-n", NS["c"], "route", "get", ADDR["s"]], capture_output=True, text=True)
    return (r.stdout or r.stderr).strip()


def mode_of(path):
    return oct(os.stat(path).st_mode & 0o777)


def scenario_10(lab, quick):
    """Offline: a clip downloaded, the client's link taken down, the file played to the end in headless
    mpv, progress queued in downloads/.progress.json; the link back up, the next command delivers it."""
    res = Result("10", "offline playback with the link down, progress delivered after")
    try:
        return offline_playback(lab, res)
    finally:
        # Whatever happened, the link is up and nothing stays downloaded: a later scenario playing
        # a clip must stream it, not play it from disk.
        client_link(lab, True)
        shutil.rmtree(os.path.join(lab.work, "client-data", "mydia-tui", "downloads"), ignore_errors=True)


def offline_playback(lab, res):
    lab.proxy("pass")
    secrets = lab.secrets()
    clip = CLIPS["offline"]
    downloads = os.path.join(lab.work, "client-data", "mydia-tui", "downloads")
    backlog = os.path.join(downloads, ".progress.json")
    shown = []  # everything the client printed, for the secret check

    def run(*args, timeout=120):
        r = lab.tui(*args, timeout=timeout)
        shown.append(r.stdout + r.stderr)
        return r

    before = server_progress(lab, "offline")
    res.metrics["server_position_before_s"] = (before or {}).get("positionSeconds")
    res.expect(not before or (before["positionSeconds"] == 0 and not before["watched"]),
               f"the server already has progress on the offline clip ({before}): the check below would prove nothing")
    t0 = time.monotonic()
    got = run("download", clip["id"])
    res.metrics["download_s"] = r1(time.monotonic() - t0)
    if not res.expect(got.returncode == 0, f"download exited {got.returncode}: {got.stderr.strip()[:300]}"):
        return res
    path = got.stdout.strip()
    listed = run("downloads", "--json")
    try:
        entry = next((d for d in json.loads(listed.stdout or "[]") if d.get("id") == clip["id"]), None)
    except ValueError:
        entry = None
    res.expect(entry is not None and entry.get("complete") is True and entry.get("path") == path
               and entry.get("bytes") == clip["bytes"], f"downloads --json does not list the complete clip at {path}: {listed.stdout.strip()[:300]}")
    if res.expect(os.path.isfile(path) and os.path.getsize(path) == clip["bytes"], f"the downloaded file {path} is missing or not {clip['bytes']} bytes"):
        res.metrics["download_mode"] = mode_of(path)
        res.expect(mode_of(path) == "0o600", f"the downloaded file is {mode_of(path)} (0600 expected)")

    client_link(lab, False)
    try:
        route = probe_route(lab)
        res.metrics["route_with_link_down"] = route
        res.expect("unreachable" in route.lower(), f"the client still has a route to the server with its link down: {route}")
        pl = lab.play("offline")
        res.player = pl
        status = pl.finish(120)
        check_playback(res, pl, status, secrets)
        started = (pl.events("started") or [{}])[0]
        res.metrics["played_from"] = "the downloaded file" if started.get("url") == path else started.get("url", "")[:24]
        res.expect(started.get("url") == path, f"mpv was not given the downloaded file: {started.get('url', '')[:120]}")
        ff = pl.first_frame_s()
        res.metrics["first_frame_s"] = r1(ff)
        res.metrics["first_frame_est_s"] = r1(pl.first_frame_est_s())
        # The final progress report cannot reach the server: how long the client waits for it at the end
        # (end_wait_s, from check_playback).
        res.expect(pl.end_wait_s() is not None and pl.end_wait_s() <= 10, f"play ended {pl.end_wait_s()} s after the clip's end (bound 10 s)")
        res.expect(ff is not None and ff <= FIRST_FRAME_BOUND_S, f"first frame after {ff} s (bound {FIRST_FRAME_BOUND_S} s)")
        summary = pl.summary() or {}
        res.metrics["network_bytes_received"] = summary.get("relay_bytes_received", 0) + summary.get("direct_bytes_received", 0)
        res.expect(res.metrics["network_bytes_received"] == 0, "bytes arrived over the network with the link down")
        res.expect(not [l for l in pl.events("progress_stored")], "the server stored progress with the client's link down")
        queued = []
        if res.expect(os.path.isfile(backlog), f"no {backlog} after the offline play"):
            with open(backlog) as f:
                text = f.read()
            shown.append(text)
            res.metrics["backlog_mode"] = mode_of(backlog)
            res.expect(mode_of(backlog) == "0o600", f"the progress queue is {mode_of(backlog)} (0600 expected)")
            queued = [e for e in json.loads(text) if e.get("itemID") == clip["id"]]
        res.metrics["queued_position_s"] = r1(queued[-1]["position"]) if queued else None
        res.expect(queued and queued[-1]["position"] >= clip["seconds"] - 1.0,
                   f"the queue holds no report at the clip's end for the item: {queued}")
    finally:
        client_link(lab, True)
    # Back online: the server still has nothing (the queue has not been delivered by anyone yet) …
    after_up = server_progress(lab, "offline")
    res.expect(not after_up or after_up["positionSeconds"] == 0, f"the server had the progress before any command delivered it: {after_up}")
    # … until the next command that reaches the server: a download of another item (a play of the
    # same item would supersede the queued report with its own, PROTOCOL.md §14.1).
    t0 = time.monotonic()
    other = run("download", CLIPS["30"]["id"])
    res.metrics["delivering_command_s"] = r1(time.monotonic() - t0)
    res.expect(other.returncode == 0, f"the download after the link came back exited {other.returncode}: {other.stderr.strip()[:300]}")
    delivered = server_progress(lab, "offline")
    res.metrics["server_position_after_s"] = (delivered or {}).get("positionSeconds")
    res.metrics["server_watched_after"] = (delivered or {}).get("watched")
    res.expect(delivered and delivered["positionSeconds"] >= clip["seconds"] - 2,
               f"the server's progress after the link came back is {delivered} (expected the clip's end, {clip['seconds']} s)")
    res.expect(delivered and delivered["watched"], f"the clip played to its end offline is not watched on the server: {delivered}")
    left = []
    if os.path.exists(backlog):
        with open(backlog) as f:
            left = [e for e in json.loads(f.read() or "[]") if e.get("itemID") == clip["id"]]
    res.expect(not left, f"the delivered report is still queued: {left}")
    # The downloads go, so no later scenario plays these clips from disk.
    for c in ("offline", "30"):
        gone = run("downloads", "rm", CLIPS[c]["id"])
        res.expect(gone.returncode == 0, f"downloads rm {c} exited {gone.returncode}: {gone.stderr.strip()[:200]}")
    out = "".join(shown)
    leaked = [x[:6] + "…" for x in secrets if x in out]
    res.expect(not leaked, f"the download commands' output or the progress queue shows a secret or server address ({leaked})")
    log = os.path.join(lab.work, "client-state", "mydia-tui", "mydia-tui.log")
    with open(log, errors="replace") as f:
        text = f.read()
    in_log = [x[:6] + "…" for x in lab.secrets(tokens_only=True) if x in text]
    res.expect(not in_log, f"the client log holds a token or the private key ({in_log})")
    return res


# ---- attack scenarios (issue 18: no peer can exhaust another) ------------------------------------

def run_attacker(lab, ns, name, *args):
    """attack.py COMMAND … in namespace `ns`, in the background; returns (process, json path, stop file)."""
    out = os.path.join(lab.work, f"{name}.json")
    stop = os.path.join(lab.work, f"{name}.stop")
    logf = open(os.path.join(lab.work, f"{name}.log"), "w")
    p = subprocess.Popen(in_ns(ns, sys.executable, os.path.join(HERE, "attack.py"), *args, "--json", out,
                               *(["--stop-file", stop] if args[0] in ("relay", "direct") else [])),
                         stdout=logf, stderr=subprocess.STDOUT, text=True)
    return p, out, stop


def finish_attacker(p, out, stop, timeout=60):
    with open(stop, "w"):
        pass
    try:
        p.wait(timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    try:
        with open(out) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def attacker_open(path):
    """The attacker's latest progress line (open sockets, opens so far), or {}."""
    try:
        with open(path) as f:
            lines = [l for l in f.read().splitlines() if l.startswith("{")]
        return json.loads(lines[-1]) if lines else {}
    except (OSError, ValueError):
        return {}


def legit_phase(lab, label, secrets):
    """The well-behaved client: mpv plays the 30 s clip while, beside it in a second session,
    `exercise --fetch` GETs the 200 KB sample file every 100 ms. Returns (figures, failures)."""
    part = Result(label, label)
    pl = lab.play("30")
    part.player = pl
    ex = lab.exercise(34, interval_ms=100, fetch=True)
    status = pl.finish(150)
    if ex.p.poll() is None:
        ex.p.send_signal(signal.SIGTERM)
    summary = ex.finish(60)
    check_playback(part, pl, status, secrets)
    ok = [r for r in ex.requests() if r["ok"]]
    ms = [r["ms"] for r in ok]
    fetched = sum(r.get("bytes", 0) for r in ok)
    f = {
        "fetches": len(ex.requests()),
        "fetch_failed": len(ex.failed_requests()),
        "fetch_p50_ms": r1(percentile(ms, 50)),
        "fetch_p99_ms": r1(percentile(ms, 99)),
        "fetch_max_ms": r1(max(ms) if ms else None),
        # Bytes per second of fetching (the 100 ms pauses left out): the client's throughput.
        "fetch_mb_s": r1(fetched / (sum(ms) / 1000) / 1e6) if ms else None,
        "play_failed": part.metrics.get("failed_requests"),
        "play_stall_s": r1(pl.stall_s()),
        "play_first_frame_s": r1(pl.first_frame_s()),
        "play_bytes_served": part.metrics.get("bytes_served"),
        "play_end": part.metrics.get("mpv_end"),
        "paths": sorted({r["path"] for r in ex.requests() if r.get("path")}),
    }
    if summary:
        f["fetch_relay_bytes"] = summary["relay_bytes_received"]
        f["fetch_direct_bytes"] = summary["direct_bytes_received"]
    part.expect(not ex.failed_requests(), f"{len(ex.failed_requests())} fetches failed: "
                + "; ".join(sorted({r.get('error', '')[:120] for r in ex.failed_requests()})))
    part.expect(len(ok) >= 10, f"only {len(ok)} fetches completed")
    return f, [f"{label}: {x}" for x in part.failures], pl


# After the relay gives up on a socket (its FIN is out) it still holds the fd while the WebSocket
# close handshake waits for the peer's close frame (closeTimeout 5 s) and then while TLS waits for
# the peer's close_notify (NIOSSL's shutdownTimeout 5 s): a peer that answers neither is let go
# 10 s after it was shut out. Plus 3 s of slack on a loaded machine.
RELEASE_AFTER_SHUT_S = 13


def budget_report(kind_records, budget_s, ref_key, stop_at, watch, period):
    """Per attacker kind: how many sockets the peer shut out (sent its FIN) and let go of (closed
    the fd), how long after `ref_key` each took (from the peer's side, sampled from /proc), and
    which missed a budget: shut out later than `budget_s`, or held longer than
    RELEASE_AFTER_SHUT_S after that."""
    released, unseen, refused, shut_lat, rel_lat, late = 0, 0, 0, [], [], []
    for rec in kind_records:
        ref = rec.get(ref_key) or rec.get("upgraded") or rec.get("started")
        if rec.get("sport") is None:
            refused += 1  # never upgraded: refused at connect, TLS or the HTTP upgrade
            continue
        seen = watch.closing_time(rec["src"], rec["sport"], rec["started"])
        if seen is None:
            unseen += 1  # opened and closed between two samples: closed at once
            continue
        first, last, shut = seen
        gone = last < stop_at - 2 * period
        if shut is None and gone:
            shut = last
        if shut is not None:
            shut_lat.append(shut - ref)
            if shut - ref > budget_s:
                late.append(f"shut {shut - ref:.1f} s")
        elif stop_at - ref > budget_s:
            late.append(f"not shut {stop_at - ref:.1f} s")
        if gone:
            released += 1
            rel_lat.append(last - ref)
            if shut is not None and last - shut > RELEASE_AFTER_SHUT_S:
                late.append(f"held {last - shut:.1f} s after shut")
        elif shut is not None and stop_at - shut > RELEASE_AFTER_SHUT_S:
            late.append(f"held {stop_at - shut:.1f} s after shut (at the end)")
    return {"sockets": len(kind_records), "shut_by_peer": len(shut_lat), "released_by_peer": released,
            "closed_between_samples": unseen, "refused_at_open": refused,
            "shut_p50_s": r1(percentile(shut_lat, 50)), "shut_max_s": r1(max(shut_lat) if shut_lat else None),
            "released_p50_s": r1(percentile(rel_lat, 50)), "released_max_s": r1(max(rel_lat) if rel_lat else None),
            "over_budget": len(late), "over_budget_examples": late[:5]}


def instance_id(lab):
    with open(os.path.join(lab.config, "servers.json")) as f:
        return json.load(f)["servers"][0]["instance_id"]


def access_token(lab):
    with open(os.path.join(lab.config, "servers.json")) as f:
        return json.load(f)["servers"][0]["access_token"]


def check_nofile(res, pid, name, needed):
    got = attack.nofile_limit(pid)
    res.metrics[f"{name}_nofile"] = got
    return res.expect(got is not None and got >= needed, f"{name} may open only {got} files (needs ≥ {needed} for this attack; raise ulimit -n)")


# The relay's memory bound under dos-relay: its RSS before the attack, plus 64 KiB per attacking
# socket open at once (TLS state, NIO buffers, the handler's tasks), plus the 1 MiB outbox budget
# (§12.4) for every flooder that can hold a session, plus 32 MiB of allocator slack.
RELAY_RSS_PER_SOCKET_KIB = 64
RELAY_RSS_SLACK_KIB = 32 * 1024


def scenario_dos_relay(lab, quick):
    """2,000 sockets that never read and 200 flooding garbage against the relay while a paired client
    streams over it: the relay's RSS stays bounded, the client sees no failure, attackers are closed
    within their budgets."""
    res = Result("dos-relay", "relay under 2,000 non-readers and 200 garbage flooders")
    lab.proxy("refuse")  # relay only: every legitimate byte crosses the relay under attack
    relay = lab.procs["relay"].pid
    # 200 flooders: junk, ping-after-connect (a session each, so they are spread over addresses
    # under the relay's 16 sessions per address) and second connects.
    n_silent, n_junk, n_ping, n_reconn = (400, 40, 8, 12) if quick else (2000, 100, 20, 80)
    if os.environ.get("DOSLAB_RELAY_COUNTS"):  # experiments: silent,junk,pingers,reconnects
        n_silent, n_junk, n_ping, n_reconn = (int(x) for x in os.environ["DOSLAB_RELAY_COUNTS"].split(","))
    check_nofile(res, relay, "relay", n_silent + n_junk + n_ping + n_reconn + 512)
    secrets = lab.secrets()
    watch = attack.SocketWatch(relay, ATTACK_ADDRS, period=0.25).start()
    watch_began = time.monotonic()
    # Baseline: the same client work without the attack.
    base, fails, _ = legit_phase(lab, "baseline", secrets)
    res.failures += fails
    base_rss = max((r for _, r, _ in watch.rss), default=0)
    res.metrics.update({f"baseline_{k}": v for k, v in base.items()})
    res.metrics["baseline_relay_rss_mib"] = r1(base_rss / 1024)
    # The attack.
    silent_src, junk_src = ",".join(ATTACK_ADDRS[0:40]), ",".join(ATTACK_ADDRS[40:50])
    ping_src = ",".join(ATTACK_ADDRS[90:115])
    reconn_src = ",".join(ATTACK_ADDRS[50:90])
    began = time.monotonic()
    p, out, stop = run_attacker(lab, "a", "attack-relay", "relay", "--host", ADDR["r"], "--port", str(RELAY_PORT),
                                "--instance", instance_id(lab), "--duration", "240", "--open-rate", "100",
                                "--silent", str(n_silent), "--junk", str(n_junk), "--pingers", str(n_ping),
                                "--reconnects", str(n_reconn), "--silent-src", silent_src, "--junk-src", junk_src,
                                "--pinger-src", ping_src, "--reconnect-src", reconn_src)
    log = os.path.join(lab.work, "attack-relay.log")
    # Let the crowd build up (the pacer opens up to 100 a second) before the client starts.
    deadline = time.monotonic() + (10 if quick else 30)
    while time.monotonic() < deadline and attacker_open(log).get("open", 0) < 0.8 * n_silent:
        time.sleep(0.5)
    res.metrics["attack_open_when_client_started"] = attacker_open(log).get("open")
    attack_phase_at = time.monotonic()
    under, fails, _ = legit_phase(lab, "under attack", secrets)
    res.failures += fails
    stop_at = time.monotonic()
    result = finish_attacker(p, out, stop)
    time.sleep(3)
    watch.stop()
    alive = lab.procs["relay"].poll() is None
    res.expect(alive, "the relay died under the attack")
    res.metrics.update({f"attack_{k}": v for k, v in under.items()})
    during = [r for t, r, _ in watch.rss if began <= t <= stop_at]
    peak = max(during, default=0)
    held = max((h for t, _, h in watch.rss if began <= t <= stop_at), default=0)
    res.metrics["relay_rss_peak_mib"] = r1(peak / 1024)
    res.metrics["relay_attack_sockets_held_max"] = held
    res.metrics["relay_fds_max"] = watch.fds_max
    bound = base_rss + held * RELAY_RSS_PER_SOCKET_KIB + (n_ping + n_reconn) * 1024 + RELAY_RSS_SLACK_KIB
    res.metrics["relay_rss_bound_mib"] = r1(bound / 1024)
    res.expect(peak <= bound, f"relay RSS peaked at {peak / 1024:.1f} MiB (bound {bound / 1024:.1f} MiB)")
    after = [r for t, r, _ in watch.rss if t > stop_at]
    res.metrics["relay_rss_after_mib"] = r1(after[-1] / 1024) if after else None
    left = [c for c in watch.conns.values() if c[3] >= watch.rss[-1][0] - 0.01] if watch.rss else []
    res.metrics["attack_sockets_still_held_3s_after"] = len(left)
    if not res.expect(result is not None, "the attacker wrote no result"):
        return res
    st = result["stats"]
    secs = max(1e-3, stop_at - began)
    res.metrics["attack_s"] = r1(secs)
    res.metrics["attack_opens"] = st["opens"]
    res.metrics["attack_opens_per_s"] = r1(st["opens"] / secs)
    res.metrics["attack_upgrades"] = st["upgrades"]
    res.metrics["attack_messages_per_s"] = r1(st["messages"] / secs)
    res.metrics["attack_mb_sent"] = r1(st["bytes_sent"] / 1e6)
    res.metrics["attack_max_open"] = result["max_open"]
    # The attack must have reached the relay in force, or the scenario proves nothing.
    res.expect(held >= 0.25 * n_silent, f"the relay held at most {held} attacking sockets at once")
    recs = result["records"]
    # When each kind must be shut out (§12.4): silent, by the 10 s first-message deadline (from the
    # upgrade); junk and second connects, at the 17th bad message; pingers (a session each), when
    # their replies pass the 1 MiB budget or, at the latest, when the instance's 30 s handshake
    # deadline ends the session (+2 s close grace). 4 s of slack each for the loaded machine.
    budgets = {"silent": (14, "upgraded"), "junk": (5, "first_send"), "reconnect": (5, "first_send"), "pinger": (36, "first_send")}
    for kind, (budget, ref) in budgets.items():
        rep = budget_report([r for r in recs if r["kind"] == kind], budget, ref, stop_at, watch, watch.period)
        res.metrics[f"attack_{kind}"] = rep
        res.expect(rep["over_budget"] == 0, f"{rep['over_budget']} {kind} sockets missed their budget ({budget} s to shut, "
                   f"{RELEASE_AFTER_SHUT_S} s more to let go): {rep['over_budget_examples']}")
        res.expect(rep["shut_by_peer"] + rep["closed_between_samples"] > 0, f"no {kind} socket was ever shut out by the relay")
    res.metrics["relay_cpu_per_s_baseline"] = r1(watch.cpu_share(watch_began, began))
    res.metrics["relay_cpu_per_s_attack"] = r1(watch.cpu_share(attack_phase_at, stop_at))
    # The client did as well under attack as a well-behaved client must: nothing failed.
    return res


# The server's memory bound under dos-direct: its RSS before, plus 96 KiB per attacking connection
# held at once (NIO channel, TLS state, the listener guard's handler), plus 32 MiB of slack.
SERVER_RSS_PER_CONNECTION_KIB = 96


def scenario_dos_direct(lab, quick):
    """2,000 half-open TLS connections (no ClientHello), 200 from one address and slowloris heads
    against the server's direct listener while a client plays over direct."""
    res = Result("dos-direct", "direct listener under half-open TLS and slowloris")
    lab.proxy("pass")
    server = lab.procs["server"].pid
    n_half, n_capped, n_slow = (400, 100, 20) if quick else (2000, 200, 100)
    check_nofile(res, server, "server", n_half + n_capped + n_slow + 512)
    secrets = lab.secrets()
    half_src = [f"127.0.1.{i}" for i in range(1, 41)]
    slow_src = ["127.0.2.1", "127.0.2.2"]
    capped_src = "127.0.0.2"
    watch = attack.SocketWatch(server, half_src + slow_src + [capped_src], period=0.25).start()
    watch_began = time.monotonic()
    base, fails, bpl = legit_phase(lab, "baseline", secrets)
    res.failures += fails
    base_rss = max((r for _, r, _ in watch.rss), default=0)
    res.metrics.update({f"baseline_{k}": v for k, v in base.items()})
    res.metrics["baseline_server_rss_mib"] = r1(base_rss / 1024)
    began = time.monotonic()
    p, out, stop = run_attacker(lab, "s", "attack-direct", "direct", "--host", "127.0.0.1", "--port", str(DIRECT_PORT),
                                "--duration", "240", "--open-rate", "400", "--halfopen", str(n_half), "--capped", str(n_capped),
                                "--slowloris", str(n_slow), "--drip", "3", "--halfopen-src", ",".join(half_src),
                                "--capped-src", capped_src, "--slowloris-src", ",".join(slow_src))
    log = os.path.join(lab.work, "attack-direct.log")
    deadline = time.monotonic() + (4 if quick else 8)
    while time.monotonic() < deadline and attacker_open(log).get("open", 0) < 0.8 * n_half:
        time.sleep(0.5)
    res.metrics["attack_open_when_client_started"] = attacker_open(log).get("open")
    under, fails, pl = legit_phase(lab, "under attack", secrets)
    res.failures += fails
    stop_at = time.monotonic()
    result = finish_attacker(p, out, stop)
    watch.stop()
    res.expect(lab.procs["server"].poll() is None, "the server died under the attack")
    res.metrics.update({f"attack_{k}": v for k, v in under.items()})
    # The stream stayed on the direct path: the attack is against it.
    res.expect(under.get("fetch_direct_bytes", 0) > under.get("fetch_relay_bytes", 0),
               f"the fetches moved to the relay (direct {under.get('fetch_direct_bytes')}, relay {under.get('fetch_relay_bytes')} bytes)")
    psum = pl.summary() or {}
    res.metrics["attack_play_direct_bytes"] = psum.get("direct_bytes_received")
    res.metrics["attack_play_relay_bytes"] = psum.get("relay_bytes_received")
    res.expect(psum.get("direct_bytes_received", 0) > psum.get("relay_bytes_received", 0), "the playback moved to the relay")
    during = [r for t, r, _ in watch.rss if began <= t <= stop_at]
    peak = max(during, default=0)
    held = max((h for t, _, h in watch.rss if began <= t <= stop_at), default=0)
    res.metrics["server_rss_peak_mib"] = r1(peak / 1024)
    res.metrics["server_attack_sockets_held_max"] = held
    res.metrics["server_fds_max"] = watch.fds_max
    bound = base_rss + held * SERVER_RSS_PER_CONNECTION_KIB + 32 * 1024
    res.metrics["server_rss_bound_mib"] = r1(bound / 1024)
    res.expect(peak <= bound, f"server RSS peaked at {peak / 1024:.1f} MiB (bound {bound / 1024:.1f} MiB)")
    # At most 64 from the one address pass the cap; up to 64 more turned away on arrival may not be
    # closed yet when a sample is taken.
    res.expect(held <= n_half + n_slow + 64 + 64, f"the server held {held} attacking connections at once (at most "
               f"{n_half + n_slow + 64} may pass the per-address cap, + 64 being turned away)")
    res.metrics["server_cpu_per_s_baseline"] = r1(watch.cpu_share(watch_began, began))
    res.metrics["server_cpu_per_s_attack"] = r1(watch.cpu_share(began, stop_at))
    if not res.expect(result is not None, "the attacker wrote no result"):
        return res
    st = result["stats"]
    secs = max(1e-3, stop_at - began)
    res.metrics["attack_s"] = r1(secs)
    res.metrics["attack_opens"] = st["opens"]
    res.metrics["attack_opens_per_s"] = r1(st["opens"] / secs)
    res.metrics["attack_max_open"] = result["max_open"]
    recs = result["records"]
    for kind, budget in (("halfopen", 14), ("capped", 14), ("slowloris", 14)):
        mine = [r for r in recs if r["kind"] == kind and r.get("opened")]
        lat = [r["closed"] - r["opened"] for r in mine if r.get("closed")]
        late = [r for r in mine if (r.get("closed") or stop_at) - r["opened"] > budget]
        quick_close = sum(1 for x in lat if x <= 1.5)
        res.metrics[f"attack_{kind}"] = {"sockets": len(mine), "closed_by_server": len(lat), "closed_within_1_5s": quick_close,
                                         "close_p50_s": r1(percentile(lat, 50)), "close_max_s": r1(max(lat) if lat else None),
                                         "over_budget": len(late),
                                         "how": sorted({(r.get("how") or "")[:30] for r in mine})[:6]}
        res.expect(not late, f"{len(late)} {kind} connections outlived {budget} s")
        res.expect(lat, f"no {kind} connection was closed by the server")
    # 64 per address: of the first wave from one address, the ones past 64 are closed on arrival.
    capped = res.metrics["attack_capped"]
    res.expect(capped["closed_within_1_5s"] >= n_capped - 64,
               f"only {capped['closed_within_1_5s']} of {n_capped} connections from one address closed at once (cap 64)")
    # The half-open ones are held until the header timeout (10 s), not refused.
    half = res.metrics["attack_halfopen"]
    res.expect(half["close_p50_s"] is not None and 9 <= half["close_p50_s"] <= 14,
               f"half-open connections closed after {half['close_p50_s']} s (header timeout 10 s)")
    return res


def scenario_dos_graphql(lab, quick):
    """Nesting payloads and 1 MiB garbage POSTed to /api/graphql, unauthenticated and authenticated,
    over direct and through the relay tunnel: the server stays up and answers a legitimate query."""
    res = Result("dos-graphql", "hostile GraphQL bodies over both paths")
    lab.proxy("pass")
    server = lab.procs["server"].pid
    token_file = os.path.join(lab.work, "token")
    with open(token_file, "w") as f:
        f.write(access_token(lab))
    os.chmod(token_file, 0o600)
    # Direct: Python's HTTPS client from the client namespace, through the direct-path proxy.
    out = os.path.join(lab.work, "graphql-direct.json")
    t0 = time.monotonic()
    r = subprocess.run(in_ns("c", sys.executable, os.path.join(HERE, "attack.py"), "graphql", "--host", ADDR["s"],
                             "--port", str(DIRECT_PORT), "--token-file", token_file, "--json", out),
                       capture_output=True, text=True, timeout=600)
    res.metrics["direct_s"] = r1(time.monotonic() - t0)
    try:
        with open(out) as f:
            posts = json.load(f)["posts"]
    except (OSError, ValueError):
        res.expect(False, f"the direct attacker failed: {r.stderr.strip()[-300:]}")
        posts = []
    table = []
    for x in posts:
        who = f"direct {x['payload']} {'auth' if x['auth'] else 'anon'}"
        table.append(f"{who}: {x['status']} {x['answer'][:90]} ({x['bytes']} B, {x['ms']:.0f} ms)")
        res.expect(x["status"] is None or 400 <= x["status"] < 500,
                   f"{who}: answered {x['status']} ({x['answer'][:120]!r}), expected a 4xx refusal")
        res.expect(x["legit_ok"], f"{who}: the legitimate query after it got {x['legit_status']}")
    kinds = len(attack.hostile_bodies(1000))
    res.expect(len(posts) == 2 * kinds, f"{len(posts)} of {2 * kinds} direct posts made")
    res.metrics["direct_answers"] = table
    res.metrics["direct_refused_with_4xx"] = sum(1 for x in posts if x["status"] and 400 <= x["status"] < 500)
    res.metrics["direct_closed_without_answer"] = sum(1 for x in posts if x["status"] is None)
    res.expect(lab.procs["server"].poll() is None and lab.procs["server"].pid == server, "the server died (direct bodies)")
    # Through the tunnel: the real client (one request per frame, so the bodies are ≤ 60,000 bytes
    # of the same shapes), with and without its bearer.
    lab.proxy("refuse")
    bodies = os.path.join(lab.work, "bodies")
    subprocess.run([sys.executable, os.path.join(HERE, "attack.py"), "bodies", "--dir", bodies, "--limit", "60000",
                    "--json", os.path.join(lab.work, "bodies.json")], check=True, capture_output=True)
    tunnel = []
    t0 = time.monotonic()
    for name in attack.hostile_bodies(1000):
        for auth in (False, True):
            ex_args = ["--post-body", os.path.join(bodies, f"{name}.body")] + ([] if auth else ["--no-bearer"])
            env = lab.client_env()
            proc = subprocess.run(in_ns("c", f"{lab.bin}/mydia-tui", "exercise", "--duration", "1", "--interval-ms", "500",
                                        *ex_args), capture_output=True, text=True, env=env, timeout=120)
            lines = [json.loads(l) for l in proc.stdout.splitlines() if l.startswith("{")]
            reqs = [l for l in lines if l.get("event") == "request"]
            paths = {l.get("path") for l in reqs}
            who = f"tunnel {name} {'auth' if auth else 'anon'}"
            got = [l.get("status") if l["ok"] else l.get("error", "")[:80] for l in reqs]
            tunnel.append(f"{who}: {got[:2]}")
            res.expect(reqs and all(l["ok"] and 400 <= l.get("status", 0) < 500 for l in reqs),
                       f"{who}: {got[:2]} (expected a 4xx answer; exit {proc.returncode}: {proc.stderr.strip()[-160:]})")
            res.expect(paths <= {"relay"}, f"{who}: went {paths}, not through the tunnel")
            res.expect(lab.procs["server"].poll() is None, f"the server died after {who}")
    res.metrics["tunnel_s"] = r1(time.monotonic() - t0)
    res.metrics["tunnel_answers"] = tunnel
    # A legitimate query through the tunnel, then over direct, from the same server process.
    ls = lab.tui("ls", "movies", "--json")
    res.metrics["legit_over_relay_exit"] = ls.returncode
    res.expect(ls.returncode == 0 and ls.stdout.strip().startswith("["), f"ls movies over the relay failed: {ls.stderr.strip()[-200:]}")
    lab.proxy("pass")
    ls = lab.tui("ls", "movies", "--json")
    res.expect(ls.returncode == 0, f"ls movies failed afterwards: {ls.stderr.strip()[-200:]}")
    res.expect(lab.procs["server"].poll() is None and lab.procs["server"].pid == server, "the server is not the one that was attacked")
    rss = attack.proc_rss_kib(server)
    res.metrics["server_rss_after_mib"] = r1(rss[0] / 1024) if rss else None
    res.metrics["server_rss_peak_mib"] = r1(rss[1] / 1024) if rss else None
    return res


def scenario_mdns_offlink(lab, quick):
    """A unicast mDNS query from an off-link source gets no answer; one from the link does, at most
    8 a second per source."""
    res = Result("mdns-offlink", "mDNS: no answer off the link")
    # The lab's server announces on lo; for this one it runs on the lab link too (the same state).
    lab.stop("server")
    lab.start_server(extra=["--discovery", "enabled", "--discovery-interface", "mlab-s1"])
    try:
        time.sleep(2)  # the responder's sockets are up once it announced
        # The way back to the off-link address works: an answer, if one were sent, would arrive.
        listen = subprocess.Popen(in_ns("a", sys.executable, "-c",
                                        "import socket,sys\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
                                        f"s.bind(('{OFF_LINK}',9999))\ns.settimeout(5)\nprint('ready',flush=True)\n"
                                        "try:\n print(s.recvfrom(100)[0].decode())\nexcept OSError:\n print('none')"),
                                  stdout=subprocess.PIPE, text=True)
        listen.stdout.readline()
        subprocess.run(in_ns("s", sys.executable, "-c", "import socket\n"
                             f"socket.socket(socket.AF_INET,socket.SOCK_DGRAM).sendto(b'back',('{OFF_LINK}',9999))"), check=True)
        got = listen.communicate(timeout=10)[0].strip()
        res.metrics["route_to_off_link"] = "ok" if got == "back" else "none"
        res.expect(got == "back", f"the server namespace cannot reach {OFF_LINK}: the test could not see an answer")

        def probe(ns, src, count=3, gap=0.3, wait=2.0):
            out = os.path.join(lab.work, f"mdns-{src}-{count}.json")
            r = subprocess.run(in_ns(ns, sys.executable, os.path.join(HERE, "attack.py"), "mdns", "--src", src, "--dst", ADDR["s"],
                                     "--count", str(count), "--gap", str(gap), "--wait", str(wait), "--json", out),
                               capture_output=True, text=True, timeout=60)
            try:
                with open(out) as f:
                    return json.load(f)
            except (OSError, ValueError):
                res.expect(False, f"mdns probe from {src} failed: {r.stderr.strip()[-200:]}")
                return {"sent": 0, "answers": 0}

        on = probe("c", ADDR["c"])
        res.metrics["on_link_sent"], res.metrics["on_link_answers"] = on["sent"], on["answers"]
        res.expect(on["answers"] >= 1, "a query from the link got no answer: the responder is not answering at all")
        off = probe("a", OFF_LINK, count=10, gap=0.1)
        res.metrics["off_link_sent"], res.metrics["off_link_answers"] = off["sent"], off["answers"]
        res.expect(off["answers"] == 0, f"{off['answers']} answers went to the off-link address {OFF_LINK}")
        # A flood from one on-link source: at most 8 answers a second (SourceRateLimit).
        flood = probe("a", ADDR["a"], count=60, gap=0.01, wait=1.5)
        span = max(1.0, flood.get("elapsed_s", 1))
        res.metrics["flood_sent"], res.metrics["flood_answers"] = flood["sent"], flood["answers"]
        res.metrics["flood_s"] = flood.get("elapsed_s")
        res.expect(flood["answers"] >= 1, "the on-link flood got no answer at all")
        res.expect(flood["answers"] <= 8 * (int(span) + 1), f"{flood['answers']} answers to {flood['sent']} queries in {span:.1f} s (limit 8/s)")
    finally:
        lab.stop("server")
        lab.start_server()
    return res


SCENARIOS = {"1": scenario_1, "1d": scenario_1d, "1dr": scenario_1dr, "1r": scenario_1r, "2": scenario_2, "3": scenario_3, "4": scenario_4, "4r": scenario_4r, "5": scenario_5, "6": scenario_6, "6b": scenario_6b, "7": scenario_7,
             "8a": scenario_8a, "8b": scenario_8b, "9": scenario_9, "soak": scenario_soak, "sec": scenario_sec,
             "dos-relay": scenario_dos_relay, "dos-direct": scenario_dos_direct, "dos-graphql": scenario_dos_graphql,
             "mdns-offlink": scenario_mdns_offlink, "10": scenario_10}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenarios", default="1,1d,1dr,1r,2,3,4,4r,5,6,6b,7,8b,8a,9,sec,10")
    ap.add_argument("--quick", action="store_true", help="shorter runs (make test)")
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build", "debug"))
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--soak-seconds", type=int, default=3600, help="length of the soak scenario (default 1 h)")
    ap.add_argument("--nice", type=int, default=0,
                    help="run the lab (and everything it starts) this much above normal priority: the attack scenarios "
                         "measure CPU-bound behaviour, which a machine busy with other work would drown")
    args = ap.parse_args()
    names = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        ap.error(f"unknown scenarios {unknown}; known: {', '.join(SCENARIOS)}")
    if not namespaces_available():
        print("faultlab: SKIPPED — network namespaces are unavailable here (needs root and `ip netns`).")
        return 77
    for tool in ("nft", "openssl", "ffmpeg") + (("mpv",) if set(names) & {"1", "1d", "1dr", "4", "9", "10", "soak", "sec", "dos-relay", "dos-direct"} else ()):
        if shutil.which(tool) is None:
            print(f"faultlab: SKIPPED — `{tool}` is not installed (run `make deps`).")
            return 77
    for exe in ("mydia-relay", "mydia-server", "mydia-tui"):
        if not os.access(os.path.join(args.bin, exe), os.X_OK):
            print(f"faultlab: {exe} not found in {args.bin} (run `swift build` first).")
            return 1

    # The relay and server inherit this limit: the attack scenarios hold thousands of sockets.
    attack.raise_nofile(65536)
    priority = None
    if args.nice:
        os.nice(-args.nice)
        priority = Priority(args.nice)
        priority.start()
    work = tempfile.mkdtemp(prefix="mydia-faultlab-")
    say = lambda m: print(f"faultlab: {m}", flush=True)
    lab = Lab(os.path.abspath(args.bin), work, say)
    lab.soak_seconds = args.soak_seconds
    results = []
    began = time.monotonic()
    try:
        lab.up(args.soak_seconds if "soak" in names else None)
        for n in names:
            t0 = time.monotonic()
            say(f"scenario {n}: {SCENARIOS[n].__doc__.strip()}")
            try:
                res = SCENARIOS[n](lab, args.quick)
            except Exception as e:  # a broken harness step fails the scenario, never the whole run silently
                res = Result(n, SCENARIOS[n].__doc__.strip())
                res.expect(False, f"harness error: {e}")
            finally:
                lab.kill_players()  # a scenario that gave up early (or broke) leaves no player behind
                lab.nft_blackhole(False)
                for reset in (lab.proxy, lab.relay_proxy):
                    try:
                        reset("pass")
                    except Exception:
                        pass
            res.metrics["duration_s"] = r1(time.monotonic() - t0)
            results.append(res)
            verdict = "PASS" if res.passed else "FAIL"
            say(f"scenario {n} {verdict} {json.dumps(res.metrics, ensure_ascii=False)}")
            for f in res.failures:
                say(f"  ✗ {f}")
            if res.ex is not None:
                res.metrics["timeline"] = res.ex.timeline()[:16]
                say("  timeline: " + ", ".join(res.metrics["timeline"]))

    except Exception as e:
        say(f"lab setup failed: {e} (logs in {work})")
        args.keep = True
        return 1
    finally:
        lab.down()
        if priority:
            priority.stop_flag.set()
            Priority.autogroup(0)
        if args.json:
            with open(args.json, "w") as f:
                json.dump([{"scenario": r.name, "title": r.title, "passed": r.passed, "metrics": r.metrics,
                            "failures": r.failures} for r in results], f, indent=2, ensure_ascii=False)
        if not args.keep and all(r.passed for r in results):
            shutil.rmtree(work, ignore_errors=True)
        else:
            say(f"work directory kept: {work}")
    passed = sum(r.passed for r in results)
    print(f"faultlab: {time.monotonic() - began:.0f} s")
    print(f"faultlab: {passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
