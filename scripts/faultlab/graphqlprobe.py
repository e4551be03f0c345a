#!/usr/bin/env python3
"""One GraphQL query to the server's direct listener, for the fault lab's checks of server state;
run inside the server's namespace.

Reads one JSON object on stdin, {"token": …, "query": …} (the bearer never appears in argv), POSTs
the query to https://HOST:PORT/api/graphql (the lab's throwaway certificate is not verified: the
probe runs next to the server) and prints the answer's JSON on one line, or `error …`.
Usage: graphqlprobe.py HOST PORT
"""
import http.client
import json
import ssl
import sys


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    request = json.load(sys.stdin)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    body = json.dumps({"query": request["query"]}).encode()
    try:
        c = http.client.HTTPSConnection(host, port, timeout=15, context=ctx)
        c.request("POST", "/api/graphql", body=body, headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {request['token']}"})
        r = c.getresponse()
        data = r.read()
        if r.status != 200:
            print(f"error HTTP {r.status}")
            return
        print(json.dumps(json.loads(data)))
    except (OSError, ValueError, http.client.HTTPException) as e:
        print(f"error {e.__class__.__name__}")


if __name__ == "__main__":
    main()
