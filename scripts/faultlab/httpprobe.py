#!/usr/bin/env python3
"""One HTTP GET for the fault lab's security check, run inside a namespace.

Prints the status code, or `refused` / `timeout` / `error …` when no HTTP answer came.
Usage: httpprobe.py HOST PORT PATH [HOST_HEADER]
"""
import http.client
import socket
import sys


def main():
    host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    header = sys.argv[4] if len(sys.argv) > 4 else f"127.0.0.1:{port}"
    try:
        c = http.client.HTTPConnection(host, port, timeout=5)
        c.putrequest("GET", path, skip_host=True)
        c.putheader("Host", header)
        c.endheaders()
        r = c.getresponse()
        r.read()
        print(r.status)
    except ConnectionRefusedError:
        print("refused")
    except socket.timeout:
        print("timeout")
    except OSError as e:
        print(f"error {e.__class__.__name__}")


if __name__ == "__main__":
    main()
