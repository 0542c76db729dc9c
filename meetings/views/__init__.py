"""Meeting workflow pages (issue 6, item 3): thin views over meetings.services and secretariat.services."""
