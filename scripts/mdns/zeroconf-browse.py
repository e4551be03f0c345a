#!/usr/bin/env python3
"""Browse _mydia._tcp.local. with python-zeroconf (an independent mDNS implementation) and print
each resolved service as one JSON line: {"name", "port", "addresses", "txt", "server"}.
Usage: zeroconf-browse.py INTERFACE_ADDRESS SECONDS [INSTANCE_LABEL]
Exits after SECONDS, or as soon as INSTANCE_LABEL (if given) was resolved."""
import json, socket, sys, threading, time
from zeroconf import ServiceBrowser, Zeroconf, IPVersion

TYPE = "_mydia._tcp.local."

def main():
    address, seconds = sys.argv[1], float(sys.argv[2])
    wanted = sys.argv[3] if len(sys.argv) > 3 else None
    zc = Zeroconf(interfaces=[address], ip_version=IPVersion.V4Only)
    done = threading.Event()
    seen = set()

    def on_change(zeroconf, service_type, name, state_change):
        if name in seen:
            return
        info = zeroconf.get_service_info(service_type, name, timeout=3000)
        if info is None:
            return
        seen.add(name)
        txt = {k.decode(): (v.decode() if v is not None else None) for k, v in info.properties.items()}
        print(json.dumps({"name": name, "port": info.port, "server": info.server,
                          "addresses": [socket.inet_ntoa(a) for a in info.addresses], "txt": txt}), flush=True)
        if wanted is not None and name == wanted + "." + TYPE:
            done.set()

    ServiceBrowser(zc, TYPE, handlers=[on_change])
    done.wait(seconds)
    zc.close()

if __name__ == "__main__":
    main()
