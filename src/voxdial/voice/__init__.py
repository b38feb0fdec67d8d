"""Speech: the voices (TTS) and ASR models an assistant can use."""
