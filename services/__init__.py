"""Use cases: each opens one transaction, checks the caller's role and writes its audit event."""
