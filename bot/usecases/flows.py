"""A flow and its stored draft as a use case reads them: the flow built once for its context,
the draft loaded if its flow can still go on with it."""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from storage.models import FormDraft
from workflows.forms.contexts import checked
from workflows.forms.engine import Draft, Flow

logger = logging.getLogger(__name__)

C = TypeVar("C", bound=Mapping[str, object])
A = TypeVar("A")

# A flow is a function of its binding's build and its draft's context alone; building a
# weekly update of 30 items costs about a millisecond, so the same context's flow is built
# once. (Row ids are no key: SQLite reuses them once a draft is deleted; nor is the name
# alone: a registry may bind another build to it.)
_BUILT: OrderedDict[tuple[str, object, str], Flow] = OrderedDict()
_BUILT_LOCK = threading.Lock()  # units of work run in worker threads


def built(
    name: str, build: Callable[[C], Flow], context: Mapping[str, object], kind: type[C]
) -> Flow:
    """The flow for this context, built once; the context is checked as `kind` (the type
    `build` reads) when it is built, so a context that is not one is refused (`Unreadable`)."""
    # keys in another order only miss the cache: sorting them cost a third of the key
    key = (name, build, json.dumps(context, ensure_ascii=False, default=str))
    with _BUILT_LOCK:
        flow = _BUILT.get(key)
    if flow is None:
        flow = build(checked(kind, context))
        with _BUILT_LOCK:
            _BUILT[key] = flow
            if len(_BUILT) > 512:
                _BUILT.popitem(last=False)
    return flow


@dataclass(frozen=True)
class Read(Generic[C, A]):
    """A stored draft, its context and its answers read as its flow's types."""

    draft: Draft
    context: C
    answers: A


def loaded(
    row: FormDraft, context_type: type[C], answers: Callable[[Mapping[str, object]], A]
) -> Read[C, A] | None:
    """The stored draft; None when its context or its answers are not what its flow reads (a
    draft saved by an older version the flow can no longer go on with)."""
    try:
        draft = Draft.from_json(row.state)
        read = Read(draft, checked(context_type, draft.context), answers(draft.values))
    except (KeyError, TypeError, ValueError) as err:  # Unreadable is a ValueError
        logger.warning("draft %s of flow %s no longer loads: %s", row.id, row.flow, err)
        return None
    return read
