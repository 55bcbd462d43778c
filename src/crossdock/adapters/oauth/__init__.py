"""OAuth2 access tokens: the hub's own issuer (signing keys, JWKS) and verifiers of its
tokens and of an external identity provider's, on PyJWT with explicit algorithm lists."""
