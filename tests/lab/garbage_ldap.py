"""garbage_ldap.py - LDAP servers that misbehave, on loopback, for the fault
tests: a listener that answers bytes that are not LDAP (or a broken LDAP
PDU), and a proxy in front of the real DC that can hold, cut or replay the
sealed traffic between pages of a scan.

The proxy understands just enough of the wire to count: clear LDAP messages
(BER SEQUENCEs) until the SASL bind succeeds, then SASL buffers (a 4-byte
big-endian length, then sealed bytes it cannot read). Counting whole
messages and buffers, not TCP reads, makes "between page 2 and page 3"
mean the same on every run."""
import socket
import struct
import sys
import threading

LOOPBACK = "127.0.0.1"

# What the garbage listener answers to the first bytes it receives.
GARBAGE = {
    # a web server on the LDAP port
    "http": b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
            b"Connection: close\r\n\r\n",
    # an LDAP message whose length says 100 bytes, then 6, then EOF
    "truncated": b"\x30\x64\x02\x01\x01\x61\x5f\x0a",
    # a complete BER SEQUENCE that is no LDAPMessage: messageID 1, then an
    # OCTET STRING where the protocolOp should be (connection kept open)
    "garbled": b"\x30\x07\x02\x01\x01\x04\x02\xff\xfe",
    # a BindResponse "success" whose SASL credentials are random bytes: the
    # GSSAPI mechanism must refuse them
    "badsasl": b"\x30\x1a\x02\x01\x01\x61\x15\x0a\x01\x0e\x04\x00\x04\x00"
               b"\x87\x0c" + bytes(range(0xf0, 0xfc)),
    # random bytes, no structure at all
    "noise": bytes((i * 37 + 11) & 0xff for i in range(512)),
    # a message that claims to be 2 GiB long, then silence (connection kept
    # open): the client must neither allocate it nor wait forever
    "huge": b"\x30\x84\x7f\xff\xff\xff\x02\x01\x01",
    # accepts the connection, reads, never answers
    "silent": b"",
}

# Modes that keep the connection open after answering (the client must see
# the answer is wrong, not wait for the end of the stream).
KEEP_OPEN = {"garbled", "badsasl", "huge", "silent"}


