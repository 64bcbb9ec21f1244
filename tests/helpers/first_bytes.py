#!/usr/bin/env python3
"""first_bytes.py: a listener that records what a client sends first on each connection.

Usage: first_bytes.py OUT [--port N] [--port-file FILE] [--hold]

Listens on 127.0.0.1 (port N, or a free one written to FILE). For each connection it reads the
first packet (a TLS record in full, else what arrives within a moment) and appends one line to
OUT:  "first=16 kind=tls versions=0304,0303"  or  "first=10 kind=mqtt-connect".
"versions" lists the TLS versions a ClientHello offers (its supported_versions extension, else
its legacy version). Without --hold the connection is then closed, so a client fails fast; with
--hold it stays open (the client waits for a CONNACK that never comes). Runs until killed.
"""
import os
import select
import socket
import sys
import time


def read_first(conn):
    """The first bytes: a whole TLS record when it starts like one, else one read."""
    conn.settimeout(5)
    data = b""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            chunk = conn.recv(16384)
        except socket.timeout:
            break
        if not chunk:
            break
        data += chunk
        if data[0] != 0x16:
            break
        if len(data) >= 5 and len(data) >= 5 + int.from_bytes(data[3:5], "big"):
            break
    return data


def tls_versions(data):
    """The versions a ClientHello in data offers, newest first, as hex strings."""
    try:
        p = 5 + 4  # record header, handshake header
        legacy = data[p:p + 2]
        p += 2 + 32
        p += 1 + data[p]  # session id
        p += 2 + int.from_bytes(data[p:p + 2], "big")  # cipher suites
        p += 1 + data[p]  # compression methods
        end = p + 2 + int.from_bytes(data[p:p + 2], "big")
        p += 2
        while p + 4 <= end:
            typ = int.from_bytes(data[p:p + 2], "big")
            n = int.from_bytes(data[p + 2:p + 4], "big")
            if typ == 0x2B:  # supported_versions
                body = data[p + 5:p + 5 + data[p + 4]]
                return [body[i:i + 2].hex() for i in range(0, len(body), 2)]
            p += 4 + n
        return [legacy.hex()]
    except IndexError:
        return ["?"]


def describe(data):
    if not data:
        return "first=none kind=nothing"
    first = "%02x" % data[0]
    if data[0] == 0x16 and len(data) > 5 and data[5] == 1:
        return "first=%s kind=tls versions=%s" % (first, ",".join(tls_versions(data)))
    if data[0] == 0x10:
        return "first=%s kind=mqtt-connect" % first
    return "first=%s kind=other" % first


def main():
    args = sys.argv[1:]
    out = args[0]
    port = int(args[args.index("--port") + 1]) if "--port" in args else 0
    hold = "--hold" in args
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(16)
    if "--port-file" in args:
        port_file = args[args.index("--port-file") + 1]
        with open(port_file + ".tmp", "w") as f:
            f.write("%d\n" % srv.getsockname()[1])
        os.rename(port_file + ".tmp", port_file)
    held = []
    while True:
        select.select([srv], [], [])
        conn, _ = srv.accept()
        line = describe(read_first(conn))
        with open(out, "a") as f:
            f.write(line + "\n")
        if hold:
            held.append(conn)
        else:
            conn.close()


if __name__ == "__main__":
    main()
