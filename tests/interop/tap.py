"""A recording TCP relay for the interop tests (tests/interop).

Tap(port) listens on 127.0.0.1, forwards every connection to 127.0.0.1:port
and records each chunk read from either side, in the order the relay saw
them. A client that pipelines (RFC 2920) puts several commands in one
chunk, before the server could answer the first; a client that waits for
each reply never can. Tests read .chunks to tell the two apart.
"""

import selectors
import socket
import threading

HOST = "127.0.0.1"


class Tap:
    def __init__(self, port, idle_timeout=30.0):
        self.target = port
        self.idle_timeout = idle_timeout
        self.listener = socket.socket()
        self.listener.bind((HOST, 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        #: [(connection number, "C" or "S", bytes)] in arrival order
        self.chunks = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._stop.set()
        self.listener.close()
        self._thread.join(5)

    def client_chunks(self):
        return [data for _, side, data in self.chunks if side == "C"]

    def client_bytes(self):
        return b"".join(self.client_chunks())

    def _accept(self):
        workers = []
        self.listener.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                continue
            self.connections += 1
            t = threading.Thread(target=self._relay, args=(conn, self.connections), daemon=True)
            t.start()
            workers.append(t)
        for t in workers:
            t.join(5)

    def _relay(self, client, number):
        server = socket.create_connection((HOST, self.target), timeout=5)
        peer = {client: (server, "C"), server: (client, "S")}
        sel = selectors.DefaultSelector()
        for s in peer:
            sel.register(s, selectors.EVENT_READ)
        try:
            open_sides = 2
            while open_sides and not self._stop.is_set():
                ready = sel.select(self.idle_timeout)
                if not ready:
                    break  # a stuck conversation ends the relay, not the test run
                for key, _ in ready:
                    src = key.fileobj
                    dst, side = peer[src]
                    data = src.recv(65536)
                    if not data:
                        sel.unregister(src)
                        open_sides -= 1
                        try:
                            dst.shutdown(socket.SHUT_WR)
                        except OSError:
                            pass
                        continue
                    with self._lock:
                        self.chunks.append((number, side, data))
                    dst.sendall(data)
        finally:
            sel.close()
            client.close()
            server.close()
