"""Events out and in: the message bus, webhooks, push hooks.

``payloads`` builds the versioned JSON object of every topic (``schemas/*.json``
describe them); ``routes`` turns ``[events]`` into outbox routes and senders;
``amqp`` and ``webhook`` are the senders; ``hooks`` verifies forge push events
and queues the packages they concern for ``trunkline build --serve``.
"""
