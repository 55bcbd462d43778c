"""Ways into the hub: the HTTP API, the CLI, the worker process and the demo."""