class GarbageServer:
    """Accept connections on 127.0.0.1:<port>; to each, answer
    GARBAGE[mode] once the client has sent something."""

    def __init__(self, mode):
        if mode not in GARBAGE:
            raise ValueError(f"unknown mode {mode}")
        self.mode = mode
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((LOOPBACK, 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = False
        self._conns = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            self._conns.append(conn)
            threading.Thread(target=self._answer, args=(conn,),
                             daemon=True).start()

    def _answer(self, conn):
        try:
            conn.settimeout(300)
            if not conn.recv(65536):
                return
            conn.sendall(GARBAGE[self.mode])
            if self.mode in KEEP_OPEN:
                while conn.recv(65536):
                    pass
        except OSError:
            pass
        finally:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()

    def close(self):
        self._stop = True
        self.sock.close()
        for c in self._conns:
            try:
                c.close()
            except OSError:
                pass


def _ber_length(buf):
    """(header length, content length) of the BER element at buf[0:], or
    None when buf does not hold the whole header yet."""
    if len(buf) < 2:
        return None
    first = buf[1]
    if first < 0x80:
        return 2, first
    n = first & 0x7f
    if n == 0 or n > 4:
        raise ValueError("BER length that LDAP does not use")
    if len(buf) < 2 + n:
        return None
    return 2 + n, int.from_bytes(buf[2:2 + n], "big")


def _bind_succeeded(msg):
    """Is this clear LDAP message a BindResponse with resultCode 0?"""
    hdr, _ = _ber_length(msg)
    p = hdr
    _, idlen = _ber_length(msg[p:])      # messageID INTEGER
    p += 2 + idlen
    if p >= len(msg) or msg[p] != 0x61:   # [APPLICATION 1] BindResponse
        return False
    ophdr, _ = _ber_length(msg[p:])
    p += ophdr
    return msg[p] == 0x0a and msg[p + 1] == 1 and msg[p + 2] == 0


class _Framer:
    """Split one direction's byte stream into clear LDAP messages, then
    (after switch()) SASL buffers."""

    def __init__(self):
        self.buf = b""
        self.sealed = False

    def feed(self, data):
        self.buf += data

    def next(self):
        """The next whole message or buffer, or None."""
        if self.sealed:
            if len(self.buf) < 4:
                return None
            n = struct.unpack(">I", self.buf[:4])[0] + 4
        else:
            hl = _ber_length(self.buf)
            if hl is None:
                return None
            n = hl[0] + hl[1]
        if len(self.buf) < n:
            return None
        frame, self.buf = self.buf[:n], self.buf[n:]
        return frame


class SealedProxy:
    """A TCP proxy on 127.0.0.1:<port> to the DC's LDAP port that counts the
    client's sealed requests (1 = the first after the bind: the RootDSE
    read; then one per page of a paged search). One rule, at request
    `at`:

      hold:   stop before forwarding request `at`; set self.held, wait
              until release() (the test stops the DC meanwhile), then go on
      cut:    forward request `at`, then half of the server's answer to it,
              then close both connections
      replay: before request `at`, send request `at - 1` again `count`
              times (the server's answers go to the client, which drops
              answers to a request it has finished)
    """

    def __init__(self, rule, at, count=0, upstream=(LOOPBACK, 389)):
        self.rule, self.at, self.count = rule, at, count
        self.upstream = upstream
        self.held = threading.Event()
        self._release = threading.Event()
        self.requests = 0          # sealed client requests seen
        self.answers = 0           # sealed server buffers seen
        self.fired = False         # the rule was applied
        self.errors = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((LOOPBACK, 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self._lock = threading.Lock()
        self._pairs = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def release(self):
        self._release.set()

    def close(self):
        self._release.set()
        self.sock.close()
        for a, b in self._pairs:
            for s in (a, b):
                try:
                    s.close()
                except OSError:
                    pass

    def _serve(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream, timeout=10)
                server.settimeout(None)
            except OSError as e:
                self.errors.append(f"upstream: {e}")
                client.close()
                continue
            self._pairs.append((client, server))
            state = {"bound": False, "cut_after": None, "last": None}
            threading.Thread(target=self._client_to_server,
                             args=(client, server, state), daemon=True).start()
            threading.Thread(target=self._server_to_client,
                             args=(client, server, state), daemon=True).start()

    def _close_pair(self, client, server):
        for s in (client, server):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _client_to_server(self, client, server, state):
        framer = _Framer()
        try:
            while True:
                data = client.recv(65536)
                if not data:
                    break
                framer.feed(data)
                while True:
                    if not framer.sealed and state["bound"] and \
                            framer.buf[:1] == b"\x00":
                        framer.sealed = True
                    frame = framer.next()
                    if frame is None:
                        break
                    if framer.sealed:
                        self.requests += 1
                        if not self._before_request(server, state, frame):
                            self._close_pair(client, server)
                            return
                        state["last"] = frame
                    server.sendall(frame)
        except (OSError, ValueError) as e:
            self.errors.append(f"client->server: {e}")
        self._close_pair(client, server)

    def _before_request(self, server, state, frame):
        """Apply the rule before request number self.requests; False ends
        the connection."""
        if self.requests != self.at or self.fired:
            return True
        self.fired = True
        if self.rule == "hold":
            self.held.set()
            self._release.wait(120)
        elif self.rule == "cut":
            state["cut_after"] = self.answers
        elif self.rule == "replay" and state["last"] is not None:
            for _ in range(self.count):
                server.sendall(state["last"])
        return True

    def _server_to_client(self, client, server, state):
        framer = _Framer()
        try:
            while True:
                data = server.recv(65536)
                if not data:
                    break
                framer.feed(data)
                while True:
                    frame = framer.next()
                    if frame is None:
                        break
                    if not framer.sealed:
                        if _bind_succeeded(frame):
                            state["bound"] = True
                            framer.sealed = True
                        client.sendall(frame)
                        continue
                    self.answers += 1
                    if state["cut_after"] is not None and \
                            self.answers > state["cut_after"]:
                        client.sendall(frame[:len(frame) // 2])
                        self._close_pair(client, server)
                        return
                    client.sendall(frame)
        except (OSError, ValueError) as e:
            self.errors.append(f"server->client: {e}")
        self._close_pair(client, server)


if __name__ == "__main__":
    # garbage_ldap.py MODE: serve one mode until interrupted (for trying a
    # tool by hand: spncheck dup -H ldap://dc1.corp.test:PORT)
    srv = GarbageServer(sys.argv[1] if len(sys.argv) > 1 else "http")
    print(f"listening on {LOOPBACK}:{srv.port} ({srv.mode})", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        srv.close()
