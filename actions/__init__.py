"""Apuri's custom actions (rasa_sdk). Thin: slots in, Finnish text out via domain responses."""

from bot.privacy import keep_logs_clean

keep_logs_clean()  # the action server logs no database text and no phone numbers
