"""A member's own account: signing in safely (password change and reset, API tokens), their data (download) and
deleting the account. It composes the apps (each exports and erases what it holds) and may import every app; no
app imports it."""
