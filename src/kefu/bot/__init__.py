"""The bot's machine-learning core: intents, out-of-scope hand-over, FAQ retrieval, sentiment.

Pure modules: no database, no web; models are trained, saved and loaded here and used by
the bot service.
"""
