"""Length-bucketed batches for a whole ingest run.

A batch costs as much as its longest text times its size, so texts of different lengths in one batch pay for
padding. Sorting the whole run first would wait for every file to be parsed; instead pending texts wait in
buckets of similar token counts, a bucket is embedded as soon as it fills a batch (while parsing goes on),
and what is left at the end goes out sorted by length. Every text is handed out exactly once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

Item = tuple[str, str]  # (text hash, text)


class LengthBatches:
    def __init__(self, count_tokens: Callable[[Sequence[str]], list[int]], batch_size: int, width: int = 16) -> None:
        self.count_tokens = count_tokens
        self.batch_size = batch_size
        self.width = width
        self._buckets: dict[int, list[tuple[int, Item]]] = {}
        self._seen: set[str] = set()

    def add(self, items: Sequence[Item]) -> None:
        """Queue texts not queued before (by hash)."""
        fresh = [item for item in dict(items).items() if item[0] not in self._seen]
        for item, tokens in zip(fresh, self.count_tokens([text for _, text in fresh]), strict=True):
            self._seen.add(item[0])
            self._buckets.setdefault(tokens // self.width, []).append((tokens, item))

    def full(self) -> Iterator[list[Item]]:
        """Whole batches from buckets that hold at least one, longest texts first."""
        for key in sorted(self._buckets, reverse=True):
            bucket = self._buckets[key]
            while len(bucket) >= self.batch_size:
                batch, self._buckets[key] = bucket[: self.batch_size], bucket[self.batch_size :]
                bucket = self._buckets[key]
                yield [item for _, item in batch]

    def rest(self) -> Iterator[list[Item]]:
        """Everything still queued, sorted by length, in batches."""
        pending = sorted((entry for bucket in self._buckets.values() for entry in bucket), key=lambda e: e[0])
        self._buckets = {0: pending}
        while pending:
            batch, pending = pending[: self.batch_size], pending[self.batch_size :]
            self._buckets[0] = pending
            yield [item for _, item in batch]

    def __len__(self) -> int:
        return sum(len(bucket) for bucket in self._buckets.values())
