"""Results: travel times, targets, metrics, attribution, isochrones, maps and snapshots."""
