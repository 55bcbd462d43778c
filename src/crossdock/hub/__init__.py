"""The application core: intake, routing, delivery policy. Depends only on its ports."""
