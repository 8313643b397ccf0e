"""The Mini App's server serves what the features declare: every route of its API comes from
the registry the chat reads (each declared with its feature in `bot/serve/features.py`), and
every route a feature declares is served, by the function it declares; besides them only the
page itself and its script and style."""

from __future__ import annotations

from bot.serve.features import FEATURES, REGISTRY
from bot.web.server import STATIC, mini_app, prefix_of
from tests.harness import Harness

MINI_APP = True  # the `bot` fixture serves the Mini App


async def test_every_route_served_comes_from_a_feature_and_each_declared_one_is_served(
    bot: Harness,
) -> None:
    app = bot.app
    assert app is not None
    prefix = prefix_of(bot.settings)
    served = {
        (route.method, route.resource.canonical): route.handler
        for route in mini_app(app, app.bot_data["pipeline"], bot.settings).router.routes()
        if route.method != "HEAD" and route.resource is not None  # aiohttp adds HEAD to a GET
    }
    page = {("GET", prefix), ("GET", prefix.rstrip("/"))} | {("GET", prefix + n) for n in STATIC}
    declared = {
        (route.method, prefix + route.path): route.handler
        for feature in FEATURES
        for route in feature.routes
    }
    assert set(served) - page == set(declared)
    assert all(served[key] is handler for key, handler in declared.items())
    # every page's calls belong to a feature of the chat's registry, none to two
    owners = {route.key: REGISTRY.owners[route.key] for route in REGISTRY.routes}
    assert owners["route:GET api/week"] == "weekly"
    assert owners["route:POST api/items/{item}/closeout"] == "closeout"
    assert owners["route:GET api/open"] == "mini_app"
    assert len(REGISTRY.routes) == len(declared)
