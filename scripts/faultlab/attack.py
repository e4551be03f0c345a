#!/usr/bin/env python3
"""The fault lab's attackers (issue 18): hostile clients against the real relay and server, run
inside the lab's namespaces, and the lab-side instruments that judge them.

Commands (each run in a namespace with `ip netns exec`; results as JSON to --json, progress on stdout):

  relay   TLS + WebSocket sockets against /relay/client/websocket:
          silent    upgrade, then a `ping` every 2 s, no `connect`, never read (SO_RCVBUF 4 KiB,
                    reading paused): closed by the first-message deadline (10 s, §12.4);
          junk      malformed JSON text frames as fast as the socket takes them, never read:
                    closed at the 17th bad message (16 answered, §12.4);
          pinger    `connect` to the lab's instance, then `ping` frames in bursts, never read: its
                    pongs pile up until the socket's 1 MiB budget ends it, or the instance's
                    30 s handshake deadline ends the session (then a 2 s close grace);
          reconnect `connect`, then `connect` again and again (a bad request each), never read.
          Every slot opens a new socket when its socket is gone, until --duration ends, with all
          opens paced by --open-rate.
  direct  TCP/TLS connections against the server's direct listener:
          halfopen  TCP open, no ClientHello, wait for the close (header timeout 10 s, §13.19);
          capped    as halfopen but all from one address (past 64 per address: closed at once);
          slowloris TLS done, a partial request head, then one byte every --drip seconds.
  graphql hostile POST bodies to /api/graphql over HTTPS, without and with a bearer; after each
          one a legitimate query must still be answered.
  mdns    unicast DNS-SD queries (PTR _mydia._tcp.local) from a given source address; counts answers.

Library (imported by lab.py): ``SocketWatch`` (which TCP peers a process still holds, sampled from
/proc), ``proc_rss_kib``, ``nofile_limit``.
"""
import argparse
import asyncio
import base64
import http.client
import json
import os
import random
import resource
import signal
import socket
import ssl
import struct
import sys
import threading
import time

INSTANCE_PATH = "/relay/client/websocket"


# ---- shared helpers ----------------------------------------------------------------------------

def raise_nofile(want):
    """Raises this process's RLIMIT_NOFILE soft limit towards `want` (up to the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(hard, max(soft, want)) if hard != resource.RLIM_INFINITY else max(soft, want)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def nofile_limit(pid):
    """The soft `Max open files` of a live process, or None."""
    try:
        with open(f"/proc/{pid}/limits") as f:
            for line in f:
                if line.startswith("Max open files"):
                    v = line.split()[3]
                    return 1 << 62 if v == "unlimited" else int(v)
    except OSError:
        pass
    return None


def proc_rss_kib(pid):
    """(VmRSS, VmHWM) in KiB of a live process, or None."""
    try:
        with open(f"/proc/{pid}/status") as f:
            got = {l.split(":")[0]: int(l.split()[1]) for l in f if l.startswith(("VmRSS:", "VmHWM:"))}
        return got["VmRSS"], got["VmHWM"]
    except (OSError, KeyError, ValueError):
        return None


def percentile(values, p):
    if not values:
        return None
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def tls_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # an attacker does not care who it talks to
    return ctx


def ws_frame(opcode, payload):
    """One masked client frame. The mask key is zero (legal; the payload then needs no XOR)."""
    n = len(payload)
    if n < 126:
        head = bytes([0x80 | opcode, 0x80 | n])
    elif n < 65536:
        head = bytes([0x80 | opcode, 0x80 | 126]) + n.to_bytes(2, "big")
    else:
        head = bytes([0x80 | opcode, 0x80 | 127]) + n.to_bytes(8, "big")
    return head + b"\0\0\0\0" + payload


class Pacer:
    """Opens at most `rate` sockets per second across every slot (a shared token bucket)."""

    def __init__(self, rate):
        self.rate = rate
        self.next = time.monotonic()
        self.lock = asyncio.Lock()

    async def wait(self):
        async with self.lock:
            now = time.monotonic()
            if self.next > now:
                await asyncio.sleep(self.next - now)
            self.next = max(self.next, now) + 1.0 / self.rate


async def open_socket(src, target, rcvbuf=None, timeout=20):
    """A non-blocking TCP socket bound to `src`, connected to `target`."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        if rcvbuf:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_BIND_ADDRESS_NO_PORT, 1)
        sock.bind((src, 0))
        sock.setblocking(False)
        await asyncio.wait_for(asyncio.get_running_loop().sock_connect(sock, target), timeout)
        return sock
    except BaseException:
        sock.close()
        raise


