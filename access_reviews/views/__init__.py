"""The access review pages: campaigns and application owners for Owner and System Admin
(campaigns.py), My reviews for every reviewer (reviews.py)."""
