"""Conversation engines: text turns in, actions out. They know no carrier and no HTTP."""
