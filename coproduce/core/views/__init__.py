"""Views for the core's pages. Thin: parse the request, call a selector or service, respond."""
