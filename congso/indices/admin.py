from django.contrib import admin

from congso.indices.models import IndexProfile


@admin.register(IndexProfile)
class IndexProfileAdmin(admin.ModelAdmin):
    list_display = ["key", "name", "effective_from"]
    search_fields = ["key", "name"]
