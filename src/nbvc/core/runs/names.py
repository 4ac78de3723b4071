"""Readable run names (``brisk-otter-42``), made from a run's id so they need no coordination."""

from __future__ import annotations

import hashlib

ADJECTIVES = (
    "amber", "bold", "brisk", "calm", "clever", "crisp", "dapper", "eager", "fancy", "fond",
    "gentle", "glad", "golden", "happy", "hardy", "jolly", "keen", "kind", "lively", "lucid",
    "merry", "mellow", "neat", "noble", "plucky", "polite", "proud", "quick", "quiet", "rapid",
    "ruddy", "shiny", "silent", "sleek", "smart", "snowy", "solid", "spry", "steady", "sunny",
    "swift", "tidy", "trusty", "vivid", "warm", "wise", "witty", "zesty",
)  # fmt: skip
NOUNS = (
    "badger", "bear", "bee", "bison", "crane", "crow", "deer", "dingo", "eagle", "falcon",
    "ferret", "finch", "fox", "gecko", "goose", "hare", "hawk", "heron", "ibis", "koala",
    "lark", "lemur", "lion", "lynx", "marten", "mole", "moose", "newt", "otter", "owl",
    "panda", "puffin", "quail", "raven", "robin", "seal", "shrew", "sloth", "stoat", "swan",
    "tapir", "tiger", "toad", "trout", "viper", "wolf", "wombat", "yak",
)  # fmt: skip


def readable_name(run_id: str) -> str:
    digest = hashlib.blake2b(run_id.encode("utf-8"), digest_size=8).digest()
    number = int.from_bytes(digest, "big")
    adjective = ADJECTIVES[number % len(ADJECTIVES)]
    noun = NOUNS[(number // len(ADJECTIVES)) % len(NOUNS)]
    return f"{adjective}-{noun}-{number % 97 + 1}"
