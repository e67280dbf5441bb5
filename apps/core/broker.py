"""The embedded deployment's broker: kombu's file-system transport, made safe to share.

kombu 5.7's `_put` creates the message file under its final name, then locks and writes it;
`_get` lists, moves and reads without taking the lock. A consumer can therefore take a file
that is still empty: the message is lost, and Celery's worker stops on the JSONDecodeError.
Here a message is written and flushed under a name no consumer looks at, then renamed into
place, which is atomic within a folder: a consumer sees a whole message or none.

Registered for `filesystem://` in `portal/celery.py`.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        """Put `payload` onto `queue`: written whole under a temporary name, then renamed."""
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        # `_get` takes only names ending in ".<queue>.msg"; this one ends in ".part".
        temp = os.path.join(self.data_folder_out, f"tmp_{uuid.uuid4()}.part")
        try:
            with open(temp, "wb") as handle:
                handle.write(str_to_bytes(dumps(payload)))
            os.replace(temp, final)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
