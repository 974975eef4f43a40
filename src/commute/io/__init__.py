"""Read: network tables, timetables, GTFS, OpenStreetMap, TNTP and YAML with line numbers."""
