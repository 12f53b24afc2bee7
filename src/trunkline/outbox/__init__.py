"""The transactional outbox: notifications and events written with the change, sent after.

``store`` adds messages inside the caller's transaction and reads the due ones;
``dispatch`` delivers them through :class:`~trunkline.outbox.dispatch.Sender`
drivers (mail, review, AMQP, webhooks) with retries and backoff, recording every
attempt in ``outbox_attempts``.
"""
