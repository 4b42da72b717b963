"""Placeholder: filled in by its owner."""

from kefu.cli.wfm import wfm_app  # noqa: F401
