"""voxdial: a self-hosted AI outbound-calling platform that serves the VoiceFox OpenAPI."""

__version__ = "0.1.0"
