from django.urls import path, register_converter

from . import data_views


class FormatConverter:
    regex = "csv|json"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "data_format")

app_name = "open_data"
urlpatterns = [
    path("data.json", data_views.catalog_json, name="catalog"),
    path("data/", data_views.catalogue, name="dataset-list"),
    path("data/rebuild/", data_views.rebuild, name="dataset-rebuild"),
    path("data/<slug:identifier>/schema/", data_views.schema, name="dataset-schema"),
    path(
        "data/<slug:identifier>.<data_format:fmt>",
        data_views.download,
        name="dataset-download",
    ),
]
