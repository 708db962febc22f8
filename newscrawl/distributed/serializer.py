"""SCHEDULER_SERIALIZER for scrapy-redis: requests as JSON, not pickle.

scrapy-redis pickles queued requests by default, and unpickling runs code: anyone who can write to the shared Redis
could run code on every worker. JSON carries what Request.to_dict() holds — bytes (body, header names and values)
as {"$b": base64}, dicts with bytes keys (headers) as {"$d": [[key, value], …]} — and refuses anything else with
a message naming the type, so a spider putting objects into request.meta fails loudly instead of silently.

>>> from scrapy import Request
>>> data = dumps(Request("https://a.b/1", headers={"If-None-Match": '"x"'}, meta={"k": [1]}).to_dict())
>>> loads(data)["headers"], loads(data)["meta"]
({b'If-None-Match': [b'"x"']}, {'k': [1]})
"""

from __future__ import annotations

import base64
import json
from typing import Any


def dumps(obj: dict[str, Any]) -> bytes:
    return json.dumps(_encode(obj), ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def loads(data: bytes | str) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(data, object_hook=_decode)
    return decoded


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, bytes):
        return {"$b": base64.b64encode(value).decode("ascii")}
    if isinstance(value, (list, tuple)):
        return [_encode(member) for member in value]
    if isinstance(value, dict):
        if all(isinstance(key, str) for key in value):
            return {key: _encode(member) for key, member in value.items()}
        return {"$d": [[_encode(key), _encode(member)] for key, member in value.items()]}
    raise TypeError(f"cannot queue a request holding a {type(value).__name__} ({value!r:.80}) in Redis: "
                    "keep request.meta and cb_kwargs to JSON values (str, numbers, lists, dicts)")


def _decode(obj: dict[str, Any]) -> Any:
    if obj.keys() == {"$b"}:
        return base64.b64decode(obj["$b"])
    if obj.keys() == {"$d"}:
        return {_freeze(key): value for key, value in obj["$d"]}
    return obj


def _freeze(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key
