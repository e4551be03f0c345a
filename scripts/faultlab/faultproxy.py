#!/usr/bin/env python3
"""A userspace TCP fault proxy for the mydia fault lab (no `tc netem` on this machine).

Listens on LISTEN, forwards to TARGET, and misbehaves on command. Commands arrive one per line on
a Unix control socket and are answered with `ok` or `error …`:

  pass              forward normally (clears delay and throttle)
  delay MS          hold every chunk MS milliseconds (each direction, order kept)
  throttle BPS      at most BPS bytes per second per direction
  rst               reset every open connection now, and every new one on accept
  refuse            stop listening (new connections are refused by the kernel)
  blackhole         keep connections open but forward nothing (half-open: no FIN, no RST)
  stats             one line: connections accepted, open, bytes each way

Usage: faultproxy.py LISTEN_HOST:PORT TARGET_HOST:PORT CONTROL_SOCKET
"""
import asyncio
import os
import socket
import struct
import sys
import time


class Proxy:
    def __init__(self, listen, target):
        self.listen, self.target = listen, target
        self.mode = "pass"
        self.delay = 0.0
        self.rate = 0
        self.server = None
        self.conns = set()
        self.accepted = 0
        self.bytes = {"up": 0, "down": 0}

    async def start_listening(self):
        if self.server is None:
            self.server = await asyncio.start_server(self.handle, self.listen[0], self.listen[1], reuse_address=True)

    async def stop_listening(self):
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
            self.server = None

    @staticmethod
    def reset(writer):
        sock = writer.get_extra_info("socket")
        try:
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
        except OSError:
            pass

    async def handle(self, reader, writer):
        self.accepted += 1
        if self.mode == "rst":
            self.reset(writer)
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(self.target[0], self.target[1])
        except OSError:
            self.reset(writer)
            return
        pair = (writer, up_writer)
        self.conns.add(pair)
        try:
            await asyncio.gather(self.pump(reader, up_writer, "up"), self.pump(up_reader, writer, "down"))
        except Exception:
            pass
        finally:
            self.conns.discard(pair)
            for w in pair:
                try:
                    w.close()
                except Exception:
                    pass

    async def pump(self, reader, writer, direction):
        """Reader and writer halves joined by a queue, so a delay shifts every chunk by the same
        amount (latency) instead of serialising them (which would also cut throughput)."""
        queue = asyncio.Queue()
        writing = asyncio.ensure_future(self.drain(queue, writer, direction))
        try:
            while True:
                data = await reader.read(16384)
                if not data:
                    if self.mode == "blackhole":
                        await asyncio.Event().wait()  # half-open: the peer never hears the FIN
                    queue.put_nowait((time.monotonic() + self.delay, None))
                    await writing
                    return
                if self.mode == "blackhole":
                    continue  # swallowed: the peer hears nothing, not even a reset
                queue.put_nowait((time.monotonic() + self.delay, data))
        finally:
            writing.cancel()

    async def drain(self, queue, writer, direction):
        sent_at = time.monotonic()
        budget = 0.0
        while True:
            due, data = await queue.get()
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            if data is None:
                try:
                    writer.write_eof()
                except OSError:
                    pass
                return
            if self.mode == "blackhole":
                continue
            if self.rate > 0:
                now = time.monotonic()
                budget = min(budget + (now - sent_at) * self.rate, self.rate)
                sent_at = now
                budget -= len(data)
                if budget < 0:
                    await asyncio.sleep(-budget / self.rate)
            writer.write(data)
            self.bytes[direction] += len(data)
            await writer.drain()

    async def command(self, line):
        parts = line.split()
        if not parts:
            return "error empty command"
        cmd, args = parts[0], parts[1:]
        if cmd == "pass":
            self.mode, self.delay, self.rate = "pass", 0.0, 0
            await self.start_listening()
        elif cmd == "delay" and args:
            self.delay = float(args[0]) / 1000
        elif cmd == "throttle" and args:
            self.rate = int(args[0])
        elif cmd == "rst":
            self.mode = "rst"
            await self.start_listening()
            for pair in list(self.conns):
                for w in pair:
                    self.reset(w)
        elif cmd == "refuse":
            self.mode = "refuse"
            await self.stop_listening()
            for pair in list(self.conns):
                for w in pair:
                    self.reset(w)
        elif cmd == "blackhole":
            self.mode = "blackhole"
        elif cmd == "stats":
            return f"ok accepted={self.accepted} open={len(self.conns)} up={self.bytes['up']} down={self.bytes['down']} mode={self.mode}"
        else:
            return f"error unknown command {line!r}"
        return "ok"

    async def control(self, reader, writer):
        while True:
            line = await reader.readline()
            if not line:
                break
            writer.write((await self.command(line.decode().strip()) + "\n").encode())
            await writer.drain()
        writer.close()


def split(hostport):
    host, port = hostport.rsplit(":", 1)
    return host.strip("[]"), int(port)


async def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    proxy = Proxy(split(sys.argv[1]), split(sys.argv[2]))
    await proxy.start_listening()
    path = sys.argv[3]
    if os.path.exists(path):
        os.unlink(path)
    control = await asyncio.start_unix_server(proxy.control, path)
    print("ready", flush=True)
    async with control:
        await control.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
