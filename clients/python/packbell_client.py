#!/usr/bin/env python3
"""A packbell client written from docs/protocol.md alone.

It checks the protocol page against the real server: it pairs with a code (TLS, SPAKE2
and key confirmation bound to the certificate fingerprint), subscribes, creates an order
in the first active store of the snapshot, waits for the order's `ack` and its
`order_created` event, then reconnects with the stored token and pinned fingerprint
(`auth`) and finds the order in the new snapshot. Last, it checks that a connection
whose certificate does not match the pin is refused before anything is sent.

Only the standard library and the PyPI packages `spake2` and `websocket-client`.

Usage:
    packbell_client.py --server HOST:PORT --code 1234-5678 [--state FILE]

Exit status 0 when every step worked; otherwise 1, with the reason on stderr.
"""

import argparse
import hashlib
import hmac
import json
import os
import socket
import ssl
import sys
import tempfile
import time
import uuid

import websocket  # websocket-client
from spake2 import SPAKE2_A

PROTOCOL = 1
# SPAKE2 parameters and confirmation labels, from "Pairing a new device".
ID_CLIENT = b"packbell-client"
ID_SERVER = b"packbell-server"
CLIENT_CONFIRM = b"packbell pairing client confirm"
SERVER_CONFIRM = b"packbell pairing server confirm"
# Server name sent in the TLS handshake; the server ignores it.
TLS_SERVER_NAME = "packbell.invalid"
# The message the page asks clients to show when the certificate is not the pinned one.
NOT_OUR_SERVER = (
    "this is not the server this PC was paired with; "
    "if the server was reinstalled, pair again"
)
# How long to wait for any one answer; the server authenticates within 10 s.
WAIT_SECONDS = 10.0


class Failure(Exception):
    """A step did not work; the message says which and why."""


class NotOurServer(Failure):
    """The server's certificate does not match the pin: nothing was sent to it."""


def fingerprint_of(der):
    """Lowercase hex SHA-256 of a certificate's DER bytes: the server id."""
    return hashlib.sha256(der).hexdigest()


def hmac_hex(key, label, binding):
    return hmac.new(key, label + binding.encode("ascii"), hashlib.sha256).hexdigest()


