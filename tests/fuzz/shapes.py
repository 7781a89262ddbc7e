"""What every answer must look like, whatever was sent (docs/OPERATIONS.md, "Bad input")."""

from tracker.api.errors import MAX_ISSUES, MAX_MESSAGE_LENGTH

# No answer to bad input is larger than this: bounded issues, bounded messages.
MAX_ERROR_BYTES = 20_000


def assert_json_answer(response) -> dict | None:
    """No 5xx; JSON (or an empty 204); an error is `{"error": "...", ...}`, an invalid payload lists at most
    MAX_ISSUES issues with a path and a bounded message. Returns the decoded body."""
    assert response.status_code < 500, (response.status_code, response.content[:1000])
    if response.status_code == 204:
        return None
    assert response["Content-Type"].startswith("application/json"), (response.status_code, response.content[:300])
    data = response.json()
    if response.status_code >= 400:
        assert isinstance(data, dict) and isinstance(data.get("error"), str) and data["error"], data
        assert len(response.content) < MAX_ERROR_BYTES, len(response.content)
        if data["error"] == "invalid payload":
            issues = data["issues"]
            assert 1 <= len(issues) <= MAX_ISSUES, issues
            for issue in issues:
                assert isinstance(issue["path"], list) and all(isinstance(p, str | int) for p in issue["path"])
                assert isinstance(issue["message"], str) and len(issue["message"]) <= MAX_MESSAGE_LENGTH
            assert data.get("issueCount", len(issues)) >= len(issues)
    return data


def row_counts(*models) -> tuple[int, ...]:
    return tuple(model.objects.count() for model in models)
