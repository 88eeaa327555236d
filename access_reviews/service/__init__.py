"""The logic of access reviews; views, the API and tasks call these modules."""
