"""The front: what composes several apps. The home page and a group's page (networks' group and membership beside
circulation's board), leaving a group, a member's own account (password change and reset, API tokens, the data
download and deleting the account, each app exporting and erasing what it holds through networks' hooks), and the
demo network. It may import every app; no app imports it (pyproject.toml's import contracts)."""
