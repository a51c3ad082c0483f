"""Command-line interface: parses, calls the library, prints. No model logic."""
