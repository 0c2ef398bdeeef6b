from shared.events.catalogue import CATALOGUE, TOPICS, EventSpec, dlq_topic, new_event, parse_data, spec_of
from shared.events.envelope import Event

__all__ = ["CATALOGUE", "TOPICS", "Event", "EventSpec", "dlq_topic", "new_event", "parse_data", "spec_of"]
