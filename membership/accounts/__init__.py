"""Portal accounts of the people of the directory: invitations, activation, password reset, lapsed access."""
