"""relay: committed events out of the log to a message broker, exactly once and in order.

Generic over events: it moves envelopes (position, id, stream, type, JSON data) and knows
no domain. The NATS JetStream relay makes the stream's sequence equal the log's position;
the consumer follows such a stream into its own tables, its position kept with its effects.
"""

from relay.consumer import Consumer, ConsumerGap
from relay.envelope import decode, encode, subject_for
from relay.errors import RelayError, StreamMismatch
from relay.nats_relay import NatsRelay, RelaySettings

__all__ = [
    "Consumer",
    "ConsumerGap",
    "NatsRelay",
    "RelayError",
    "RelaySettings",
    "StreamMismatch",
    "decode",
    "encode",
    "subject_for",
]
