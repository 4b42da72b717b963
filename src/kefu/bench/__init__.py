"""Benchmarks shipped with Kefu (`kefu bench ...`): they start real servers and measure them."""
