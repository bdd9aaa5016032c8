"""Identity made real: bearer tokens, the channel every write records, and the guard on
acts that are not commands (publishing, snapshots, tokens, imports).

The HTTP service and the CLI both call these:

    from commands.identity import authenticate, issue_token, list_tokens, revoke_token
    from commands.permissions import require

`tokens` issues, checks and revokes tokens (the database keeps only each secret's
SHA-256); `tables` is the ``tokens`` table; `roles` reads who holds which role now;
`bootstrap` makes the first admin, an act of the operator only. The channel a write
came through is `catalogue.channel`, re-exported here.
"""

from catalogue.channel import Channel, api, direct
from commands.identity.bootstrap import make_first_admin
from commands.identity.tokens import (
    IssuedToken,
    Principal,
    TokenInfo,
    authenticate,
    issue_token,
    list_tokens,
    revoke_token,
)

__all__ = [
    "Channel",
    "IssuedToken",
    "Principal",
    "TokenInfo",
    "api",
    "authenticate",
    "direct",
    "issue_token",
    "list_tokens",
    "make_first_admin",
    "revoke_token",
]
