"""The `apuri` command (main.py: `apuri run`, `apuri directory`, `apuri handoffs`, `apuri
staff`) and the supervisor that starts and watches the processes (services.py)."""
