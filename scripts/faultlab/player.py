"""The fault lab's view of a playback: `mydia-tui play … --events json` (PROTOCOL.md §13.79) read
line by line with arrival times, and what the playback scenarios compute from it (first frame,
mpv's stalls, skipped media, failed requests); plus /proc readers for mpv and the soak's samples."""
import json
import os
import subprocess
import threading
import time


def timeline(lines, at):
    """state/path changes of connection lines as compact strings (`at`: the line's time key)."""
    out, prev = [], None
    for l in lines:
        key = (l["state"], l["path"], l["relay_up"])
        if key != prev:
            out.append(f"{l[at]:.2f}s {l['state']}/{l['path']}{'' if l['relay_up'] else ' relay-down'}")
        prev = key
    return out


class Player:
    """The running `mydia-tui play … --events json`, its lines collected with arrival times, and the
    client log lines written while it ran."""

    def __init__(self, p, record, log, log_offset, clip):
        self.p, self.clip = p, clip
        self.log_path, self.log_offset = log, log_offset
        self.record = open(record, "w")
        self.start = time.monotonic()
        self.lines = []
        self.lock = threading.Lock()
        self.stderr = ""
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.p.stdout:
            self.record.write(line)
            self.record.flush()
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            obj["_at"] = time.monotonic() - self.start
            with self.lock:
                self.lines.append(obj)

    def now(self):
        return time.monotonic() - self.start

    def to_t(self, at):
        """A lab-clock time (`_at`) on the client's clock (`t`): lines arrive a few ms after they are stamped."""
        lags = sorted(l["_at"] - l["t"] for l in self.events() if "t" in l)
        return at - (lags[len(lags) // 2] if lags else 0)

    @property
    def pid(self):
        return self.p.pid  # `ip netns exec` execs the program: the pid is mydia-tui's

    def events(self, kind=None):
        with self.lock:
            return [l for l in self.lines if kind is None or l.get("event") == kind]

    def wait_for(self, predicate, timeout, kind=None):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for l in self.events(kind):
                if predicate(l):
                    return l
            if self.p.poll() is not None and not self.reader.is_alive():
                break
            time.sleep(0.05)
        return None

    def wait_position(self, seconds, timeout):
        return self.wait_for(lambda l: l["position"] >= seconds, timeout, "position")

    def finish(self, timeout):
        try:
            self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        self.reader.join(5)
        self.stderr = self.p.stderr.read()
        return self.p.returncode

    def ended(self):
        e = self.events("ended")
        return e[-1] if e else None

    def summary(self):
        e = self.events("summary")
        return e[-1] if e else None

    def log_lines(self):
        try:
            with open(self.log_path, errors="replace") as f:
                f.seek(self.log_offset)
                return f.read().splitlines()
        except OSError:
            return []

    def failed_requests(self):
        """Requests the player saw fail: the proxy's cut bodies, and its 502s (logged as 'proxy
        upstream request failed' / 'proxy playlist unavailable' in the client log)."""
        cut = (self.summary() or {}).get("truncated", 0)
        failed = [l for l in self.log_lines() if "proxy upstream request failed" in l or "proxy playlist unavailable" in l]
        return cut + len(failed)

    def log_count(self, text):
        return sum(text in l for l in self.log_lines())

    def first_frame(self):
        """The first position line past 0 (mpv is showing frames)."""
        return next((l for l in self.events("position") if l["position"] > 0), None)

    def first_frame_s(self):
        """Command start → the first frame, on the client's clock."""
        p = self.first_frame()
        return p["t"] if p else None

    def first_frame_est_s(self):
        """Command start → the first frame, derived from the first position line past 0: its time
        minus its position (the clip's 0 on the client clock). `first_frame_s` is that line's own
        time, up to 1 s late: position lines are printed at most once a second, and the first one
        (position 0, when mpv has loaded the file) holds the next back. Exact to mpv's position
        step when mpv did not stall before that line; never before the `started` line."""
        p = self.first_frame()
        if p is None:
            return None
        started = next((l["t"] for l in self.events("started")), 0)
        return max(started, p["t"] - p["position"])

    def end_wait_s(self):
        """mpv's end of the clip (from the last position line printed on its own: its time plus the
        media left) → the `ended` line: what the client did after the last frame (final progress
        report, session end)."""
        ended, duration = self.ended(), self.clip.get("seconds")
        if ended is None or duration is None:
            return None
        before = [l for l in self.events("position") if l["t"] < ended["t"] - 0.01 and l["position"] > 0]
        if not before:
            return None
        return max(0.0, ended["t"] - (before[-1]["t"] + duration - before[-1]["position"]))

    def stalls(self, after=None):
        """[(start, end)] of mpv's paused-for-cache intervals after the first frame (t, client clock)."""
        after = self.first_frame_s() if after is None else after
        if after is None:
            return []
        out, began = [], None
        end_t = (self.ended() or {}).get("t", self.events()[-1]["t"] if self.events() else 0)
        for l in self.events("buffering"):
            if l["buffering"] and began is None:
                began = max(l["t"], after)
            elif not l["buffering"] and began is not None:
                if l["t"] > after:
                    out.append((began, l["t"]))
                began = None
        if began is not None:
            out.append((began, end_t))
        return out

    def stall_s(self, after=None):
        return sum(b - a for a, b in self.stalls(after))

    def jumps(self):
        """Forward position jumps beyond the wall time that passed (+2.5 s): skipped media."""
        ps = [p for p in self.events("position") if p["position"] > 0]  # mpv says 0 once before its first frame
        return [(a["position"], b["position"]) for a, b in zip(ps, ps[1:])
                if b["position"] - a["position"] > (b["t"] - a["t"]) + 2.5]

    def last_position(self):
        ps = self.events("position")
        return ps[-1]["position"] if ps else None

    def connection_timeline(self):
        return timeline(self.events("connection"), "t")

    def first_direct_s(self):
        d = next((l for l in self.events("connection") if l["state"] == "direct"), None)
        return d["t"] if d else None


def mpv_process(pl):
    """The mpv child of a running play (pid), if any."""
    try:
        for task in os.listdir(f"/proc/{pl.pid}/task"):
            with open(f"/proc/{pl.pid}/task/{task}/children") as f:
                for child in f.read().split():
                    with open(f"/proc/{child}/comm") as c:
                        if c.read().strip() == "mpv":
                            return int(child)
    except OSError:
        pass
    return None


def read_proc(pid):
    """(VmRSS in KiB, open fds) of a live process, or None."""
    try:
        with open(f"/proc/{pid}/status") as f:
            rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
        return rss, len(os.listdir(f"/proc/{pid}/fd"))
    except (OSError, StopIteration):
        return None
