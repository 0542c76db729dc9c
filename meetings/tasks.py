"""Thin Celery tasks of the meetings: load by id, call a service. Safe to run twice."""

from __future__ import annotations

from celery import shared_task

from meetings.services import document_extract_text


@shared_task(name="meetings.tasks.extract_document_text", soft_time_limit=60, time_limit=90)
def extract_document_text(document_id: int) -> str | None:
    """Read an uploaded document's text for the search; returns the document's text state."""
    document = document_extract_text(document_id=document_id)
    return document.text_state if document else None
