from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Recherche"

    def ready(self):
        # Django's hook: the receivers that keep the index current are connected once the models are loaded.
        from search import indexing

        indexing.connect()
