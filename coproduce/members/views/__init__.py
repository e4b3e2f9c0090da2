"""Views for members' pages. Thin: parse the request, call a selector or service, respond."""
