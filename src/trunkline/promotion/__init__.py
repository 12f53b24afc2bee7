"""CI votes, promotion rules and promotions (named links)."""
