"""Thin DRF views: translate the request, call a service or selector, shape the answer."""
