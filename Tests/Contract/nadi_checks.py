"""Nadi's own schemathesis checks, loaded with SCHEMATHESIS_HOOKS=nadi_checks."""
import json

import schemathesis

BATCH_PATHS = {"/v1/pings", "/v1/inventory", "/v1/sites"}


def _records(case):
    """The records a batch request sent, or None when the body is not a JSON array."""
    body = case.body
    if isinstance(body, list):
        return body
    if isinstance(body, (bytes, str)):
        try:
            parsed = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return None
        return parsed if isinstance(parsed, list) else None
    return None


@schemathesis.check
def batch_outcome_accounts_for_every_record(ctx, response, case):
    """A 200 from a batch endpoint counts every record it was sent exactly once: stored
    (`accepted`), already stored (`duplicates`) or `rejected` with its index and a reason."""
    if case.path not in BATCH_PATHS or response.status_code != 200:
        return None
    if case.media_type and "json" not in case.media_type.split(";")[0] or "ndjson" in (case.media_type or ""):
        return None
    records = _records(case)
    if records is None:
        return None
    outcome = response.json()
    rejected = outcome["rejected"]
    indices = [entry["index"] for entry in rejected]
    if len(set(indices)) != len(indices):
        raise AssertionError(f"a record is rejected twice: {indices}")
    if any(index < 0 or index >= len(records) for index in indices):
        raise AssertionError(f"a rejection names an index outside the {len(records)} records sent: {indices}")
    if any(not entry["error"].strip() for entry in rejected):
        raise AssertionError("a rejection without a reason")
    counted = outcome["accepted"] + outcome["duplicates"] + outcome.get("rejected_total", len(rejected))
    if counted != len(records):
        raise AssertionError(
            f"{len(records)} records sent but {counted} accounted for "
            f"(accepted {outcome['accepted']}, duplicates {outcome['duplicates']}, rejected {len(rejected)})")
    return None


@schemathesis.check
def errors_say_why(ctx, response, case):
    """Every 4xx and 5xx is the documented error shape with a reason a person can act on, and a 503
    says when to retry."""
    if response.status_code < 400 or case.path in {"/metrics"}:
        return None
    if response.status_code == 405:
        if "allow" not in {name.lower() for name in response.headers}:
            raise AssertionError("405 without an Allow header")
    try:
        body = response.json()
    except ValueError:
        raise AssertionError(f"{response.status_code} is not JSON: {response.text[:200]!r}")
    if not isinstance(body, dict) or not isinstance(body.get("error"), str) or len(body["error"].strip()) < 5:
        raise AssertionError(f"{response.status_code} without a reason: {body!r}")
    if response.status_code == 503 and "retry-after" not in {name.lower() for name in response.headers}:
        raise AssertionError("503 without Retry-After")
    return None
