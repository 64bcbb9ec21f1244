#!/usr/bin/env python3
"""fake_broker.py: a small MQTT broker that misbehaves on purpose, for the hostile-broker tests.

It completes CONNECT/CONNACK (MQTT 3.1, 3.1.1 and 5) and SUBSCRIBE/SUBACK, answers PINGREQ,
and on each connection, after the first SUBACK, sends two good retained PUBLISHes
(good/1 "kept", good/2 "also kept") and then what the named case asks for.

    fake_broker.py --case NAME [--port N | --port-file FILE] [--log FILE]
                   [--tls CERT KEY] [--ws [--ws-need-header 'Name: value']]

--tls serves TLS (Python's ssl module) with that certificate; --ws serves MQTT over a
WebSocket (RFC 6455, subprotocol mqtt, binary frames); both together: wss. With
--ws-need-header, an upgrade request without that header (name in any case, the same value)
gets "401 Unauthorized", as from an ingress that wants a token.

--port 0 (the default) takes a free port and writes it to --port-file once listening.
The log gets one line per event, "<event> <unix ms> <connection number> [details]":
"listen", "connect" (after the CONNECT was read), "sent", "pingreq", "closed".
A test counts "connect" lines to see how often the client came back.

Standard library only. Stop it with SIGTERM (by PID).
"""

import argparse
import base64
import hashlib
import os
import signal
import socket
import ssl
import struct
import sys
import threading
import time

LOCK = threading.Lock()
LOG = None
COUNT = 0


def log(event, n, text=""):
    line = "%s %d %d%s\n" % (event, int(time.time() * 1000), n, (" " + text) if text else "")
    with LOCK:
        if LOG:
            LOG.write(line)
            LOG.flush()


def varint(n):
    """MQTT variable byte integer (the remaining-length encoding)."""
    out = bytearray()
    while True:
        b = n % 128
        n //= 128
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def u16(n):
    return bytes([(n >> 8) & 0xFF, n & 0xFF])


def mqtt_str(b):
    return u16(len(b)) + b


def packet(first, body):
    return bytes([first]) + varint(len(body)) + body


def publish(v5, topic, payload, qos=0, retain=False, mid=1, dup=False, props=b""):
    first = 0x30 | (qos << 1) | (1 if retain else 0) | (0x08 if dup else 0)
    body = mqtt_str(topic)
    if qos:
        body += u16(mid)
    if v5:
        body += varint(len(props)) + props
    return packet(first, body + payload)


class Closed(Exception):
    pass


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise Closed()
        buf += chunk
    return buf


def read_packet(sock):
    first = recv_exact(sock, 1)[0]
    mult, length = 1, 0
    for _ in range(4):
        b = recv_exact(sock, 1)[0]
        length += (b & 0x7F) * mult
        mult *= 128
        if not b & 0x80:
            break
    return first, recv_exact(sock, length)


def connect_level(body):
    """The protocol level of a CONNECT: 3 (3.1), 4 (3.1.1) or 5."""
    name_len = (body[0] << 8) | body[1]
    return body[2 + name_len]


def suback(v5, body):
    mid = body[0:2]
    pos = 2
    if v5:
        plen, mult = 0, 1
        while True:
            b = body[pos]
            pos += 1
            plen += (b & 0x7F) * mult
            mult *= 128
            if not b & 0x80:
                break
        pos += plen
    codes = bytearray()
    while pos + 2 <= len(body):
        tlen = (body[pos] << 8) | body[pos + 1]
        pos += 2 + tlen
        codes.append(body[pos] & 0x03)
        pos += 1
    return packet(0x90, mid + (b"\x00" if v5 else b"") + bytes(codes))


def good(v5):
    return (publish(v5, b"good/1", b"kept", retain=True) +
            publish(v5, b"good/2", b"also kept", retain=True))


def bad_topic(topic):
    return lambda v5, n: publish(v5, topic, b"hostile", retain=True)


def v5_props(props):
    """A PUBLISH with these raw properties (MQTT 5); 3.1.1 clients get it too, as bytes."""
    return lambda v5, n: (publish(True, b"bad/props", b"hostile", props=props) if v5 else
                          publish(False, b"bad/props", b"hostile"))


