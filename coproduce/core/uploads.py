"""Checking what people upload: photos are read from their content, re-encoded and size-limited.

A file's name and the type its browser claims say nothing about what it holds, so a photo is
opened with Pillow and must decode as a JPEG or PNG. It is then drawn again into a new file of
the same format: EXIF (GPS position, camera serial numbers), ICC profiles, comments and anything
appended after the image data are left behind, and a phone photo's rotation is applied first so
that the picture still stands the right way up without its metadata.
"""

from __future__ import annotations

import io
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

# The largest photo accepted, as uploaded (bytes); larger pictures are refused, not shrunk.
PHOTO_MAX_BYTES = 5 * 1024 * 1024
# Pictures larger than this (pixels a side) are scaled down to it: a candidate's photo is small on the page.
PHOTO_MAX_SIDE = 1200
# Refuse decompression bombs well before Pillow's own limit: a 5 MB file may claim huge dimensions.
PHOTO_MAX_PIXELS = 40_000_000
FORMATS = {"JPEG": "jpg", "PNG": "png"}


def photo_clean(uploaded) -> ContentFile:
    """A JPEG or PNG photo, re-encoded without its metadata, as a ``ContentFile`` named ``<stem>.<ext>``.

    ``uploaded`` is any file object with ``read`` (an ``UploadedFile``, a ``ContentFile``). Raises
    ``ValidationError`` (codes ``too_large``, ``not_image``, ``wrong_type``) with a message fit to
    show the person; the caller puts it on its form field.
    """
    size = getattr(uploaded, "size", None)
    if size is not None and size > PHOTO_MAX_BYTES:
        raise ValidationError(_("The photo must be smaller than 5 MB."), code="too_large")
    if hasattr(uploaded, "seek"):
        uploaded.seek(0)
    data = uploaded.read(PHOTO_MAX_BYTES + 1)
    if len(data) > PHOTO_MAX_BYTES:
        raise ValidationError(_("The photo must be smaller than 5 MB."), code="too_large")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            width, height = probe.size
            if kind in FORMATS and width * height <= PHOTO_MAX_PIXELS:
                probe.verify()  # reads the whole file: a truncated or corrupt image fails here
        if kind not in FORMATS:
            raise ValidationError(_("The photo must be a JPG or PNG picture."), code="wrong_type")
        if width * height > PHOTO_MAX_PIXELS:
            raise ValidationError(
                _("The photo is too large: use a picture of at most 40 megapixels."), code="too_large"
            )
        with Image.open(io.BytesIO(data)) as image:  # verify() leaves the image unusable: open it again
            image.load()
            image = ImageOps.exif_transpose(image)
            image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            # Pillow carries EXIF, ICC profiles and comments along in ``info`` and writes some of them
            # back on saving: keep nothing but a PNG's transparency.
            image.info = {key: value for key, value in image.info.items() if key == "transparency"}
            out = io.BytesIO()
            if kind == "JPEG":
                image.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
            else:
                if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                    image = image.convert("RGBA")
                image.save(out, format="PNG", optimize=True)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise ValidationError(_("The photo must be a JPG or PNG picture."), code="not_image") from error
    stem = PurePath(getattr(uploaded, "name", "") or "photo").stem[:60] or "photo"
    return ContentFile(out.getvalue(), name=f"{stem}.{FORMATS[kind]}")
