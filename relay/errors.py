"""Why a relay stops: errors the CLI turns into one line and a non-zero exit."""


class RelayError(Exception):
    """The stream and the log disagree, or the broker refused a message: the relay stops."""


class StreamMismatch(RelayError):
    """The stream cannot carry the relay's subjects; the message names the option to change."""
