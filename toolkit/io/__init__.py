"""Files: reading JSON, JSONL and seed texts without raising on bad input, and writing atomically."""
