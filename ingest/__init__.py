"""Ingestion: files -> parsed documents -> metadata -> chunks. Never touches the index."""
