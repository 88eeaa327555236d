"""Okta's one-time verification of a new event hook.

When an admin verifies a hook (or the console registers one), Okta sends a GET with an
`x-okta-verification-challenge` header and expects the value back as
`{"verification": "<value>"}`. Okta sends the hook's configured headers with it, the auth
header included, so the console answers only when that header carries a valid secret:
otherwise anyone could prove an endpoint of ours is theirs.
"""

from django.http import HttpRequest, JsonResponse

CHALLENGE_HEADER = "x-okta-verification-challenge"
MAX_CHALLENGE = 256


def answer(request: HttpRequest) -> JsonResponse:
    """The echo Okta waits for, or 400 when there is no usable challenge."""
    challenge = request.headers.get(CHALLENGE_HEADER, "")
    if not challenge or len(challenge) > MAX_CHALLENGE or not challenge.isprintable():
        return JsonResponse(
            {"error": f"A GET to this endpoint must carry the {CHALLENGE_HEADER} header."},
            status=400,
        )
    return JsonResponse({"verification": challenge})
