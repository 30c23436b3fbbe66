"""What differs between the Mesa 3.x releases sixparty supports (3.3 to 3.5).

Mesa 3.3 keeps every model that had agents alive in the class-level dict
``mesa.Agent._ids`` (upstream issue 3179); 3.4 removed that dict.  Mesa 3.5 owns
``Model.scenario`` (its setter writes ``scenario.model``), so sixparty's model
keeps its scenario as ``spec``.

Importing this module imports Mesa (:func:`_import_mesa`: the same modules, the
same loggers, without the cost of Mesa naming its loggers from the call stack).
"""

from __future__ import annotations

import contextlib
import inspect
import sys


@contextlib.contextmanager
def _frames_named_by_module():
    """For the duration, ``inspect.getmodule(frame)`` is the module named by the frame's
    ``__name__`` (what it finds by the frame's file, when that module is loaded).

    Mesa (3.3) names the loggers of ``mesa.model`` and ``mesa.agent`` at import time
    with ``inspect.getmodule(inspect.stack()[1][0])``: ``inspect.stack`` looks up the
    module of each of the ~40 frames of the import, and each lookup of an unknown file
    scans the file of every loaded module (some 1,000 once numpy and pandas are in):
    about 0.2 s of CPU of every command that runs the model, for two logger names.
    Any other object, and a frame whose name is not a loaded module, go to the real
    ``getmodule``.  Not thread-safe by design: used once, at import.
    """
    real = inspect.getmodule

    def getmodule(obj, _filename=None):
        if inspect.isframe(obj):
            module = sys.modules.get(obj.f_globals.get("__name__", ""))
            if module is not None:
                return module
        return real(obj, _filename)

    inspect.getmodule = getmodule
    try:
        yield
    finally:
        inspect.getmodule = real


def _import_mesa():
    """``import mesa`` with :func:`_frames_named_by_module` (the same modules and loggers)."""
    if "mesa" in sys.modules:
        return sys.modules["mesa"]
    with _frames_named_by_module():
        import mesa
    return mesa


mesa = _import_mesa()


def release_model(model) -> None:
    """Drop Mesa 3.3's class-level reference to a finished ``model`` (no-op on 3.4+)."""
    ids = getattr(mesa.Agent, "_ids", None)
    if ids is not None:
        ids.pop(model, None)


def live_models() -> int:
    """Models Mesa still references at class level (always 0 on Mesa 3.4+)."""
    ids = getattr(mesa.Agent, "_ids", None)
    return 0 if ids is None else len(ids)
