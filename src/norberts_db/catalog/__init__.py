"""What a database holds, object by object, and how two databases differ.

``snapshot`` reads the catalog of a live database into a :class:`model.Snapshot`;
``compare`` turns two snapshots into a sorted list of differences; ``report``
renders results for people (text), programs (JSON) and CI (GitHub annotations).
Reading is the only part that needs a server: everything after it is pure.
"""
