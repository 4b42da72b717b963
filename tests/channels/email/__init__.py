"""Tests of the e-mail channel."""