# ---- relay ---------------------------------------------------------------------------------------

class RelayAttack:
    def __init__(self, args):
        self.args = args
        self.target = (args.host, args.port)
        self.end = time.monotonic() + args.duration
        self.pacer = Pacer(args.open_rate)
        self.flood_pacer = Pacer(50)  # the flooders do not queue behind the silent crowd
        self.ctx = tls_context()
        self.records = []
        self.stats = {"opens": 0, "upgrades": 0, "open_failures": 0, "messages": 0, "bytes_sent": 0}
        self.open_now = 0
        self.max_open = 0
        self.ping = ws_frame(1, b'{"type":"ping"}')
        self.connect = ws_frame(1, json.dumps({"type": "connect", "instance_id": args.instance}).encode())
        self.junk = [ws_frame(1, x) for x in (b'{"type":', b"garbage \x21\x7e not json", b'{"type":"connect","instance_id":7}',
                                               b"[" * 200, b'{"type":"ping"' + b" " * 300)]

    async def upgrade(self, src, rcvbuf):
        sock = await open_socket(src, self.target, rcvbuf)
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(sock=sock, ssl=self.ctx, server_hostname=self.args.host, ssl_handshake_timeout=20), 25)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write((f"GET {INSTANCE_PATH} HTTP/1.1\r\nHost: {self.args.host}:{self.args.port}\r\nUpgrade: websocket\r\n"
                      f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 20)
        if not head.startswith(b"HTTP/1.1 101"):
            writer.close()
            raise ConnectionError(head.split(b"\r\n")[0].decode(errors="replace"))
        writer.transport.pause_reading()  # never read again: the kernel's small buffer fills and stays full
        return reader, writer, sock.getsockname()

    async def send(self, writer, data, rec):
        if writer.transport.is_closing():
            # asyncio's TLS transport drops writes after the connection is lost (with a warning),
            # it does not raise: this is where a never-reading socket learns it was closed.
            raise ConnectionResetError("closed")
        writer.write(data)
        await writer.drain()
        rec["bytes_sent"] += len(data)
        self.stats["bytes_sent"] += len(data)

    async def one(self, kind, src):
        await (self.pacer if kind == "silent" else self.flood_pacer).wait()
        rec = {"kind": kind, "src": src, "sport": None, "started": time.monotonic(), "upgraded": None,
               "first_send": None, "client_saw_close": None, "messages": 0, "bytes_sent": 0, "error": None}
        self.records.append(rec)
        self.stats["opens"] += 1
        try:
            reader, writer, local = await self.upgrade(src, 4096)
        except (OSError, asyncio.TimeoutError, ConnectionError, ssl.SSLError, asyncio.IncompleteReadError) as e:
            rec["error"] = f"open: {e.__class__.__name__} {e}"[:120]
            rec["client_saw_close"] = time.monotonic()
            self.stats["open_failures"] += 1
            return
        rec["sport"] = local[1]
        rec["upgraded"] = time.monotonic()
        self.stats["upgrades"] += 1
        self.open_now += 1
        self.max_open = max(self.max_open, self.open_now)
        try:
            if kind == "silent":
                while time.monotonic() < self.end:
                    await self.message(writer, self.ping, rec)
                    await asyncio.sleep(2)
            elif kind == "junk":
                burst = b"".join(random.choice(self.junk) for _ in range(64))
                while time.monotonic() < self.end:
                    await self.message(writer, burst, rec, 64)
                    await asyncio.sleep(0.25)
            elif kind == "pinger":
                await self.message(writer, self.connect, rec)
                burst = self.ping * 1000
                while time.monotonic() < self.end:
                    await self.message(writer, burst, rec, 1000)
                    await asyncio.sleep(0.05)
            elif kind == "reconnect":
                await self.message(writer, self.connect, rec)
                while time.monotonic() < self.end:
                    await asyncio.sleep(0.2)
                    await self.message(writer, self.connect * 4, rec, 4)
            rec["ended_by_attacker"] = True
        except (OSError, ConnectionError, asyncio.TimeoutError) as e:
            rec["client_saw_close"] = time.monotonic()
            rec["error"] = e.__class__.__name__
        finally:
            self.open_now -= 1
            writer.transport.abort()

    async def message(self, writer, data, rec, count=1):
        if rec["first_send"] is None:
            rec["first_send"] = time.monotonic()
        await asyncio.wait_for(self.send(writer, data, rec), 30)
        rec["messages"] += count
        self.stats["messages"] += count

    async def slot(self, kind, src, stagger):
        await asyncio.sleep(stagger)
        while time.monotonic() < self.end:
            await self.one(kind, src)
            await asyncio.sleep(0.1)

    async def run(self):
        a = self.args
        groups = [("silent", a.silent, a.silent_src), ("junk", a.junk, a.junk_src),
                  ("pinger", a.pingers, a.pinger_src), ("reconnect", a.reconnects, a.reconnect_src)]
        tasks = []
        for kind, n, sources in groups:
            for i in range(n):
                # The flooders start once the silent crowd is ramping (the pacer spreads the opens).
                tasks.append(asyncio.create_task(self.slot(kind, sources[i % len(sources)], 0 if kind == "silent" else 1.0)))
        began = time.monotonic()
        last = 0
        while time.monotonic() < self.end:
            await asyncio.sleep(0.5)
            if self.args.stop_file and os.path.exists(self.args.stop_file):
                self.end = time.monotonic()
                break
            if time.monotonic() - last >= 2:
                last = time.monotonic()
                print(json.dumps({"t": round(last - began, 1), "open": self.open_now, **self.stats}), flush=True)
        await asyncio.sleep(0.5)
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return {"records": self.records, "stats": self.stats, "max_open": self.max_open, "began": began,
                "duration_s": time.monotonic() - began}


# ---- direct --------------------------------------------------------------------------------------

class DirectAttack:
    def __init__(self, args):
        self.args = args
        self.target = (args.host, args.port)
        self.end = time.monotonic() + args.duration
        self.pacer = Pacer(args.open_rate)
        self.ctx = tls_context()
        self.records = []
        self.stats = {"opens": 0, "open_failures": 0, "closed_by_server": 0, "bytes_sent": 0}
        self.open_now = 0
        self.max_open = 0

    async def one(self, kind, src):
        await self.pacer.wait()
        rec = {"kind": kind, "src": src, "started": time.monotonic(), "opened": None, "closed": None, "how": None, "bytes_sent": 0}
        self.records.append(rec)
        self.stats["opens"] += 1
        try:
            sock = await open_socket(src, self.target)
        except (OSError, asyncio.TimeoutError) as e:
            rec["how"] = f"connect failed: {e.__class__.__name__}"
            rec["closed"] = time.monotonic()
            self.stats["open_failures"] += 1
            return rec
        rec["opened"] = time.monotonic()
        self.open_now += 1
        self.max_open = max(self.max_open, self.open_now)
        loop = asyncio.get_running_loop()
        try:
            if kind in ("halfopen", "capped"):
                # No ClientHello: just wait for the server to give up on us.
                remaining = self.end - time.monotonic()
                data = await asyncio.wait_for(loop.sock_recv(sock, 4096), max(0.1, remaining))
                rec["how"] = "eof" if not data else "data"
                rec["closed"] = time.monotonic()
            else:  # slowloris: a real TLS session, a head that never ends
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(sock=sock, ssl=self.ctx, server_hostname="mydia", ssl_handshake_timeout=20), 25)
                rec["tls_done"] = time.monotonic()
                head = b"GET /api/v1/remote/probe HTTP/1.1\r\nHost: mydia\r\nUser-Agent: slow"
                writer.write(head)
                await writer.drain()
                rec["bytes_sent"] += len(head)
                while time.monotonic() < self.end:
                    try:
                        data = await asyncio.wait_for(reader.read(4096), self.args.drip)
                        rec["how"] = "eof" if not data else f"answered {data[:12]!r}"
                        rec["closed"] = time.monotonic()
                        break
                    except asyncio.TimeoutError:
                        writer.write(b"o")
                        await writer.drain()
                        rec["bytes_sent"] += 1
                writer.transport.abort()
        except asyncio.TimeoutError:
            rec["how"] = "still open at the end"
        except (OSError, ConnectionError, ssl.SSLError) as e:
            rec["how"] = f"reset: {e.__class__.__name__}"
            rec["closed"] = time.monotonic()
        finally:
            self.open_now -= 1
            sock.close()
        if rec["closed"] is not None:
            self.stats["closed_by_server"] += 1
        return rec

    async def slot(self, kind, src):
        while time.monotonic() < self.end:
            rec = await self.one(kind, src)
            # Turned away on arrival (the per-address cap): try again a little later, so these
            # retries do not eat the pacer's opens.
            refused = rec.get("closed") and rec.get("opened") and rec["closed"] - rec["opened"] < 1.5
            await asyncio.sleep(2.0 if refused else 0.1)

    async def run(self):
        a = self.args
        tasks = []
        for kind, n, sources in (("halfopen", a.halfopen, a.halfopen_src), ("capped", a.capped, [a.capped_src]),
                                 ("slowloris", a.slowloris, a.slowloris_src)):
            for i in range(n):
                tasks.append(asyncio.create_task(self.slot(kind, sources[i % len(sources)])))
        began = time.monotonic()
        last = 0
        while time.monotonic() < self.end:
            await asyncio.sleep(0.5)
            if self.args.stop_file and os.path.exists(self.args.stop_file):
                self.end = time.monotonic()
                break
            if time.monotonic() - last >= 2:
                last = time.monotonic()
                print(json.dumps({"t": round(last - began, 1), "open": self.open_now, **self.stats}), flush=True)
        await asyncio.sleep(1)
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return {"records": self.records, "stats": self.stats, "max_open": self.max_open, "began": began,
                "duration_s": time.monotonic() - began}


