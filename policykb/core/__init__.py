"""The floor: types, settings, errors and text analysis that every layer may import; it imports nothing above it."""
