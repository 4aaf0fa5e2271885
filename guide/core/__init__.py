"""The pure core: bloom arithmetic, the year strip, geography, map building, the clock and
language helpers. It imports nothing else of the guide (an import-linter contract checks it)."""
