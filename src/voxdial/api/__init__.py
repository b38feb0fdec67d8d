"""The HTTP API: the VoiceFox OpenAPI plus voxdial's own endpoints (spec/API.md)."""
