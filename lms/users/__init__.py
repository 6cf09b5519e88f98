"""Managing accounts: create, edit, deactivate, reset links and bulk participant import."""
