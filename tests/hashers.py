from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with tiny costs, for tests only.

    Django's defaults (100 MiB, 2 passes) take about 0.5 s per hash on a 2-core
    machine, and every standing-cast user is hashed once per test. The encoded
    hash still starts with ``argon2``, so the code paths are the production ones.
    """

    time_cost = 1
    memory_cost = 64
    parallelism = 1
