"""What differs between the Mesa 3.x releases sixparty supports (3.3 to 3.5).

Mesa 3.3 keeps every model that had agents alive in the class-level dict
``mesa.Agent._ids`` (upstream issue 3179); 3.4 removed that dict.  Mesa 3.5 owns
``Model.scenario`` (its setter writes ``scenario.model``), so sixparty's model
keeps its scenario as ``spec``.
"""

from __future__ import annotations

import mesa


def release_model(model) -> None:
    """Drop Mesa 3.3's class-level reference to a finished ``model`` (no-op on 3.4+)."""
    ids = getattr(mesa.Agent, "_ids", None)
    if ids is not None:
        ids.pop(model, None)


def live_models() -> int:
    """Models Mesa still references at class level (always 0 on Mesa 3.4+)."""
    ids = getattr(mesa.Agent, "_ids", None)
    return 0 if ids is None else len(ids)
