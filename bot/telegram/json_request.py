"""Bot API calls posted as one JSON body.

PTB posts a call without files as a form, each value percent-encoded: a long Chinese reply
(every byte three characters) costs more to encode than the rest of its turn. The Bot API
takes `application/json` as well; calls with files stay multipart.
"""

from __future__ import annotations

import json

import httpx
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

_HEADERS = {"User-Agent": HTTPXRequest.USER_AGENT, "Content-Type": "application/json"}


class JsonRequest(HTTPXRequest):
    """`HTTPXRequest`, with calls that carry no file sent as JSON."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """See `BaseRequest.do_request`; without files, one JSON body."""
        if request_data is None or request_data.contains_files:
            return await super().do_request(
                url, method, request_data, read_timeout, write_timeout, connect_timeout,
                pool_timeout,
            )  # fmt: skip
        client = self._client
        if client.is_closed:
            raise RuntimeError("This JsonRequest is not initialized!")
        default = client.timeout
        timeout = httpx.Timeout(
            connect=_given(connect_timeout, default.connect),
            read=_given(read_timeout, default.read),
            write=_given(write_timeout, default.write),
            pool=_given(pool_timeout, default.pool),
        )
        body = json.dumps(request_data.parameters, ensure_ascii=False).encode()
        try:
            res = await client.request(
                method=method, url=url, headers=_HEADERS, timeout=timeout, content=body
            )
        except httpx.PoolTimeout as err:
            raise TimedOut("Pool timeout: the request was not sent to Telegram.") from err
        except httpx.TimeoutException as err:
            raise TimedOut from err
        except httpx.HTTPError as err:  # said as PTB says it, with the class's name
            raise NetworkError(f"httpx.{err.__class__.__name__}: {err}") from err
        return res.status_code, res.content


def _given(value: ODVInput[float], default: float | None) -> float | None:
    """A timeout the call gave, else the client's."""
    return default if isinstance(value, DefaultValue) else value
