"""Command-line interface: thin modules that parse, call one service, format output."""
