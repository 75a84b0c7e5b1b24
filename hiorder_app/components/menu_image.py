import reflex as rx

from ..services.admin_menu import UPLOAD_PREFIX


def menu_image_src(image) -> rx.Var:
    """The URL for MenuItem.image: assets paths as they are, uploaded photos from the backend's upload route
    (on another port in development, so they cannot be a plain path)."""
    image = image.to(str)
    return rx.cond(image.startswith(UPLOAD_PREFIX), rx.get_upload_url(image.replace(UPLOAD_PREFIX, "")), image)
