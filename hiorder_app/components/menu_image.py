import reflex as rx

from ..domain.models import UPLOAD_PREFIX


def menu_image_src(image) -> rx.Var:
    """The URL for MenuItem.image: assets paths as they are, uploaded photos from the backend's upload route
    (on another port in development, so they cannot be a plain path)."""
    image = image.to(str)
    # Guarded: before an item is chosen (the detail dialog) the value is undefined.
    is_upload = rx.cond(image, image.startswith(UPLOAD_PREFIX), False)
    return rx.cond(is_upload, rx.get_upload_url(image.replace(UPLOAD_PREFIX, "")), image)
