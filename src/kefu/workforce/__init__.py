"""Workforce management: contact-volume forecasting, Erlang staffing, shift scheduling and
simulation. The maths lives in pure modules (no database, no web) that take their inputs as
arguments; ``service`` reads a shop's history and stores its plans."""
