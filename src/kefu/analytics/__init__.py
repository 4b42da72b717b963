"""Analytics: KPIs, goals, reports and text mining over a shop's conversations (read-only)."""
