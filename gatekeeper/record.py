"""Record classes: slotted value objects without `dataclasses`.

Why not `@dataclass`: it writes each generated method as source text and `exec`s it when the
class is created, in every process. On the project machine the 38 frozen, slotted dataclasses
of the check path cost about 18 ms per process, and importing `dataclasses` (with `inspect`,
`ast`, `dis`, `tokenize`) 5 ms more: a quarter of a whole ``gatekeeper check`` of a median
spec, where the start-up budget is about 70 ms per spec in total (benchmarks/README.md, "Start-up").

A record lists its fields in ``__slots__`` (in ``__init__``'s parameter order) and writes its
own ``__init__``; this base derives equality, hashing, ordering, ``repr``, pickling and
`Record.replace` from the slots. Fields named in ``_not_compared`` (mutable payloads such as
``details`` dicts) take no part in equality, ordering or hashing, as with
``field(compare=False, hash=False)``. Records are treated as immutable: nothing assigns to a
field after ``__init__``; `Record.replace` makes a changed copy.
"""

from __future__ import annotations

from operator import attrgetter

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

__all__ = ["Record"]


def _tuple_getter(names: tuple[str, ...]) -> Any:
    if not names:
        return lambda obj: ()
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return attrgetter(*names)  # C speed: records are sorted and hashed in bulk


class Record:
    __slots__ = ()
    #: Fields left out of ==, <, hash (payloads such as dicts of details).
    _not_compared: tuple[str, ...] = ()
    _all_values: Any = staticmethod(lambda obj: ())
    _key: Any = staticmethod(lambda obj: ())

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        names = tuple(cls.__slots__)
        cls._all_values = staticmethod(_tuple_getter(names))
        cls._key = staticmethod(_tuple_getter(tuple(n for n in names
                                                    if n not in cls._not_compared)))

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key(self) == self._key(other)

    def __lt__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key(self) < self._key(other)

    def __le__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key(self) <= self._key(other)

    def __gt__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key(self) > self._key(other)

    def __ge__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key(self) >= self._key(other)

    def __hash__(self) -> int:
        return hash(self._key(self))

    def __repr__(self) -> str:
        values = self._all_values(self)
        inner = ", ".join(f"{n}={v!r}" for n, v in zip(self.__slots__, values))
        return f"{self.__class__.__name__}({inner})"

    def __reduce__(self) -> tuple[Any, ...]:  # reports cross process boundaries (-j, R12)
        return (self.__class__, self._all_values(self))

    def replace(self, **changes: Any) -> Any:
        """A copy with the named fields changed (``dataclasses.replace``)."""
        values = dict(zip(self.__slots__, self._all_values(self)))
        unknown = changes.keys() - values.keys()
        if unknown:
            raise TypeError(f"{self.__class__.__name__} has no field "
                            f"{', '.join(sorted(unknown))}")
        values.update(changes)
        return self.__class__(**values)
