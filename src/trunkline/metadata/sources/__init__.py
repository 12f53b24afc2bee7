"""Where the packages to follow come from: rdoinfo metadata or a directory of distgits."""
