"""Makes and checks password hashes with Debian's argon2-cffi and bcrypt, a second implementation
that gatehouse's hashes must agree with.

Reads {"password": str, "check": [hash, ...]} on stdin; writes {"made": {...}, "checked": [bool, ...]}.
"""
import json
import sys

import argon2
import bcrypt
from argon2.low_level import Type, hash_secret

request = json.load(sys.stdin)
password = request["password"].encode("utf-8")


def check(encoded):
    if encoded.startswith("$argon2"):
        try:
            return argon2.PasswordHasher().verify(encoded, password)
        except argon2.exceptions.VerifyMismatchError:
            return False
    return bcrypt.checkpw(password, encoded.encode("ascii"))


made = {
    "argon2id": argon2.PasswordHasher(time_cost=2, memory_cost=64, parallelism=1, hash_len=16, salt_len=16).hash(
        request["password"]
    ),
    "argon2i": hash_secret(password, b"sixteen byte slt", 2, 64, 2, 32, Type.I).decode("ascii"),
    "bcrypt $2a$": bcrypt.hashpw(password, bcrypt.gensalt(rounds=4, prefix=b"2a")).decode("ascii"),
    "bcrypt $2b$": bcrypt.hashpw(password, bcrypt.gensalt(rounds=5, prefix=b"2b")).decode("ascii"),
}
json.dump({"made": made, "checked": [check(h) for h in request["check"]]}, sys.stdout)
