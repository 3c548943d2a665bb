"""Files to upload in the tests, built on the spot."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, PngImagePlugin

# Somewhere in Springfield, in degrees, minutes, seconds.
GPS_NORTH = (39.0, 47.0, 53.0)
GPS_WEST = (89.0, 39.0, 1.0)


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> Any:
    return SimpleUploadedFile(name, content, content_type=content_type)


def image_bytes(
    image_format: str = "JPEG",
    size: tuple[int, int] = (40, 20),
    *,
    gps: bool = False,
    orientation: int | None = None,
    comment: str = "",
    mode: str = "RGB",
) -> bytes:
    """A small picture; with `gps`, a camera's EXIF block giving where it was taken."""
    image = Image.new(mode, size, "red" if mode != "1" else 1)
    if mode == "RGB":  # a marker to tell which way up the picture is
        image.paste((0, 0, 255), (0, 0, 10, 10))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Phonemaker"
    exif[ExifTags.Base.Model] = "Phone 12"
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    if gps:
        gps_info = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps_info[ExifTags.GPS.GPSLatitudeRef] = "N"
        gps_info[ExifTags.GPS.GPSLatitude] = GPS_NORTH
        gps_info[ExifTags.GPS.GPSLongitudeRef] = "W"
        gps_info[ExifTags.GPS.GPSLongitude] = GPS_WEST
    output = io.BytesIO()
    options: dict[str, Any] = {}
    if image_format in ("JPEG", "WEBP", "PNG"):
        options["exif"] = exif.tobytes()
    if image_format == "PNG" and comment:
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", comment)
        options["pnginfo"] = info
    if image_format == "GIF" and comment:
        options["comment"] = comment
    if image_format == "JPEG" and comment:
        options["comment"] = comment
    image.save(output, image_format, **options)
    return output.getvalue()