# ---- GraphQL bodies ----------------------------------------------------------------------------

def hostile_bodies(limit=None):
    """The hostile bodies of issue 18 item 1, and garbage. `limit` caps each body's size (the
    tunnel carries a request in one frame of ≤ 64 KiB): the shapes stay the same, only shallower."""
    n_brackets = 300_000 if limit is None else limit - 20
    n_braces = 300_000 if limit is None else (limit - 20) // 2
    size = 1 << 20 if limit is None else limit
    rnd = random.Random(18)
    return {
        "nest_brackets": b'{"query":"{a(b:' + b"[" * n_brackets + b'}"}',
        "nest_braces": b'{"query":"' + b"{a" * n_braces + b'"}',
        # JSON itself nested as deep as the body allows (the body's JSON parser, not GraphQL's).
        "json_nesting": b"[" * size,
        # Random bytes; through the tunnel they travel base64 (4/3), so a third smaller there.
        "garbage_random": bytes(rnd.getrandbits(8) for _ in range(size if limit is None else size * 3 // 4 - 64)),
        # The same shapes under the 32 KiB document limit, so the nesting bound (not the size
        # bound) is what refuses them: 32,000 levels still overflowed an unguarded parser.
        "nest_brackets_32k": b'{"query":"{a(b:' + b"[" * 32_000 + b'}"}',
        "nest_braces_32k": b'{"query":"' + b"{a" * 16_000 + b'"}',
        # Parsable, but past the selection depth (12) and the complexity (200) bounds.
        "depth_20": json.dumps({"query": "{" + "a{" * 20 + "a" + "}" * 21}).encode(),
        "complexity_300": json.dumps({"query": "{" + " ".join(f"a{i}:__typename" for i in range(300)) + "}"}).encode(),
        # A well-formed body whose query is one huge string of names.
        "huge_query": b'{"query":"{' + b"a " * ((size - 16) // 2) + b'}"}',
    }


def post(host, port, body, token, timeout=30):
    """One POST to /api/graphql over HTTPS: (status or None, what happened, ms)."""
    t0 = time.monotonic()
    conn = http.client.HTTPSConnection(host, port, timeout=timeout, context=tls_context())
    try:
        conn.putrequest("POST", "/api/graphql", skip_host=True)
        conn.putheader("Host", f"{host}:{port}")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(len(body)))
        if token:
            conn.putheader("Authorization", f"Bearer {token}")
        conn.endheaders()
        try:
            conn.send(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer (and close) before the body is in: read what it said
        r = conn.getresponse()
        data = r.read()
        return r.status, data[:300].decode(errors="replace"), (time.monotonic() - t0) * 1000
    except (OSError, http.client.HTTPException) as e:
        return None, f"{e.__class__.__name__}: {e}"[:200], (time.monotonic() - t0) * 1000
    finally:
        conn.close()


LEGIT_QUERY = json.dumps({"query": "query { __typename }"}).encode()


def graphql_attack(args):
    with open(args.token_file) as f:
        token = f.read().strip()
    out = []
    for name, body in hostile_bodies().items():
        for auth in (False, True):
            status, what, ms = post(args.host, args.port, body, token if auth else None)
            legit_status, legit_body, legit_ms = post(args.host, args.port, LEGIT_QUERY, token)
            out.append({"payload": name, "bytes": len(body), "auth": auth, "status": status, "answer": what, "ms": round(ms, 1),
                        "legit_status": legit_status, "legit_ok": legit_status == 200 and '"data"' in legit_body,
                        "legit_ms": round(legit_ms, 1)})
            print(json.dumps({k: v for k, v in out[-1].items() if k != "answer"}), flush=True)
    return {"posts": out}


def write_bodies(args):
    os.makedirs(args.dir, exist_ok=True)
    for name, body in hostile_bodies(args.limit).items():
        with open(os.path.join(args.dir, f"{name}.body"), "wb") as f:
            f.write(body)
    with open(os.path.join(args.dir, "legit.body"), "wb") as f:
        f.write(LEGIT_QUERY)
    return {"bodies": sorted(os.listdir(args.dir))}


# ---- mDNS ----------------------------------------------------------------------------------------

def dns_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def mdns_query(qid):
    """A standard query (id `qid`) for PTR _mydia._tcp.local, QU bit clear."""
    return struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0) + dns_name("_mydia._tcp.local") + struct.pack(">HH", 12, 1)


def mdns_probe(args):
    """Sends `count` unicast queries from `src` to `dst`:5353 and counts the answers that come back
    to `src` (a legacy unicast querier, source port ≠ 5353, RFC 6762 §6.7)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((args.src, 0))
    s.setblocking(False)
    answers, sent = [], 0
    ids = set()
    t0 = time.monotonic()
    for i in range(args.count):
        qid = 0x1800 + i
        ids.add(qid)
        s.sendto(mdns_query(qid), (args.dst, 5353))
        sent += 1
        time.sleep(args.gap)
        try:
            while True:
                data, peer = s.recvfrom(9000)
                answers.append((time.monotonic() - t0, data, peer))
        except (socket.timeout, BlockingIOError):
            pass
    s.settimeout(0.05)
    deadline = time.monotonic() + args.wait
    while time.monotonic() < deadline:
        try:
            data, peer = s.recvfrom(9000)
            answers.append((time.monotonic() - t0, data, peer))
        except socket.timeout:
            pass
    good = []
    for at, data, peer in answers:
        if len(data) >= 12:
            qid, flags, qd, an = struct.unpack(">HHHH", data[:8])
            if qid in ids and flags & 0x8000 and an > 0:
                good.append({"t": round(at, 3), "id": qid, "answers": an, "bytes": len(data), "from": peer[0]})
    return {"src": args.src, "dst": args.dst, "sent": sent, "answers": len(good), "replies": good[:50],
            "elapsed_s": round(time.monotonic() - t0, 2)}


# ---- lab-side instruments ------------------------------------------------------------------------

def _hex_addr(h):
    ip, port = h.split(":")
    return socket.inet_ntoa(struct.pack("<I", int(ip, 16))), int(port, 16)


class SocketWatch:
    """Samples which TCP connections a process holds (its socket fds, looked up in its namespace's
    /proc/PID/net/tcp) whose peer address is in `peers`: for each connection (by inode) the peer,
    first and last time seen. A connection the process closed is gone from its fds even while the
    kernel still lingers on it, so the last time seen is when the process let go (± one period).
    Also samples VmRSS. Runs in a thread of the lab process (root: it may read another's /proc)."""

    def __init__(self, pid, peers, period=0.25):
        self.pid, self.peers, self.period = pid, set(peers), period
        self.conns = {}  # inode -> [peer_ip, peer_port, first, last, shut]: shut = first seen past ESTABLISHED
        self.cpu = []  # (t, utime+stime seconds)
        self.rss = []  # (t, VmRSS KiB, held count)
        self.fds_max = 0
        self.stop_flag = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.stop_flag.set()
        self.thread.join(10)

    def sample(self):
        now = time.monotonic()
        inodes = set()
        try:
            fds = os.listdir(f"/proc/{self.pid}/fd")
        except OSError:
            return False
        self.fds_max = max(self.fds_max, len(fds))
        for fd in fds:
            try:
                link = os.readlink(f"/proc/{self.pid}/fd/{fd}")
            except OSError:
                continue
            if link.startswith("socket:["):
                inodes.add(link[8:-1])
        held = 0
        try:
            with open(f"/proc/{self.pid}/net/tcp") as f:
                next(f)
                for line in f:
                    parts = line.split()
                    inode = parts[9]
                    if inode not in inodes or inode == "0":
                        continue
                    ip, port = _hex_addr(parts[2])
                    if ip not in self.peers:
                        continue
                    held += 1
                    shut = now if parts[3] != "01" else None  # 01 = ESTABLISHED; else the process sent its FIN
                    c = self.conns.get(inode)
                    if c is None:
                        self.conns[inode] = [ip, port, now, now, shut]
                    else:
                        c[3] = now
                        if c[4] is None:
                            c[4] = shut
        except OSError:
            return False
        got = proc_rss_kib(self.pid)
        if got:
            self.rss.append((now, got[0], held))
        try:
            with open(f"/proc/{self.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            self.cpu.append((now, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")))
        except (OSError, IndexError, ValueError):
            pass
        return True

    def cpu_share(self, t0, t1):
        """CPU seconds the process used per second between t0 and t1."""
        inside = [c for c in self.cpu if t0 <= c[0] <= t1]
        if len(inside) < 2:
            return None
        return (inside[-1][1] - inside[0][1]) / max(1e-3, inside[-1][0] - inside[0][0])

    def loop(self):
        while not self.stop_flag.is_set():
            if not self.sample():
                return
            self.stop_flag.wait(self.period)

    def held_now(self, before):
        """Connections seen in the last sample (at or after `before`)."""
        return [c for c in self.conns.values() if c[3] >= before]

    def closing_time(self, ip, port, after):
        """The connection from ip:port opened at or after `after`: (first seen, last seen — when
        the process let go of it —, first seen shut — when it sent its FIN, or None), or None if
        never seen."""
        best = None
        for c in self.conns.values():
            if c[0] == ip and c[1] == port and c[2] >= after - 1.0:
                if best is None or c[2] < best[2]:
                    best = c
        return (best[2], best[3], best[4]) if best else None


# ---- command line ------------------------------------------------------------------------------

def addresses(spec):
    """`10.77.0.10-49` or `127.0.1.1-40` or a comma list → addresses."""
    out = []
    for part in spec.split(","):
        if "-" in part.rsplit(".", 1)[-1]:
            base, rng = part.rsplit(".", 1)
            lo, hi = rng.split("-")
            out += [f"{base}.{i}" for i in range(int(lo), int(hi) + 1)]
        elif part:
            out.append(part)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("relay")
    r.add_argument("--host", required=True)
    r.add_argument("--port", type=int, default=443)
    r.add_argument("--instance", required=True)
    r.add_argument("--duration", type=float, default=60)
    r.add_argument("--open-rate", type=float, default=200)
    r.add_argument("--silent", type=int, default=2000)
    r.add_argument("--junk", type=int, default=100)
    r.add_argument("--pingers", type=int, default=50)
    r.add_argument("--reconnects", type=int, default=50)
    r.add_argument("--silent-src", type=addresses, required=True)
    r.add_argument("--junk-src", type=addresses, required=True)
    r.add_argument("--pinger-src", type=addresses, required=True)
    r.add_argument("--reconnect-src", type=addresses, required=True)
    d = sub.add_parser("direct")
    d.add_argument("--host", default="127.0.0.1")
    d.add_argument("--port", type=int, default=8443)
    d.add_argument("--duration", type=float, default=60)
    d.add_argument("--open-rate", type=float, default=400)
    d.add_argument("--halfopen", type=int, default=2000)
    d.add_argument("--capped", type=int, default=200)
    d.add_argument("--slowloris", type=int, default=100)
    d.add_argument("--drip", type=float, default=3)
    d.add_argument("--halfopen-src", type=addresses, required=True)
    d.add_argument("--capped-src", required=True)
    d.add_argument("--slowloris-src", type=addresses, required=True)
    g = sub.add_parser("graphql")
    g.add_argument("--host", required=True)
    g.add_argument("--port", type=int, required=True)
    g.add_argument("--token-file", required=True)
    b = sub.add_parser("bodies")
    b.add_argument("--dir", required=True)
    b.add_argument("--limit", type=int, default=None)
    m = sub.add_parser("mdns")
    m.add_argument("--src", required=True)
    m.add_argument("--dst", required=True)
    m.add_argument("--count", type=int, default=3)
    m.add_argument("--gap", type=float, default=0.3)
    m.add_argument("--wait", type=float, default=2)
    for p in (r, d, g, b, m):
        p.add_argument("--json", required=True)
    for p in (r, d):
        p.add_argument("--stop-file", help="stop early once this file exists")
    args = ap.parse_args()
    nofile = raise_nofile(65536)
    import logging
    logging.getLogger("asyncio").setLevel(logging.ERROR)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    if args.cmd == "relay":
        result = asyncio.run(RelayAttack(args).run())
    elif args.cmd == "direct":
        result = asyncio.run(DirectAttack(args).run())
    elif args.cmd == "graphql":
        result = graphql_attack(args)
    elif args.cmd == "bodies":
        result = write_bodies(args)
    else:
        result = mdns_probe(args)
    result["nofile"] = nofile
    with open(args.json, "w") as f:
        json.dump(result, f)
    print("done", flush=True)


if __name__ == "__main__":
    main()
