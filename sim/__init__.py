"""sixparty: an agent-based simulator of the Six-Party Talks (2003-2009).

The model core (parties, protocol, dynamics) lives in this package and does no
I/O; file formats and the command line are at the edges (:mod:`sixparty.loader`,
:mod:`sixparty.outputs`, :mod:`sixparty.cli`).
"""

__version__ = "0.1.0"
