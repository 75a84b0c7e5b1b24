"""Pages: layout only; each registers its route with the app in hiorder_app.py."""
