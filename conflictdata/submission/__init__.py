"""Submissions: one YAML file per source document, turned into rows and merged atomically.

The public entry points are in :mod:`conflictdata.submit` (which locks, recovers and writes);
this package holds the parts:

- :mod:`.layout`: how the package's tables nest in a submission (derived from the foreign keys);
- :mod:`.spec`: the submission's JSON Schema, generated from the Table Schemas;
- :mod:`.parse`: YAML in, plain values with the line of every key and value out;
- :mod:`.ids`: ids left out are derived from the file, deterministically;
- :mod:`.rows`: a checked submission in, one text row per table row out;
- :mod:`.merge`: the package's CSV text with new rows inserted in key order, checked;
- :mod:`.apply`: one file applied on top of the package's state, and what it gave (its result);
- :mod:`.write`: all tables or none: temporary files, a record on this machine, a journal,
  renames, a lock; only a journal this machine recorded is ever replayed;
- :mod:`.propose`: a dry run's proposals: the events a new claim may belong to, the events a
  new event may duplicate, ranked with their reasons (never linked);
- :mod:`.template`: the compact commented template ``conflictdata new-submission`` prints.
"""
