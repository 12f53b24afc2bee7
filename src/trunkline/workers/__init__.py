"""Remote build workers: the builder sends build jobs through RabbitMQ (Dramatiq).

``jobs.py`` the message and its checksums, ``broker.py`` the Dramatiq broker,
``server.py`` the builder's artifact server (sources out, RPMs and logs in),
``remote.py`` the builder's executor, ``worker.py`` the ``trunkline worker`` process.
"""
