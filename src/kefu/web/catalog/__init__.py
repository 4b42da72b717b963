"""The web UI's message catalog, one module per area: key -> (中文, English)."""
