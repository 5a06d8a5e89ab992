"""Speech to text and text to speech, with nothing about HTTP or Telegram inside.

- `voice.audio`: any upload to 16 kHz mono PCM (ffmpeg) and the checks that come first;
- `voice.stt`: `SpeechToText.transcribe(pcm16k) -> Transcript`, Whisper or Vosk;
- `voice.tts`: `EspeakTTS.synthesize(text, slow) -> wav`;
- `voice.models`: where the models are (the embedded Whisper base is joined at set-up).
"""
