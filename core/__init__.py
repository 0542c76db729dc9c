"""Helpers with no domain imports: the bottom layer every app may use."""
