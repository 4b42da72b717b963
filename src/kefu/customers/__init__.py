"""Customer profiles, their identities on each channel, VIP levels and tags."""
