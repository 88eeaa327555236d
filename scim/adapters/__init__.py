"""django-scim2 adapters for the console's users and groups (USER_ADAPTER / GROUP_ADAPTER)."""
