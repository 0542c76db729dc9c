"""Meeting workflow pages: thin views over meetings.services and secretariat.services."""
