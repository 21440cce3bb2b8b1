"""The only package that talks to Docker: the CLI choke point, the SDK, engine facts and setup."""
