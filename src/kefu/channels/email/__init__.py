"""The e-mail channel: inbound SMTP, threading by Message-ID, and replies sent through SMTP."""
