"""Speech to text and text to speech (Vosk, faster-whisper, espeak-ng) — see the voice issue."""
