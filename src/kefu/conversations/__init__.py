"""Conversations and their messages: the status machine, tags, notes, idempotent sends."""
