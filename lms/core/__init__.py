"""Pages every role shares: home, health check, language switch."""
