"""Connecting to Redis, and one line that names the URL and what was found there when Redis cannot be used.

Every command that talks to Redis (`newscrawl enqueue`, a worker's `scrapy crawl`, and `newscrawl run` around it)
connects here and prints the DistributedSetupError raised here as its one line, exit 2. The faults a user meets
are told apart, as each needs another fix: nothing listening (Redis down, a wrong port), a server that is not Redis
(an HTTP server on that port), a Redis that wants a password, a URL that is not a Redis URL. Two clients: check()
decides quickly, before any work, whether the URL can be used; connect() returns the patient client the work uses.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote_plus

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from newscrawl.distributed import DistributedSetupError

REDIS_SCHEMES = ("redis", "rediss", "unix")

SECRET_QUERY_NAMES = ("password", "ssl_password")
"""Query parameters of a Redis URL that redis-py passes on as secrets (parse_url in redis-py's connection.py)."""

CHECK_TIMEOUT = 5.0
"""Seconds the setup check waits to connect and for each reply, tried once: a Redis that answers at all answers
PING in milliseconds, so a server that takes the connection and stays silent is named in seconds, not minutes."""

WORK_TIMEOUT = 30.0
"""Seconds the client for the work waits for a reply, then tries again: a Redis busy under a real crawl (a fork
for a snapshot, a long script, a slow disk under AOF) may pause, and a worker should wait it out, not fail."""


def check(url: str) -> None:
    """DistributedSetupError (one line naming the URL, its password left out, and what was found there: `unusable`)
    unless `url` is a Redis URL whose server answers PING. The commands print it as their one line, exit 2.

    A client of its own, thrown away after its PING, with a short timeout and no retry (CHECK_TIMEOUT): the check
    decides before any work whether the URL can be used, and is what the crawl command asks first. The patient
    client connect() returns would make a silent server cost a minute (30 s, tried twice) before that line."""
    scheme, separator, _ = url.partition("://")
    if not separator or scheme.lower() not in REDIS_SCHEMES:
        raise DistributedSetupError(f"{redacted(url)} is not a Redis URL: it must start with redis://, rediss:// "
                                    "(TLS) or unix:// (a socket), e.g. redis://127.0.0.1:6379/0")
    if _credentials_cut(url):  # redis-py would read another password, and name part of it as host or port
        raise DistributedSetupError(f"{redacted(url)} is not a Redis URL redis-py reads as written: its password (or "
                                    "user name) holds a '/', '?' or '#' unencoded, where redis-py ends the host; "
                                    "write them as %2F, %3F and %23, e.g. redis://:PA%23SS@HOST:6379/0")
    reached = _Reached()
    try:
        # retry=: no second try, whatever the URL's query says (retry_on_timeout=…); a socket_timeout there wins
        # over CHECK_TIMEOUT, as redis-py lets the query win over arguments: the user asked for that wait.
        probe = redis.Redis.from_url(url, socket_timeout=CHECK_TIMEOUT, socket_connect_timeout=CHECK_TIMEOUT,
                                     retry=Retry(NoBackoff(), 0), redis_connect_func=reached)
    except ValueError as error:  # a port out of range, a db that is no number…
        raise DistributedSetupError(f"{redacted(url)} is not a Redis URL: {error}") from None
    with probe:
        try:
            probe.ping()
        except redis.RedisError as error:
            given = probe.connection_pool.connection_kwargs
            raise unusable(url, error, reached=reached.once,
                           credentials=bool(given.get("password") or given.get("username"))) from None


def connect(url: str) -> redis.Redis:
    """The client for the work at `url` (a worker's frontier, enqueue's writes), once check() has found a Redis
    there: it waits WORK_TIMEOUT for a reply and retries. Two clients rather than one whose timeout changes after
    the PING: each keeps the settings it was made with, and the check costs one short-lived connection.
    A Redis that goes away after the check fails the first command with a RedisError: the callers say it with
    `unusable`, as they say the check's error."""
    check(url)
    return redis.Redis.from_url(url, socket_timeout=WORK_TIMEOUT, socket_connect_timeout=10, retry_on_timeout=True)


class _Reached:
    """redis-py's `redis_connect_func`: called once a connection's socket is open, in place of the handshake, which
    it then runs. So an error tells whether anything listened at the URL: refused (Redis down, a wrong port) is
    another fault than a server that took the connection and then did not speak Redis."""

    def __init__(self) -> None:
        self.once = False

    def __call__(self, connection: Any) -> None:
        self.once = True
        connection.on_connect()


def unusable(url: str, error: redis.RedisError, *, reached: bool = False,
             credentials: bool = False) -> DistributedSetupError:
    """The one line for a Redis that cannot be used, said the same way by every command (enqueue, a worker's crawl
    and its join): "cannot use Redis at URL: why" (down, refused, an error reply). connect() knows more: whether a
    server took the connection (`reached`), then "URL is not a Redis server: what it did", and whether the URL
    gives a password (`credentials`), for what a password refusal means."""
    shown = redacted(url)
    if isinstance(error, redis.AuthenticationError):
        if not credentials:
            return DistributedSetupError(f"Redis at {shown} requires a password and the URL gives none: put it in "
                                         "the URL, redis://:PASSWORD@HOST:PORT/DB")
        return DistributedSetupError(f"Redis at {shown} refused the URL's password (or user name): {error}")
    if reached and (what := _not_redis(error)):
        return DistributedSetupError(f"{shown} is not a Redis server: {what}")
    return DistributedSetupError(f"cannot use Redis at {shown}: {error}")


SERVER_CLOSED = "Connection closed by server."
"""redis-py's words (redis/_parsers/socket.py) for a server that hung up without a reply."""


def _not_redis(error: redis.RedisError) -> str | None:
    """What a server that took the connection did instead of answering as Redis, or None. Redis's own error replies
    (max clients reached, loading, a wrong database) come as ResponseError or a ConnectionError in their own words,
    so only these three are "not Redis": a reply in no Redis protocol (an HTTP server's status line), silence, and
    a hang-up without a reply."""
    if isinstance(error, redis.InvalidResponse):
        return f"it answered {str(error).removeprefix('Protocol Error: ')}"
    if isinstance(error, redis.TimeoutError):
        return "it took the connection but never answered PING (timed out)"
    if isinstance(error, redis.ConnectionError) and (
            str(error) == SERVER_CLOSED or isinstance(error.__cause__, (ConnectionResetError, BrokenPipeError))):
        return "it closed the connection without a Redis reply"
    return None


def redacted(url: str) -> str:
    """The URL without its passwords, for logs and messages; never raises, also not for a URL redis-py refuses.

    redis-py takes a password from the user information and from the query (`?password=`; `ssl_password=`, the TLS
    key's, for rediss://). Both are left out, the rest of the query kept in its order. A query name is compared as
    redis-py reads it (percent-decoded, by parse_qs), so `pass%77ord=` is hidden too. A password written with a "#",
    "?" or "/" unencoded is hidden whole, though redis-py reads only its start as one (_credentials_end).

    >>> redacted("redis://user:secret@redis.example:6379/0")
    'redis://user@redis.example:6379/0'
    >>> redacted("redis://:secret@127.0.0.1:99999/0")
    'redis://127.0.0.1:99999/0'
    >>> redacted("unix://:secret@/run/redis.sock?db=1")
    'unix:///run/redis.sock?db=1'
    >>> redacted("redis://127.0.0.1:6379/0?password=secret")
    'redis://127.0.0.1:6379/0'
    >>> redacted("rediss://h:6380/0?db=2&pass%77ord=secret&ssl_cert_reqs=none&ssl_password=key#x")
    'rediss://h:6380/0?db=2&ssl_cert_reqs=none#x'
    >>> redacted("unix:///run/redis.sock?password=secret&db=1")
    'unix:///run/redis.sock?db=1'
    >>> [redacted(url) for url in ("redis://:pa#ss?word@host:6379/0", "redis://u:p/ss@host:6379/0",
    ...                            "redis://:pw@host:6379/0?client_name=a@b", "redis://:pa?x=y@host:6379/0")]
    ['redis://host:6379/0', 'redis://u@host:6379/0', 'redis://host:6379/0?client_name=a@b', 'redis://host:6379/0']
    >>> redacted("redis:secret@host:6379/0")
    'redis:host:6379/0'

    """
    scheme, separator, rest = url.partition("://")
    if not separator:  # no URL redis-py takes ("redis:secret@host", "//" forgotten): nothing between ":" and "@"
        head, colon, tail = url.partition(":")
        return f"{head}{colon}{tail[tail.rfind('@') + 1:]}" if "@" in tail else url
    end = _credentials_end(rest)
    if end >= 0:
        userinfo, rest = rest[:end], rest[end + 1:]
        user = userinfo.partition(":")[0] if ":" in userinfo else userinfo  # no ":": a user name, and no password
        rest = f"{user}@{rest}" if user else rest
    # Where urllib.parse (redis-py's parser) splits: the query runs from the first "?" to the first "#".
    rest, hash_mark, fragment = rest.partition("#")
    rest, question_mark, query = rest.partition("?")
    kept = [part for part in query.split("&") if unquote_plus(part.partition("=")[0]) not in SECRET_QUERY_NAMES]
    return f"{scheme}{separator}{rest}{'?' + '&'.join(kept) if question_mark and kept else ''}{hash_mark}{fragment}"


HOST_ENDS = "/?#"
"""Where urllib.parse, and so redis-py's parse_url, ends a URL's host part (its netloc, user information included)."""

_HOST_AND_PORT = re.compile(r"(\[[^\]]*\]|[^:@\[\]]+)(:\d*)?")


def _credentials_end(rest: str) -> int:
    """Where the user information of a URL ends, as its writer meant it: the index in `rest` (the URL after "://")
    of the "@" after it, -1 for a URL with none.

    redis-py reads the URL as urllib.parse does: the host part ends at the first "/", "?" or "#" (HOST_ENDS), and
    its user information at the last "@" before that. So of a password written with one of those unencoded,
    redis://:pa#ss?word@host:6379/0, redis-py reads ":pa" as a host and its port (and refuses the port), the rest
    as a fragment; of redis://:12#34@host it reads port 12 of localhost. What the writer meant is still a password,
    and no part of it may be shown: an "@" after the host part ends the user information, unless every such "@" is
    in a query value (`?client_name=a@b`, which redis-py reads as such) after a host part that is one (a user
    information and a host, or a host and a port in digits).
    """
    host_end = min((at for at in (rest.find(c) for c in HOST_ENDS) if at >= 0), default=len(rest))
    last = rest.rfind("@")
    if last < host_end:
        return last
    netloc = rest[:host_end]
    before_fragment, _, fragment = rest[host_end:].partition("#")
    path, _, query = before_fragment.partition("?")
    query_values_only = "@" not in path + fragment and all("@" not in part.partition("=")[0]
                                                           for part in query.split("&"))
    if query_values_only and ("@" in netloc or _HOST_AND_PORT.fullmatch(netloc)):
        return netloc.rfind("@")
    return last


def _credentials_cut(url: str) -> bool:
    """Whether redis-py would cut the URL's user information short (_credentials_end): a password with an unencoded
    "/", "?" or "#"."""
    rest = url.partition("://")[2]
    return _credentials_end(rest) > min((at for at in (rest.find(c) for c in HOST_ENDS) if at >= 0),
                                        default=len(rest))
