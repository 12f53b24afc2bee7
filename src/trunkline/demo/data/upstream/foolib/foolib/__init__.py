"""foolib: small helpers used by the demo projects."""


def greet(name: str) -> str:
    return f"hello, {name}"
