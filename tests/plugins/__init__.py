"""Tiny plugins defined by the tests, installed into an app only for the test that needs them."""
