"""Carriers: how a call reaches the callee (sim, and later sip and mediastream)."""
