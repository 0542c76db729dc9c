from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Recherche"

    def ready(self):
        # Django's hook: the receivers that keep the index current are connected once the models are loaded.
        from search import indexing

        indexing.connect()
        post_migrate.connect(indexing.index_if_empty, sender=self, dispatch_uid="search-index-if-empty")
