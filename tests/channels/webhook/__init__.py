"""Tests of the IM / social webhook channel."""
