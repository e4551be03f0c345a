#!/usr/bin/env python3
"""Advertise one _mydia._tcp.local. instance with python-zeroconf (an independent mDNS
implementation) until stdin closes. Prints "registered" once announced.
Usage: zeroconf-advertise.py INTERFACE_ADDRESS INSTANCE_LABEL PORT KEY=VALUE..."""
import socket, sys
from zeroconf import ServiceInfo, Zeroconf, IPVersion

TYPE = "_mydia._tcp.local."

def main():
    address, label, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    props = dict(p.split("=", 1) for p in sys.argv[4:])
    zc = Zeroconf(interfaces=[address], ip_version=IPVersion.V4Only)
    info = ServiceInfo(TYPE, label + "." + TYPE, addresses=[socket.inet_aton(address)], port=port,
                       properties=props, server="zc-" + label.lower().replace(" ", "-")[:20] + ".local.")
    zc.register_service(info)
    print("registered", flush=True)
    sys.stdin.read()
    zc.unregister_service(info)
    zc.close()

if __name__ == "__main__":
    main()