# MQTT 5 property rules, on every packet type a server sends with properties: the properties
# that break each rule there (see src/mqtt_wire.c for the rules).
PROP_TYPES = ("connack", "publish", "puback", "pubrec", "pubrel", "pubcomp", "suback",
              "unsuback", "disconnect", "auth")
PROP_RULES = ("unknown", "dup", "past-end", "not-allowed", "bad-value")


def prop_bytes(kind, rule):
    once = {"connack": b"\x21\x00\x0a", "publish": b"\x03\x00\x01a"}.get(kind, b"\x1f\x00\x01r")
    return {
        "unknown": b"\x7f\x00",
        "dup": once + once,
        "past-end": {"connack": b"\x12\x00\x05", "publish": b"\x03\x00\x40text"}.get(
            kind, b"\x1f\x00\x40r"),
        "not-allowed": {"connack": b"\x01\x01", "publish": b"\x1f\x00\x01r",
                        "disconnect": b"\x11\x00\x00\x00\x05"}.get(kind, b"\x24\x01"),
        "bad-value": {"connack": b"\x21\x00\x00", "publish": b"\x01\x02"}.get(
            kind, b"\x1f\x00\x01\xff"),
    }[rule]


def prop_packet(kind, rule):
    """A packet of this kind carrying the properties that break rule (MQTT 5)."""
    p = prop_bytes(kind, rule)
    props = varint(len(p)) + p
    if kind == "connack":
        return packet(0x20, b"\x00\x00" + props)
    if kind == "publish":
        return publish(True, b"bad/props", b"hostile", props=p)
    if kind in ("puback", "pubrec", "pubrel", "pubcomp"):
        first = {"puback": 0x40, "pubrec": 0x50, "pubrel": 0x62, "pubcomp": 0x70}[kind]
        return packet(first, u16(0x1234) + b"\x00" + props)
    if kind in ("suback", "unsuback"):
        return packet(0x90 if kind == "suback" else 0xB0, u16(0x4321) + props + b"\x00")
    return packet(0xE0 if kind == "disconnect" else 0xF0, b"\x00" + props)


# What each case sends after the good messages. None: nothing (the case acts otherwise).
CASES = {
    # topics
    "utf8-invalid": bad_topic(b"bad/\xff\xfe"),
    "utf8-nul": bad_topic(b"bad/a\x00b"),
    "utf8-surrogate": bad_topic(b"bad/\xed\xa0\x80"),
    "c0-control": bad_topic(b"bad/\x01\x07bell"),
    "c1-control": bad_topic(b"bad/\xc2\x9bcsi"),
    "esc": bad_topic(b"bad/\x1b[2J\x1b]0;owned\x07"),
    "empty-topic": bad_topic(b""),
    # the longest topic MQTT allows, and the deepest (65,535 slashes: 65,536 empty levels)
    "topic-longest": bad_topic(b"bad/" + b"x" * 65531),
    "topic-deepest": bad_topic(b"/" * 65535),
    # flags and ids
    "qos3": lambda v5, n: packet(0x36, mqtt_str(b"bad/qos3") + u16(7) +
                                  (b"\x00" if v5 else b"") + b"hostile"),
    "qos1-mid0": lambda v5, n: publish(v5, b"bad/mid0", b"hostile", qos=1, mid=0),
    "dup-qos0": lambda v5, n: publish(v5, b"bad/dup", b"dup on qos 0", dup=True),
    # framing
    "topic-overrun": lambda v5, n: packet(0x30, u16(0xFFFF) + b"bad/overrun"),
    "remlen-5byte": lambda v5, n: b"\x30\xff\xff\xff\xff\x01" + b"\x00" * 16,
    "remlen-overlong": lambda v5, n: (lambda body: b"\x30" + bytes([len(body) | 0x80]) +
                                      b"\x80\x80\x00" + body)(
        mqtt_str(b"bad/overlong") + (b"\x00" if v5 else b"") + b"overlong length"),
    "type0": lambda v5, n: b"\x00\x00",
    "type15": lambda v5, n: b"\xf0\x00",
    # MQTT 5 properties: payload format indicator twice; id 0x7f; a string longer than the packet
    "props-dup": v5_props(b"\x01\x01\x01\x01"),
    "props-unknown": v5_props(b"\x7f\x00"),
    "props-too-long": v5_props(b"\x03\x40\x00text/plain"),
    # acknowledgements nobody asked for
    "puback-unsolicited": lambda v5, n: packet(0x40, u16(0x1234)),
    "suback-unsolicited": lambda v5, n: packet(0x90, u16(0x4321) + (b"\x00" if v5 else b"") +
                                               b"\x00"),
    # a 256 MB packet is announced, a little of it arrives, then nothing more
    "huge-stall": lambda v5, n: (b"\x30" + varint(256 * 1024 * 1024 - 1) +
                                 mqtt_str(b"bad/huge") + (b"\x00" if v5 else b"") +
                                 b"x" * 1000),
    # these act on the connection rather than send something
    "no-pingresp": None,  # everything works, but PINGREQ goes unanswered
    "stall": None,  # after the good messages: read nothing, answer nothing, keep the socket
    "close-after-connack": None,  # the first connection works; every later one closes at once
    "no-connack": None,  # reads CONNECT and never answers it
    "good": None,  # a well-behaved broker
}
for _kind in PROP_TYPES:
    for _rule in PROP_RULES:
        # A CONNACK case answers CONNECT with it (serve() below); the others come after the goods.
        CASES["prop-%s-%s" % (_kind, _rule)] = (
            None if _kind == "connack" else
            (lambda k, r: lambda v5, n: prop_packet(k, r))(_kind, _rule))


