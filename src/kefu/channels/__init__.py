"""Channels customers write in on: live web chat now; e-mail and IM webhooks next."""
