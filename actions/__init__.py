"""Apuri's custom actions (rasa_sdk). Thin: slots in, Finnish text out via domain responses."""