class Connection:
    """One WebSocket to the server, over pinned TLS or (debugging only) plaintext."""

    def __init__(self, ws, fingerprint):
        self.ws = ws
        # The fingerprint of the certificate the server showed; "" over plaintext.
        self.fingerprint = fingerprint

    @classmethod
    def open(cls, server, pin=None, plaintext=False, log=None):
        """Connects to `server` (HOST:PORT). With a `pin`, a certificate with another
        fingerprint is refused right after the TLS handshake, before any byte of ours."""
        host, port = split_address(server)
        try:
            tcp = socket.create_connection((host, port), timeout=WAIT_SECONDS)
        except OSError as error:
            raise Failure("cannot reach %s: %s" % (server, error))
        tcp.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if plaintext:
            stream, fingerprint, scheme = tcp, "", "ws"
        else:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = False  # no name checks: the pin is the check
            context.verify_mode = ssl.CERT_NONE  # no CA checks: the pin is the check
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            try:
                stream = context.wrap_socket(tcp, server_hostname=TLS_SERVER_NAME)
            except (OSError, ssl.SSLError) as error:
                tcp.close()
                raise Failure("TLS handshake with %s failed: %s" % (server, error))
            fingerprint = fingerprint_of(stream.getpeercert(binary_form=True))
            scheme = "wss"
            if pin is not None and fingerprint != pin:
                stream.close()
                raise NotOurServer(
                    "%s (it showed certificate %s, this PC pinned %s)"
                    % (NOT_OUR_SERVER, fingerprint, pin)
                )
        ws = websocket.WebSocket()
        ws.settimeout(WAIT_SECONDS)
        try:
            ws.connect("%s://%s:%d/" % (scheme, host, port), socket=stream)
        except (OSError, websocket.WebSocketException) as error:
            stream.close()
            raise Failure("WebSocket handshake with %s failed: %s" % (server, error))
        if log:
            log("connected to %s (%s)" % (server, fingerprint or "plaintext"))
        return cls(ws, fingerprint)

    def send(self, message):
        self.ws.send(json.dumps(message))

    def recv(self, wait=WAIT_SECONDS):
        """The next server message (pings are answered by the library)."""
        self.ws.settimeout(wait)
        try:
            opcode, data = self.ws.recv_data()
        except websocket.WebSocketTimeoutException:
            raise Failure("the server sent nothing for %.0f s" % wait)
        except (OSError, websocket.WebSocketException) as error:
            raise Failure("the connection broke: %s" % error)
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            code = int.from_bytes(data[:2], "big") if len(data) >= 2 else None
            reason = data[2:].decode("utf-8", "replace")
            raise Failure("the server closed the connection (code %s %s)" % (code, reason))
        if opcode != websocket.ABNF.OPCODE_TEXT:
            raise Failure("the server sent a non-text frame (opcode %d)" % opcode)
        if isinstance(data, bytes):
            data = data.decode("utf-8")
        message = json.loads(data)
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            raise Failure("the server sent something that is not a message: %r" % data)
        return message

    def expect(self, wanted_type, wait=WAIT_SECONDS):
        """The next message, which must be of `wanted_type` (an `error` fails)."""
        message = self.recv(wait)
        if message["type"] == wanted_type:
            return message
        if message["type"] == "error":
            raise Failure(
                "expected %s, the server refused: %s (%s)"
                % (wanted_type, message.get("code"), message.get("message"))
            )
        raise Failure("expected %s, got %s" % (wanted_type, json.dumps(message)))

    def close(self):
        try:
            self.ws.close(timeout=2)
        except (OSError, websocket.WebSocketException):
            pass


def split_address(server):
    host, sep, port = server.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise Failure("--server must be HOST:PORT, not %r" % server)
    return host.strip("[]"), int(port)


def code_digits(code):
    """Only the digits of a typed code count; there must be exactly 8."""
    digits = "".join(c for c in code if c.isdigit())
    others = [c for c in code if not (c.isdigit() or c == "-" or c.isspace())]
    if len(digits) != 8 or others or not digits.isascii():
        raise Failure("a pairing code has 8 digits, like 1234-5678 (got %r)" % code)
    return digits


def pair(conn, code, device_name, log):
    """Pairs over `conn`; returns the `enrolled` message once its mac checked out."""
    digits = code_digits(code)
    state = SPAKE2_A(digits.encode("ascii"), idA=ID_CLIENT, idB=ID_SERVER)
    message_a = state.start()
    conn.send(
        {
            "type": "pair_start",
            "protocol": PROTOCOL,
            "code_slot": digits[:2],
            "device_name": device_name,
            "spake2": message_a.hex(),
        }
    )
    challenge = conn.expect("pair_challenge")
    try:
        message_b = bytes.fromhex(challenge["spake2"])
        key = state.finish(message_b)
    except Exception as error:  # the library raises its own error types
        raise Failure("the server's SPAKE2 message is unusable: %s" % error)
    binding = conn.fingerprint
    client_mac = hmac_hex(key, CLIENT_CONFIRM, binding)
    expected_server_mac = hmac_hex(key, SERVER_CONFIRM, binding)
    log("SPAKE2 done; K = %s" % key.hex())
    conn.send({"type": "pair_confirm", "mac": client_mac})
    enrolled = conn.expect("enrolled")
    if not hmac.compare_digest(enrolled.get("mac", "").lower(), expected_server_mac):
        raise Failure(
            "the server could not prove it knows the pairing code; pairing stopped "
            "(nothing was kept)"
        )
    return enrolled


