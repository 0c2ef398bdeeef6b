"""The runner's health probe: anything but a 200 reads as "not up yet", never as a crash.

A probe of a port still free in the ephemeral range can connect the socket to itself (TCP
simultaneous open) and read back its own request; that once stopped `tuoyu up` with
"the suite could not start: GET /health HTTP/1.1"."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from services.processes import ephemeral_ports, free_base_port, free_port
from services.runner import answers


@contextmanager
def answering(reply: bytes | None) -> Iterator[int]:
    """A one-connection server on loopback: it sends `reply`, or echoes the request back if None."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def serve() -> None:
        connection, _ = server.accept()
        with connection:
            request = connection.recv(65536)
            connection.sendall(request if reply is None else reply)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        thread.join(timeout=5)
        server.close()


def test_a_200_answers() -> None:
    with answering(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok") as port:
        assert answers(f"http://127.0.0.1:{port}/health")


def test_an_error_status_does_not_answer() -> None:
    with answering(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n") as port:
        assert not answers(f"http://127.0.0.1:{port}/health")


def test_its_own_request_read_back_does_not_answer() -> None:
    with answering(None) as port:
        assert not answers(f"http://127.0.0.1:{port}/health")


def test_a_refused_connection_does_not_answer() -> None:
    assert not answers(f"http://127.0.0.1:{free_port()}/health")


def test_the_suite_is_given_ports_no_outgoing_connection_can_take() -> None:
    low, _ = ephemeral_ports()
    for _ in range(20):
        base = free_base_port(5)
        assert 10000 <= base and base + 4 < low
        assert 10000 <= free_port() < low  # every listener the suite and its tests start
