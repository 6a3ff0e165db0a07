"""The four line labels (see ../shared/LABELING.md) and their fixed order.

The order is the column order of every probability array in the project,
so it must never change without a new feature-schema version.
"""

LABELS: tuple[str, ...] = ("body", "nav", "related", "comment")
LABEL_INDEX: dict[str, int] = {label: i for i, label in enumerate(LABELS)}


def parse_keep(spec: str) -> frozenset[str]:
    """Turn a `--keep` value such as "body,comment" into a label set."""
    keep = frozenset(part.strip() for part in spec.split(",") if part.strip())
    unknown = keep - set(LABELS)
    if not keep or unknown:
        raise ValueError(
            f"--keep takes a comma-separated subset of {','.join(LABELS)}; got {spec!r}"
        )
    return keep
