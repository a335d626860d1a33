"""Question answering: turns search hits into a short answer with verified citations."""
