"""What every HTTP route shares: dependencies, authentication and the error envelope."""