def save_state(path, state):
    """Writes the credentials atomically, readable by the owner only."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=directory, prefix=".packbell-state-")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(state, f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


def load_state(path):
    with open(path) as f:
        return json.load(f)


def welcome_check(conn, welcome, device_id):
    if welcome.get("protocol") != PROTOCOL:
        raise Failure("the server speaks protocol %r" % welcome.get("protocol"))
    if welcome.get("device_id") != device_id:
        raise Failure("welcomed as device %r, not %r" % (welcome.get("device_id"), device_id))
    if conn.fingerprint and welcome.get("server_id") != conn.fingerprint:
        raise Failure(
            "welcome.server_id %r is not the certificate fingerprint %r"
            % (welcome.get("server_id"), conn.fingerprint)
        )


def subscribe_snapshot(conn):
    """Subscribes from 0; returns the whole snapshot (parts joined) once caught up.
    Events that arrive meanwhile are returned too, in order."""
    conn.send({"type": "subscribe", "after_seq": 0})
    snapshot = conn.expect("snapshot")
    lists = {name: list(snapshot.get(name, [])) for name in ("stores", "devices", "orders")}
    more = snapshot.get("more", False)
    while more:
        part = conn.expect("snapshot_part")
        if part.get("seq") != snapshot["seq"]:
            raise Failure("snapshot_part of seq %r in a snapshot of seq %r"
                          % (part.get("seq"), snapshot["seq"]))
        for name, items in lists.items():
            items.extend(part.get(name, []))
        more = part.get("more", False)
    snapshot.update(lists)
    snapshot.pop("more", None)
    caught_up = conn.expect("caught_up")
    if caught_up.get("seq") != snapshot["seq"]:
        raise Failure("caught_up seq %r after a snapshot of seq %r"
                      % (caught_up.get("seq"), snapshot["seq"]))
    return snapshot


def create_order(conn, snapshot, order_number, log):
    """Creates an order in the first active store; returns (ack, event)."""
    stores = [s for s in snapshot.get("stores", []) if s.get("active")]
    if not stores:
        raise Failure("the snapshot has no active store to put an order in")
    store = stores[0]
    key = "py-%s" % uuid.uuid4()
    conn.send(
        {
            "type": "command",
            "key": key,
            "command": {
                "op": "create_order",
                "order_number": order_number,
                "store_id": store["store_id"],
                "note": "from the Python reference client",
            },
        }
    )
    log("sent create_order %s in store %s (%s)" % (order_number, store["store_id"], store["name"]))
    # The ack and the event may come in either order; other events may come too.
    ack, created = None, []
    deadline = time.monotonic() + WAIT_SECONDS
    while ack is None or not any(e["seq"] == ack["seq"] for e in created):
        left = deadline - time.monotonic()
        if left <= 0:
            raise Failure("no ack and order_created event within %.0f s" % WAIT_SECONDS)
        message = conn.recv(left)
        kind = message["type"]
        if kind == "ack" and message.get("key") == key:
            ack = message
        elif kind == "error" and message.get("key") == key:
            raise Failure("create_order refused: %s (%s)"
                          % (message.get("code"), message.get("message")))
        elif kind == "error":
            raise Failure("the server sent an error: %s (%s)"
                          % (message.get("code"), message.get("message")))
        elif kind == "event" and message["body"].get("kind") == "order_created":
            created.append(message)
    event = next(e for e in created if e["seq"] == ack["seq"])
    body = event["body"]
    if body.get("order_id") != ack.get("order_id") or body.get("order_number") != order_number:
        raise Failure("event %s does not match ack %s" % (json.dumps(event), json.dumps(ack)))
    if ack.get("store_id") != store["store_id"] or body.get("store_id") != store["store_id"]:
        raise Failure("the order landed in another store: %s" % json.dumps(event))
    return ack, event


def run(args):
    log = (lambda text: print("packbell-client: " + text, file=sys.stderr)) if args.verbose \
        else (lambda text: None)
    order_number = args.order_number or "PY-%s" % uuid.uuid4().hex[:8].upper()

    # 1. Pair (unless the state file already holds credentials).
    if args.code:
        conn = Connection.open(args.server, pin=None, plaintext=args.insecure_plaintext, log=log)
        try:
            enrolled = pair(conn, args.code, args.name, log)
            state = {
                "server": args.server,
                "device_id": enrolled["device_id"],
                "token": enrolled["token"],
                # The pin: the fingerprint bound into the confirmation ("" = plaintext).
                "pin": conn.fingerprint,
            }
            save_state(args.state, state)
            log("paired as device %d (%s)" % (enrolled["device_id"], enrolled["role"]))
            welcome_check(conn, conn.expect("welcome"), state["device_id"])
        except BaseException:
            conn.close()
            raise
    else:
        try:
            state = load_state(args.state)
        except (OSError, ValueError) as error:
            raise Failure("no pairing code given and no usable state in %s: %s"
                          % (args.state, error))
        conn = None

    # 2. Subscribe, create an order, wait for its ack and event.
    if conn is None:
        conn = connect_paired(args, state, log)
    try:
        snapshot = subscribe_snapshot(conn)
        log("snapshot at seq %d: %d stores, %d orders"
            % (snapshot["seq"], len(snapshot["stores"]), len(snapshot["orders"])))
        ack, event = create_order(conn, snapshot, order_number, log)
        log("ack seq %d, order %d; event seq %d" % (ack["seq"], ack["order_id"], event["seq"]))
    finally:
        conn.close()

    # 3. Reconnect with the token, over the pinned certificate; find the order.
    conn = connect_paired(args, state, log)
    try:
        snapshot = subscribe_snapshot(conn)
    finally:
        conn.close()
    found = [o for o in snapshot["orders"] if o.get("order_id") == ack["order_id"]]
    if not found:
        raise Failure("order %d is not in the snapshot after reconnecting" % ack["order_id"])
    order = found[0]
    if order.get("order_number") != order_number or order.get("status") != "pending":
        raise Failure("the order came back changed: %s" % json.dumps(order))

    # 4. A certificate that is not the pinned one is refused before the token is sent.
    if not args.insecure_plaintext:
        wrong_pin = "0" * 64
        try:
            Connection.open(args.server, pin=wrong_pin, log=log).close()
        except NotOurServer:
            pass
        else:
            raise Failure("a connection with a wrong pin was not refused")

    print("packbell-client: ok: device %d%s; order %s (id %d, seq %d) created, and found "
          "again after reconnecting%s"
          % (state["device_id"], " paired" if args.code else "", order_number,
             ack["order_id"], ack["seq"],
             " (plaintext)" if args.insecure_plaintext
             else "; a wrong certificate was refused before sending anything"))


def connect_paired(args, state, log):
    """Opens a connection as the paired device: pin check, auth, welcome."""
    plaintext = args.insecure_plaintext
    if not plaintext and not state.get("pin"):
        raise Failure("this device was paired without encryption; pair it again")
    conn = Connection.open(args.server, pin=None if plaintext else state["pin"],
                           plaintext=plaintext, log=log)
    try:
        conn.send({"type": "auth", "protocol": PROTOCOL,
                   "device_id": state["device_id"], "token": state["token"]})
        welcome_check(conn, conn.expect("welcome"), state["device_id"])
    except BaseException:
        conn.close()
        raise
    log("authenticated as device %d" % state["device_id"])
    return conn


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", required=True, help="HOST:PORT of the packbell server")
    parser.add_argument("--code", help="pairing code (office or admin role), e.g. 1234-5678")
    parser.add_argument("--name", default="Python reference client", help="device name")
    parser.add_argument("--state", default="packbell-client-state.json",
                        help="where the device id, token and pinned fingerprint are kept")
    parser.add_argument("--order-number", help="order number to create (default: random)")
    parser.add_argument("--insecure-plaintext", action="store_true",
                        help="ws:// without TLS, for servers run with --insecure-plaintext")
    parser.add_argument("-v", "--verbose", action="store_true", help="log each step")
    args = parser.parse_args(argv)
    try:
        run(args)
    except Failure as failure:
        print("packbell-client: FAILED: %s" % failure, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
