"""A fetched batch is read in turns (`shared.inbox.read_in_turns`): the batch being applied, whose
database answer has come meanwhile, goes on between them instead of after the whole read."""

from __future__ import annotations

import asyncio
from collections import namedtuple

from shared.inbox import READ_TURN, Delivery, read_in_turns

Record = namedtuple("Record", "value topic partition offset")


async def test_other_tasks_run_between_turns_and_every_record_is_read_in_order() -> None:
    records = [Record(b"{}", "t", 0, offset) for offset in range(3 * READ_TURN + 1)]
    read_when: list[int] = []  # for each turn of the other task, how many records had been read
    reading: list[int] = []

    def read(value: bytes, topic: str, partition: int, offset: int) -> Delivery:
        reading.append(offset)
        return Delivery(value, topic, partition, offset)

    async def meanwhile() -> None:
        while len(reading) < len(records):
            read_when.append(len(reading))
            await asyncio.sleep(0)

    other = asyncio.create_task(meanwhile())
    await asyncio.sleep(0)  # it starts first, as the batch being applied does
    deliveries = await read_in_turns(records, read)
    await other

    assert [d.offset for d in deliveries] == list(range(len(records)))
    assert {READ_TURN, 2 * READ_TURN, 3 * READ_TURN} <= set(read_when)  # it ran after each turn, not only at the end
