"""authproof reference backend: FastAPI + PyJWT verification of Better Auth JWTs."""
