"""`python -m bot.gateway`: the gateway alone (`apuri run` starts it with the other services)."""

from bot.gateway.app import main

main()
