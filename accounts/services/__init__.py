"""Every write of accounts: the audit (`audit`), people and their sessions (`users`), invitations
(`invitations`). Each gates itself with `require_permission` where a person acts."""
