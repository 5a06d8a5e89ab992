"""`python -m gateway`: the gateway alone (`apuri run` starts it with the other services)."""

from gateway.app import main

main()
