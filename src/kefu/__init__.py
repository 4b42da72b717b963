"""Kefu (客服): customer service for e-commerce shops and marketplaces."""

__version__ = "0.1.0"
