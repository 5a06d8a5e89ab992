"""Apuri's stores: one database (`store.database`: the engine, one Alembic history for every
table, `StoreUnavailable`) and a module per concern over it: the directory (`store.directory`)
and find-a-human (`store.handoff`: requests and their outbox, the vault, live sessions, needs,
staff accounts). Every SQL statement lives here; nothing here imports the actions, the gateway
or the CLI."""
