"""What differs between the Mesa 3.x releases sixparty supports (3.3 to 3.5).

Mesa 3.3 keeps every model that had agents alive in the class-level dict
``mesa.Agent._ids`` (upstream issue 3179); 3.4 removed that dict.  Mesa 3.5 owns
``Model.scenario`` (its setter writes ``scenario.model``), so sixparty's model
keeps its scenario as ``spec``.

Importing this module imports the part of Mesa the model uses (:func:`_import_mesa`):
``mesa.model`` and ``mesa.agent`` with what they import, the same modules and
loggers as ``import mesa`` gives them, without the cost of Mesa naming its loggers
from the call stack, and with the rest of ``mesa/__init__.py`` deferred to the first
use of a name only it defines (:func:`_defer_package_init`).  ``sixparty.model`` and
``sixparty.parties`` take ``mesa`` from here.
"""

from __future__ import annotations

import contextlib
import importlib.util
import inspect
import sys
import threading
import types


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


#: Packages of Mesa whose ``__init__`` runs at the first use of a name only it defines
#: (:func:`_defer_package_init`).  ``mesa/__init__.py`` imports every part of Mesa
#: (``mesa.space`` with networkx, ``mesa.experimental`` with ``scipy.spatial``,
#: ``mesa.discrete_space``, ``mesa.batchrunner``, ``mesa.datacollection`` with pandas)
#: and ``mesa/experimental/__init__.py`` its continuous space (``scipy.spatial``);
#: the model needs ``mesa.Model`` and ``mesa.Agent`` only (Mesa 3.5's ``mesa.model``
#: also imports parts of ``mesa.experimental``, not its continuous space).  About
#: 0.8 s of CPU of every command that runs the model (benchmarks/README.md).
DEFERRED_PACKAGES = ("mesa", "mesa.experimental")


def _defer_package_init(name: str) -> types.ModuleType | None:
    """Put package ``name`` into ``sys.modules`` with its ``__init__`` not yet run.

    The module is the one the import system would make (``importlib.util.find_spec``,
    ``module_from_spec``: same ``__spec__``, ``__path__``, ``__file__``), so its
    submodules import as usual (``import mesa.model``) and are set on it as
    attributes.  The first lookup of any other name (``mesa.DataCollector``,
    ``from mesa import batch_run``, ``mesa.__version__``) runs the package's own
    ``__init__`` in it, once (thread-safe), through its loader, and answers from it:
    after that the package is exactly what ``import name`` makes.  Nothing of Mesa's
    code is changed or replaced.  Returns None (and does nothing) when ``name`` is
    already imported or is not a package with a source loader (then it is imported
    as usual).
    """
    if name in sys.modules:
        return None
    spec = importlib.util.find_spec(name)
    if spec is None or spec.submodule_search_locations is None or spec.loader is None:
        return None
    if not hasattr(spec.loader, "exec_module"):
        return None
    module = importlib.util.module_from_spec(spec)
    lock = threading.RLock()
    state = {"done": False, "running": False}

    def __getattr__(attr: str):
        with lock:
            if not state["done"] and not state["running"]:
                state["running"] = True
                try:
                    spec.loader.exec_module(module)
                finally:
                    state["running"] = False
                    state["done"] = True
                    module.__dict__.pop("__getattr__", None)
        try:
            return module.__dict__[attr]
        except KeyError:
            raise AttributeError(f"module {name!r} has no attribute {attr!r}") from None

    module.__getattr__ = __getattr__
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    if parent and parent in sys.modules:
        setattr(sys.modules[parent], child, module)
    return module


def _import_mesa():
    """Mesa's ``Model`` and ``Agent``: ``mesa.model`` and ``mesa.agent`` imported with
    :func:`_frames_named_by_module` (the same modules and loggers), the packages of
    :data:`DEFERRED_PACKAGES` deferred (:func:`_defer_package_init`).  Returns the
    ``mesa`` package, with ``Model`` and ``Agent`` set (the rest when first used).
    When Mesa is already imported (``import mesa`` before sixparty), that is used."""
    if "mesa" in sys.modules:
        return sys.modules["mesa"]
    deferred = [n for n in DEFERRED_PACKAGES if _defer_package_init(n) is not None]
    try:
        with _frames_named_by_module():
            import mesa.agent
            import mesa.model
    except BaseException:
        for n in deferred:  # leave no half-made package behind: a later import starts afresh
            sys.modules.pop(n, None)
        raise
    package = sys.modules["mesa"]
    if "mesa" in deferred:
        package.__dict__.setdefault("Model", mesa.model.Model)
        package.__dict__.setdefault("Agent", mesa.agent.Agent)
    return package


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
