"""Map outlines served from installed packages (no request leaves the closed network)."""
