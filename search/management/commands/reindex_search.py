"""Rebuild the search index; read the text of documents never read (or all with --documents)."""

from django.core.management.base import BaseCommand

from meetings.models import Document
from meetings.services import document_extract_text
from search.indexing import reindex_all


class Command(BaseCommand):
    help = "Rebuild the search index (idempotent); first read the text of documents not read yet."

    def add_arguments(self, parser):
        parser.add_argument("--documents", action="store_true",
                            help="read the text of every document again, not only of those never read")
        parser.add_argument("--no-documents", action="store_true", help="do not read any document's text")

    def handle(self, *args, documents=False, no_documents=False, **options):
        if not no_documents:
            queryset = Document.objects.order_by("pk")
            if not documents:
                queryset = queryset.filter(text_state=Document.TextState.PENDING)
            read = 0
            for document_id in queryset.values_list("pk", flat=True).iterator():
                document_extract_text(document_id=document_id)
                read += 1
            self.stdout.write(f"documents read: {read}")
        counts = reindex_all(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"indexed: {sum(counts.values())} entries"))
