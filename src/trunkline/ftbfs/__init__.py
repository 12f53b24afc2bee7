"""The FTBFS lifecycle: open, attach, close; log excerpts, culprits, bisection, listings."""
