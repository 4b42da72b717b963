"""Knowledge: canned replies agents insert with a /shortcut."""
