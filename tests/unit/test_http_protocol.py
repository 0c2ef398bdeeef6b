"""The suite's HTTP protocol sends the writes of one event-loop turn as one, and nothing is lost or
reordered: not at the end of the turn, not when the connection is closed at once."""

from __future__ import annotations

import asyncio

from services.http_protocol import JoinedWrites


class RecordingTransport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        assert not self.closed, "written after close"
        self.writes.append(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str) -> str:
        return f"info:{name}"


async def test_writes_of_one_turn_go_out_as_one_in_order() -> None:
    transport = RecordingTransport()
    joined = JoinedWrites(transport, asyncio.get_running_loop())  # type: ignore[arg-type]
    joined.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
    joined.write(b"{}")
    assert transport.writes == []  # nothing before the turn ends
    await asyncio.sleep(0)
    assert transport.writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"]
    joined.write(b"next")
    await asyncio.sleep(0)
    assert transport.writes[1:] == [b"next"]
    assert joined.get_extra_info("peername") == "info:peername"  # the rest is the transport's


async def test_close_sends_what_is_pending_first_and_nothing_after() -> None:
    transport = RecordingTransport()
    joined = JoinedWrites(transport, asyncio.get_running_loop())  # type: ignore[arg-type]
    joined.write(b"head")
    joined.write(b"body")
    joined.close()
    assert transport.writes == [b"headbody"] and transport.closed
    await asyncio.sleep(0)  # the flush scheduled for the turn finds nothing left
    assert transport.writes == [b"headbody"]
