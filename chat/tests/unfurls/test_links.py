"""Finding a message's links: Slack's markup and bare URLs, in order, each once, without trailing punctuation."""

from __future__ import annotations

import time

from chat.unfurls.links import host_in_domain, link_host, message_links


def test_markup_and_bare_links_are_found_in_order_each_once():
    text = (
        "a <https://one.example/x|One> b https://two.example/y?q=1&amp;r=2. <mailto:a@b.example> https://one.example/x"
    )
    assert message_links(text, limit=10) == ["https://one.example/x", "https://two.example/y?q=1&r=2"]


def test_only_http_links_with_a_host_count_and_the_limit_holds():
    assert message_links("ftp://x.example javascript:alert(1) http:// <http://>", limit=10) == []
    text = " ".join(f"https://h{n}.example/" for n in range(10))
    assert len(message_links(text, limit=3)) == 3


def test_trailing_punctuation_ends_a_bare_link_but_not_a_marked_up_one():
    assert message_links("(see https://x.example/a).", limit=5) == ["https://x.example/a"]
    assert message_links("<https://x.example/a.>", limit=5) == ["https://x.example/a."]


def test_a_domain_covers_its_subdomains_only():
    assert host_in_domain(link_host("https://Docs.Example.com./a"), "example.com")
    assert not host_in_domain(link_host("https://notexample.com/"), "example.com")


def test_finding_links_is_linear_on_adversarial_text():
    started = time.perf_counter()
    message_links("<https://" + "a" * 40_000, limit=3)
    message_links("<https://x.example|" + "a" * 40_000, limit=3)
    assert time.perf_counter() - started < 0.5
