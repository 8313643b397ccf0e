"""The local Bot API's webhook side: it posts updates the way Telegram does.

Telegram posts each update to the registered https URL with the secret token in a header and
retries until it gets a 2xx. Here, a list of `backends` stands for the reverse proxy in front
of several bot processes: updates go to them in turn, and a backend that refuses connections
is passed over for the next one, as nginx does with `proxy_next_upstream error`.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bot.serve.webhook import SECRET_FORM
from workflows.guards import required


class WebhookRefused(Exception):
    """setWebhook's parameters are ones Telegram refuses."""


@dataclass
class Webhook:
    """A registered webhook."""

    url: str
    secret_token: str | None
    max_connections: int = 40
    allowed_updates: list[str] | None = None


@dataclass
class WebhookPusher:
    """Posts queued updates to the webhook until each is accepted."""

    take: Callable[[int], Awaitable[list[dict[str, Any]]]]  # waits for up to n updates
    done: Callable[[dict[str, Any]], None]  # an update was accepted
    webhook: Webhook | None = None
    backends: list[str] = field(default_factory=list)  # empty: post to the webhook's URL
    parallel: int = 1  # updates in flight at once (Telegram allows up to max_connections)
    retry_delay: float = 0.3
    posts: Counter[str] = field(default_factory=Counter)  # accepted updates per backend
    refused: Counter[int] = field(default_factory=Counter)  # non-2xx answers by status
    last_error: str | None = None
    _next: int = 0
    _task: asyncio.Task[None] | None = None
    _flying: dict[int, asyncio.Task[None]] = field(default_factory=dict)  # update id: its post
    _session: aiohttp.ClientSession | None = None

    def register(self, params: dict[str, Any]) -> None:
        """setWebhook: check what Telegram checks, then start posting."""
        url = str(params.get("url") or "")
        if not url:
            self.webhook = None
            return
        if not url.startswith("https://"):
            raise WebhookRefused("Bad Request: bad webhook: An HTTPS URL must be provided")
        secret = params.get("secret_token")
        if secret is not None and not SECRET_FORM.fullmatch(str(secret)):
            raise WebhookRefused("Bad Request: secret token contains unallowed characters")
        allowed = params.get("allowed_updates")
        self.webhook = Webhook(
            url,
            None if secret is None else str(secret),
            int(params.get("max_connections") or 40),
            list(allowed) if isinstance(allowed, list) else None,
        )
        if self._task is None:
            self._task = asyncio.create_task(self._run())

    def info(self, pending: int) -> dict[str, Any]:
        """getWebhookInfo's answer."""
        hook = self.webhook
        out: dict[str, Any] = {
            "url": hook.url if hook else "",
            "has_custom_certificate": False,
            "pending_update_count": pending,
        }
        if hook is not None:
            out["max_connections"] = hook.max_connections
            if hook.allowed_updates is not None:
                out["allowed_updates"] = hook.allowed_updates
        if self.last_error:
            out["last_error_message"] = self.last_error
        return out

    async def stop(self) -> None:
        """Stop posting."""
        if self._task is not None:
            self._task.cancel()
            for post in list(self._flying.values()):
                post.cancel()
            await asyncio.gather(self._task, *self._flying.values(), return_exceptions=True)
            self._task = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _run(self) -> None:
        """Up to `parallel` updates in flight, each on its own connection: a slow answer
        holds only its own (the oldest not in flight goes next); one refused is posted again
        after a pause."""
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        slots = asyncio.Semaphore(max(1, self.parallel))
        flying = self._flying
        while True:
            await slots.acquire()
            update: dict[str, Any] | None = None
            while update is None:
                waiting = await self.take(len(flying) + 1)
                update = next((u for u in waiting if u["update_id"] not in flying), None)
                if update is None or self.webhook is None:
                    update = None
                    await asyncio.sleep(0.02)
            uid = update["update_id"]
            flying[uid] = asyncio.create_task(self._deliver(update, slots, flying, uid))

    async def _deliver(
        self,
        update: dict[str, Any],
        slots: asyncio.Semaphore,
        flying: dict[int, asyncio.Task[None]],
        uid: int,
    ) -> None:
        try:
            if not await self._post(update):
                await asyncio.sleep(self.retry_delay)  # Telegram backs off, then retries
        finally:
            flying.pop(uid, None)
            slots.release()

    def _targets(self) -> list[str]:
        if not self.backends:
            return [required(self.webhook, "the webhook (setWebhook first)").url]
        start = self._next % len(self.backends)
        self._next += 1
        return self.backends[start:] + self.backends[:start]

    async def _post(self, update: dict[str, Any]) -> bool:
        webhook = required(self.webhook, "the webhook (setWebhook first)")
        http = required(self._session, "the proxy's HTTP session (start() first)")
        headers = {}
        if webhook.secret_token is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = webhook.secret_token
        for target in self._targets():
            try:
                async with http.post(target, json=update, headers=headers) as resp:
                    if 200 <= resp.status < 300:
                        self.posts[target] += 1
                        self.done(update)
                        return True
                    self.refused[resp.status] += 1
                    self.last_error = f"Wrong response from the webhook: {resp.status}"
                    return False
            except (aiohttp.ClientConnectionError, TimeoutError) as err:
                self.last_error = f"Connection failed: {err.__class__.__name__}"
        return False
