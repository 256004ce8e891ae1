"""The server-rendered web application: pages over the domain services."""
