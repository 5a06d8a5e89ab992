"""The gateway: the one port that faces users (contract §6).

An aiohttp application that serves the web chat page and its API, the Telegram bot (webhook or
long polling) and the health check, and talks to Rasa over its REST channel on 127.0.0.1.
"""
