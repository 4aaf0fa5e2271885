"""Exit 0 when the PostgreSQL and Redis given answer, so that `make test` runs the suite on them."""

import sys

import psycopg
import redis


def main(database_url: str, redis_url: str) -> int:
    try:
        with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3) as c:
            c.execute("SELECT 1")
        client = redis.from_url(redis_url, socket_connect_timeout=3)
        client.ping()
        client.close()
    except (psycopg.Error, redis.RedisError) as error:
        print(f"not answering: {error}", file=sys.stderr)  # noqa: T201 (a script: tells make why)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
