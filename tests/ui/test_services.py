"""What the window reads while a sync writes: the last committed state, without waiting."""

from __future__ import annotations

from mirror_helpers import add_bridge
from sqlalchemy import func, select, text

from informz_console.store.models import Bridge


def test_a_read_does_not_wait_for_a_writer_and_sees_the_committed_state(services, clock):
    add_bridge(services.engine, clock, name="iMIS")
    with services.engine.connect() as writer:
        writer.begin()  # BEGIN IMMEDIATE: the write lock, as a sync's merge holds it
        writer.execute(text("UPDATE bridge SET name = 'half-applied'"))
        with services.session() as session:  # would wait 10 s (busy timeout) if IMMEDIATE
            names = session.scalars(select(Bridge.name)).all()
            count = session.scalar(select(func.count()).select_from(Bridge))
        writer.rollback()
    assert names == ["iMIS"] and count == 1