class WebSocket:
    """The server side of a WebSocket carrying MQTT: recv() and sendall() of the bytes inside."""

    GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    def __init__(self, sock, n, need=None):
        self.sock = sock
        self.buf = b""
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(1)
            if not chunk:
                raise Closed()
            head += chunk
            if len(head) > 16384:
                raise Closed()
        lines = head.decode("latin-1").split("\r\n")
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        if need is not None:
            name, _, value = need.partition(":")
            if fields.get(name.strip().lower()) != value.strip():
                sock.sendall(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n")
                log("unauthorized", n, "upgrade without " + name.strip())
                raise Closed()
        key = fields.get("sec-websocket-key", "").encode()
        accept = base64.b64encode(hashlib.sha1(key + self.GUID).digest()).decode()
        sock.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"
                      "Sec-WebSocket-Protocol: mqtt\r\n\r\n" % accept).encode())

    def _exact(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise Closed()
            data += chunk
        return data

    def _frame(self):
        """The next data frame's payload (answers ping and close on the way)."""
        while True:
            b0, b1 = self._exact(2)
            opcode, n = b0 & 0x0F, b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._exact(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._exact(8))[0]
            mask = self._exact(4) if b1 & 0x80 else b"\0\0\0\0"
            data = bytes(c ^ mask[i % 4] for i, c in enumerate(self._exact(n)))
            if opcode == 8:
                self._send(8, data[:2])
                raise Closed()
            if opcode == 9:
                self._send(10, data)
                continue
            if opcode in (0, 2):
                return data

    def _send(self, opcode, data):
        n = len(data)
        if n < 126:
            head = bytes([0x80 | opcode, n])
        elif n < 65536:
            head = bytes([0x80 | opcode, 126]) + struct.pack(">H", n)
        else:
            head = bytes([0x80 | opcode, 127]) + struct.pack(">Q", n)
        self.sock.sendall(head + data)

    def recv(self, n):
        if not self.buf:
            self.buf = self._frame()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def sendall(self, data):
        self._send(2, data)

    def close(self):
        self.sock.close()

# Brokers that refuse some MQTT versions, each in its own way, and then behave like "good" for
# the version they accept: {case: (refused protocol levels, what they send before closing)}.
REFUSALS = {
    "no-v5-rc1": ({5}, b"\x20\x02\x00\x01"),  # aedes: 3.1.1 CONNACK "unacceptable version"
    "no-v5-84": ({5}, b"\x20\x03\x00\x84\x00"),  # MQTT 5 CONNACK, reason 0x84
    "no-v5-close": ({5}, b""),  # RabbitMQ 3.10: hangs up
    "no-v5-partial": ({5}, b"\x20\x03\x00"),  # hangs up in the middle of a CONNACK
    "no-v5-old-connack": ({5}, b"\x20\x02\x00\x00"),  # accepts, in the 3.1.1 format
    "only-v31": ({5, 4}, b"\x20\x02\x00\x01"),  # MQTT 3.1 and nothing else
    "tls-port": ({3, 4, 5}, b"\x15\x03\x01\x00\x02\x02\x46"),  # a TLS alert, as a TLS port
}
CASES.update({name: None for name in REFUSALS})


def serve(conn, n, case):
    v5 = False
    answer_pings = case not in ("no-pingresp", "huge-stall")
    stalled = False
    try:
        first, body = read_packet(conn)
        if first & 0xF0 != 0x10:
            log("closed", n, "not a CONNECT")
            return
        level = connect_level(body)
        v5 = level == 5
        log("connect", n, "v%d" % level)
        if case in REFUSALS and level in REFUSALS[case][0]:
            conn.sendall(REFUSALS[case][1])
            time.sleep(0.2 if case == "no-v5-old-connack" else 0)
            log("closed", n, "refused level %d" % level)
            return
        if case == "no-connack":
            time.sleep(3600)
        if case.startswith("prop-connack-"):
            conn.sendall(prop_packet("connack", case[len("prop-connack-"):]))
            log("sent", n, case)
            read_packet(conn)  # the client goes away
            return
        conn.sendall(packet(0x20, b"\x00\x00\x00" if v5 else b"\x00\x00"))
        if case == "close-after-connack" and n > 1:
            log("closed", n, "right after CONNACK")
            return
        sent_goods = False
        while True:
            if stalled:
                # Read nothing and answer nothing: the socket stays open, the peer waits.
                time.sleep(3600)
                continue
            first, body = read_packet(conn)
            kind = first >> 4
            if kind == 8:  # SUBSCRIBE
                conn.sendall(suback(v5, body))
                if not sent_goods:
                    sent_goods = True
                    conn.sendall(good(v5))
                    log("sent", n, "good")
                    make = CASES[case]
                    if make is not None:
                        conn.sendall(make(v5, n))
                        log("sent", n, case)
                    if case in ("stall", "huge-stall"):
                        stalled = True
                    if case == "close-after-connack":
                        time.sleep(0.3)
                        log("closed", n, "first connection")
                        return
            elif kind == 12:  # PINGREQ
                log("pingreq", n)
                if answer_pings:
                    conn.sendall(b"\xd0\x00")
            elif kind == 14:  # DISCONNECT
                log("closed", n, "client DISCONNECT")
                return
            elif kind == 3:  # PUBLISH from the client: acknowledge QoS 1 and 2
                qos = (first >> 1) & 3
                tlen = (body[0] << 8) | body[1]
                if qos == 1:
                    conn.sendall(packet(0x40, body[2 + tlen:4 + tlen]))
                elif qos == 2:
                    conn.sendall(packet(0x50, body[2 + tlen:4 + tlen]))
            elif kind == 6:  # PUBREL
                conn.sendall(packet(0x70, body[0:2]))
            elif kind == 10:  # UNSUBSCRIBE
                conn.sendall(packet(0xB0, body[0:2] + (b"\x00\x00" if v5 else b"")))
    except (Closed, ConnectionError, OSError):
        log("closed", n, "by the client")
    finally:
        try:
            conn.close()
        except OSError:
            pass


def main():
    global LOG, COUNT
    ap = argparse.ArgumentParser(description="A misbehaving MQTT broker for tests.")
    ap.add_argument("--case", required=True, choices=sorted(CASES))
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--log")
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    ap.add_argument("--ws", action="store_true")
    ap.add_argument("--ws-need-header")
    args = ap.parse_args()
    tls = None
    if args.tls:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(args.tls[0], args.tls[1])

    signal.signal(signal.SIGTERM, lambda s, f: os._exit(0))
    LOG = open(args.log, "a") if args.log else None
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", args.port))
    srv.listen(16)
    port = srv.getsockname()[1]
    log("listen", 0, str(port))
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, args.port_file)
    while True:
        conn, _ = srv.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        COUNT += 1
        threading.Thread(target=layered,
                         args=(conn, COUNT, args.case, tls, args.ws, args.ws_need_header),
                         daemon=True).start()


def layered(conn, n, case, tls, ws, need):
    """TLS and WebSocket, as asked, under the MQTT of serve()."""
    try:
        if tls:
            conn = tls.wrap_socket(conn, server_side=True)
        if ws:
            conn = WebSocket(conn, n, need)
    except (Closed, OSError, ssl.SSLError):
        log("closed", n, "during the TLS or WebSocket handshake")
        conn.close()
        return
    serve(conn, n, case)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
