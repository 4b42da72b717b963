"""Server-rendered pages for agents: Jinja2 templates, htmx, Chinese and English."""
