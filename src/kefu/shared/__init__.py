"""Building blocks every domain shares: errors, database types, time."""
