"""Images and files in conversations: upload, type and size checks, storage and download."""
