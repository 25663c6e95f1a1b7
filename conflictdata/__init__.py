"""conflictdata: curated, sourced claims about the Russia-Ukraine war, as typed tables.

>>> import conflictdata as cd
>>> cd.tables()[:2]
['sources', 'updates']
>>> df = cd.load("munitions")         # a typed pandas DataFrame
>>> str(df["launched"].dtype)
'Int64'
>>> cd.validate().valid
True
>>> sorted(set(cd.event_figures()["measure"]))[:3]   # every claim's figures per event
['hit', 'injured', 'intercepted']
>>> list(cd.daily("equipment_losses", category="tank").columns)[3:6]   # per report, from running totals
['date', 'total', 'bound']
>>> len(cd.pandera_schema("munitions").validate(cd.load("munitions", format="polars"))) > 0   # the rules, in Pandera
True

Importing this module is cheap: pandas, Polars, pyarrow and pandera load only when a
function needs them.
"""

from .daily import daily
from .errors import ConflictDataError, DataError, PackageError, UnknownTableError, UnsafePathError
from .events import contradictions, disputes, event_figures
from .load import load, tables
from .validation import validate
from .validation.pandera_schemas import pandera_schema  # pandera itself loads when a schema is built

__version__ = "0.1.0"

__all__ = [
    "ConflictDataError",
    "DataError",
    "PackageError",
    "UnknownTableError",
    "UnsafePathError",
    "__version__",
    "daily",
    "disputes",
    "event_figures",
    "contradictions",
    "load",
    "pandera_schema",
    "tables",
    "validate",
]
