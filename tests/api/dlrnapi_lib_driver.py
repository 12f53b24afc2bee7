"""Drive the ``dlrnapi_client`` Python library: run by the client's own virtualenv.

The library pins old dependencies, so it cannot be imported by the test
process. The test runs this file with the client venv's python; it reads a JSON
list of calls on stdin, ``[{"call": "api_promote_post", "model": "Promotion",
"args": {...}, "password": "..."}]``, makes each call through ``ApiClient`` and
``DefaultApi`` exactly as CI tooling does, and prints one JSON result per call:
``{"ok": <the deserialized model(s) as dicts>}`` or ``{"status": <HTTP status>,
"body": <text>}`` when the library raised ``ApiException``.

Usage: ``python dlrnapi_lib_driver.py URL USERNAME`` (this file must stay
importable by Python 3 without trunkline; it uses only the client library).
"""

import json
import sys

import dlrnapi_client
from dlrnapi_client.rest import ApiException


def to_plain(value):
    """Deserialized models (or lists of them) as plain JSON values."""
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    if hasattr(value, "to_dict"):
        return value.to_dict()
    return value


def run(url, username, calls):
    """Make each call; return the list of results."""
    results = []
    for spec in calls:
        dlrnapi_client.configuration.username = username
        dlrnapi_client.configuration.password = spec.get("password")
        api = dlrnapi_client.DefaultApi(api_client=dlrnapi_client.ApiClient(host=url))
        model = getattr(dlrnapi_client, spec["model"])
        if spec.get("batch"):
            params = [model(**item) for item in spec["args"]]
        else:
            params = model(**spec["args"])
        try:
            results.append({"ok": to_plain(getattr(api, spec["call"])(params))})
        except ApiException as exc:
            results.append({"status": exc.status, "body": exc.body})
    return results


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1], sys.argv[2], json.load(sys.stdin))))
