"""The cluster's ASGI processes share the host's threads instead of each sizing its pools as if alone."""

from __future__ import annotations

from cluster.up import asgi_thread_env


def test_processes_on_one_host_each_take_their_share_of_its_threads():
    assert asgi_thread_env(2, 2, {}) == {"ASGI_REQUEST_THREADS": "2", "GATEWAY_DATABASE_THREADS": "1"}
    assert asgi_thread_env(2, 8, {}) == {"ASGI_REQUEST_THREADS": "8", "GATEWAY_DATABASE_THREADS": "4"}
    assert asgi_thread_env(1, 4, {}) == {"ASGI_REQUEST_THREADS": "8", "GATEWAY_DATABASE_THREADS": "4"}


def test_a_share_never_falls_below_two_request_threads_and_one_gateway_thread():
    assert asgi_thread_env(3, 2, {}) == {"ASGI_REQUEST_THREADS": "2", "GATEWAY_DATABASE_THREADS": "1"}


def test_a_pool_the_operator_sized_is_left_as_they_sized_it():
    assert asgi_thread_env(2, 2, {"ASGI_REQUEST_THREADS": "6"}) == {"GATEWAY_DATABASE_THREADS": "1"}
